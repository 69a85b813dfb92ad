using System.Text;
using StreamCore.Engine;
using StreamCore.Reading;
using StreamCore.Storage;

namespace StreamCore;

/// <summary>
/// A run of consecutive records of one shard, read without copying. The memory it exposes (and every slice it hands
/// out) is valid until the <see cref="ShardReader"/> that returned it reads again or is disposed.
/// </summary>
public readonly struct RecordBatch
{
    private readonly ShardState? _shard;
    private readonly LogSlice _slice;
    private readonly DecryptedRecords? _plaintext;

    internal RecordBatch(ShardState shard, LogSlice slice, DecryptedRecords? plaintext = null)
    {
        _shard = shard;
        _slice = slice;
        _plaintext = plaintext;
    }

    /// <summary>The shard the records belong to.</summary>
    public ShardId ShardId => _shard?.Id ?? default;

    /// <summary>The number of records.</summary>
    public int Count => _slice.Count;

    /// <summary>The record at <paramref name="index"/> (0-based within the batch).</summary>
    /// <param name="index">0 &lt;= index &lt; <see cref="Count"/>.</param>
    public StreamRecord this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return new StreamRecord(_shard!, _slice.Segment, _slice.FirstSlot + index, _plaintext, index);
        }
    }

    /// <summary>The sequence number of the last record: where to resume after this batch (AFTER_SEQUENCE_NUMBER).</summary>
    public SequenceNumber LastSequenceNumber => Count == 0 ? default : this[Count - 1].SequenceNumber;

    /// <summary>Returns an allocation-free enumerator over the records.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Enumerates the records of a batch without allocating.</summary>
    public struct Enumerator
    {
        private readonly RecordBatch _batch;
        private int _index;

        internal Enumerator(RecordBatch batch)
        {
            _batch = batch;
            _index = -1;
        }

        /// <summary>The current record.</summary>
        public readonly StreamRecord Current => new(_batch._shard!, _batch._slice.Segment, _batch._slice.FirstSlot + _index, _batch._plaintext, _index);

        /// <summary>Advances to the next record.</summary>
        /// <returns><see langword="false"/> after the last record.</returns>
        public bool MoveNext() => ++_index < _batch.Count;
    }
}

/// <summary>One record of a <see cref="RecordBatch"/>: a view over the engine's storage, not a copy.</summary>
public readonly struct StreamRecord
{
    private readonly ShardState _shard;
    private readonly LogSegment _segment;
    private readonly int _slot;
    private readonly DecryptedRecords? _plaintext;
    private readonly int _indexInBatch;

    internal StreamRecord(ShardState shard, LogSegment segment, int slot, DecryptedRecords? plaintext = null, int indexInBatch = 0)
    {
        _shard = shard;
        _segment = segment;
        _slot = slot;
        _plaintext = plaintext;
        _indexInBatch = indexInBatch;
    }

    /// <summary>The record's sequence number.</summary>
    public SequenceNumber SequenceNumber => _shard.SequenceNumberAt(_segment.BaseIndex + _slot, _segment.Entries[_slot].ArrivalMs);

    /// <summary>When the engine accepted the record (Kinesis's ApproximateArrivalTimestamp, millisecond precision).</summary>
    public DateTimeOffset ApproximateArrivalTimestamp => DateTimeOffset.FromUnixTimeMilliseconds(_segment.Entries[_slot].ArrivalMs);

    /// <summary>The payload, without a copy (on an encrypted stream, decrypted by the reader that returned the batch).</summary>
    public ReadOnlyMemory<byte> Data => _plaintext is not null && _plaintext.TryGet(_indexInBatch, out ReadOnlyMemory<byte> plaintext) ? plaintext : StoredData;

    /// <summary>The payload as stored: ciphertext for a record written to an encrypted stream.</summary>
    internal ReadOnlyMemory<byte> StoredData
    {
        get
        {
            ref readonly RecordEntry e = ref _segment.Entries[_slot];
            return new ReadOnlyMemory<byte>(_segment.Arena, e.Offset + e.KeyLength, e.DataLength);
        }
    }

    /// <summary>1 for a plain record; 2 + n for one encrypted with the stream's n-th key.</summary>
    internal int Kind => _segment.Entries[_slot].Published;

    /// <summary>Whether <see cref="Data"/> is still ciphertext (an encrypted record read without a decrypting reader).</summary>
    internal bool NeedsDecryption => Kind >= 2 && (_plaintext is null || !_plaintext.TryGet(_indexInBatch, out _));

    /// <summary>The partition key's UTF-8 bytes, without a copy.</summary>
    public ReadOnlyMemory<byte> PartitionKeyUtf8
    {
        get
        {
            ref readonly RecordEntry e = ref _segment.Entries[_slot];
            return new ReadOnlyMemory<byte>(_segment.Arena, e.Offset, e.KeyLength);
        }
    }

    /// <summary>The partition key, decoded into a new string on each call.</summary>
    public string PartitionKey => Encoding.UTF8.GetString(PartitionKeyUtf8.Span);
}
