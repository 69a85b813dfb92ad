using System.Diagnostics.CodeAnalysis;
using System.Text;
using StreamCore.Engine.Encryption;
using StreamCore.Engine;
using StreamCore.Storage;

namespace StreamCore;

/// <summary>
/// A run of consecutive records of one shard, read without copying. The memory it exposes (and every slice it hands
/// out) is valid until the <see cref="ShardReader"/> that returned it reads again or is disposed.
/// </summary>
/// <remarks>
/// <para>The engine recycles storage once no reader holds it. A batch remembers the hold it was handed out under (a
/// version stamp, as <c>List&lt;T&gt;.Enumerator</c> does): reading a record of a stale batch, or a
/// <see cref="StreamRecord"/> taken from it, throws <see cref="InvalidOperationException"/> instead of showing other
/// records. <see cref="Count"/> and <see cref="ShardId"/> stay readable. A batch whose reader was garbage-collected
/// without being disposed stays valid for as long as the batch is reachable: it keeps its storage.</para>
/// <para>The check is for one consumer at a time, like the reader: a batch read on one thread while its reader reads
/// again on another is a race the stamp cannot close. Memory obtained from a valid record (<see cref="StreamRecord.Data"/>)
/// is itself only valid until the reader moves on. To keep records, copy them: <see cref="ToArray"/> copies a whole
/// batch with one allocation for all its bytes, <see cref="StreamRecord.Copy"/> one record.</para>
/// </remarks>
public readonly struct RecordBatch
{
    private readonly ShardState? _shard;
    private readonly LogSlice _slice;
    private readonly DecryptedRecords? _plaintext;
    private readonly LogPin? _pin;
    private readonly int _version;

    /// <summary>A batch read under <paramref name="pin"/>'s current hold (null: a transient read, not checked).</summary>
    internal RecordBatch(ShardState shard, LogSlice slice, DecryptedRecords? plaintext = null, LogPin? pin = null)
    {
        _shard = shard;
        _slice = slice;
        _plaintext = plaintext;
        _pin = pin;
        _version = pin?.HeldVersion ?? 0;
    }

    /// <summary>The shard the records belong to.</summary>
    public ShardId ShardId => _shard?.Id ?? default;

    /// <summary>The number of records.</summary>
    public int Count => _slice.Count;

    /// <summary>The log index just past the batch: where the next read of the shard starts.</summary>
    internal long EndIndex => _slice.EndIndex;

    /// <summary>The record at <paramref name="index"/> (0-based within the batch).</summary>
    /// <param name="index">0 &lt;= index &lt; <see cref="Count"/>.</param>
    /// <exception cref="InvalidOperationException">The batch is stale: its reader read again or was disposed.</exception>
    public StreamRecord this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            StreamRecord.ThrowIfStale(_pin, _version);
            return new StreamRecord(_shard!, _slice.Segment, _slice.FirstSlot + index, _plaintext, index, _pin, _version);
        }
    }

    /// <summary>
    /// The record at <paramref name="index"/> without the range and staleness checks of the indexer: for a caller that
    /// keeps <paramref name="index"/> within <see cref="Count"/> (the record's own members still check staleness).
    /// </summary>
    internal StreamRecord At(int index) => new(_shard!, _slice.Segment, _slice.FirstSlot + index, _plaintext, index, _pin, _version);

    /// <summary>
    /// Whether none of the records from <paramref name="start"/> on may be a KPL aggregate (see
    /// <see cref="StreamRecord.MayBeAggregate"/>), and if so the bytes of their payloads: one pass over the entries' tags
    /// and lengths, no record made. False also for a batch read from an encrypted stream (its payloads are the plaintext).
    /// </summary>
    internal bool AreCertainlyPlain(int start, out long dataBytes)
    {
        StreamRecord.ThrowIfStale(_pin, _version);
        dataBytes = 0;
        if (_plaintext is not null || start >= Count)
        {
            return _plaintext is null;
        }

        // A plain record is published as kind 1 without the aggregate flag: any other bit set in any entry (a tag, an
        // encrypted kind) sends the caller to the per-record path.
        int published = 0;
        long bytes = 0;
        foreach (ref readonly RecordEntry entry in _slice.Segment.Entries.AsSpan(_slice.FirstSlot + start, Count - start))
        {
            published |= entry.Published;
            bytes += entry.DataLength;
        }

        bool plain = (published & ~1) == 0;
        dataBytes = plain ? bytes : 0;
        return plain;
    }

    /// <summary>The sequence number of the last record: where to resume after this batch (AFTER_SEQUENCE_NUMBER).</summary>
    /// <exception cref="InvalidOperationException">The batch is stale: its reader read again or was disposed.</exception>
    public SequenceNumber LastSequenceNumber => Count == 0 ? default : this[Count - 1].SequenceNumber;

    /// <summary>Returns an allocation-free enumerator over the records.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>
    /// Copies the records out of the engine's storage: the copies stay valid for as long as you keep them. All their
    /// bytes share one new array.
    /// </summary>
    /// <returns>The records, in order.</returns>
    /// <exception cref="InvalidOperationException">The batch is stale: its reader read again or was disposed.</exception>
    public OwnedRecord[] ToArray()
    {
        StreamRecord.ThrowIfStale(_pin, _version);
        if (Count == 0)
        {
            return [];
        }

        int total = 0;
        foreach (StreamRecord record in this)
        {
            total += record.PartitionKeyUtf8.Length + record.Data.Length;
        }

        byte[] bytes = GC.AllocateUninitializedArray<byte>(total);
        var records = new OwnedRecord[Count];
        int offset = 0, i = 0;
        foreach (StreamRecord record in this)
        {
            records[i++] = record.CopyInto(bytes, ref offset);
        }

        return records;
    }

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
        public readonly StreamRecord Current => new(_batch._shard!, _batch._slice.Segment, _batch._slice.FirstSlot + _index, _batch._plaintext, _index, _batch._pin, _batch._version);

        /// <summary>Advances to the next record.</summary>
        /// <returns><see langword="false"/> after the last record.</returns>
        /// <exception cref="InvalidOperationException">The batch is stale: its reader read again or was disposed.</exception>
        public bool MoveNext()
        {
            StreamRecord.ThrowIfStale(_batch._pin, _batch._version);
            return ++_index < _batch.Count;
        }
    }
}

/// <summary>
/// One record of a <see cref="RecordBatch"/>: a view over the engine's storage, not a copy, valid as long as its
/// batch (see <see cref="RecordBatch"/>); <see cref="Copy"/> keeps it longer.
/// </summary>
public readonly struct StreamRecord
{
    private readonly ShardState _shard;
    private readonly LogSegment _segment;
    private readonly int _slot;
    private readonly DecryptedRecords? _plaintext;
    private readonly int _indexInBatch;
    private readonly LogPin? _pin;
    private readonly int _version;

    internal StreamRecord(ShardState shard, LogSegment segment, int slot, DecryptedRecords? plaintext = null, int indexInBatch = 0, LogPin? pin = null, int version = 0)
    {
        _shard = shard;
        _segment = segment;
        _slot = slot;
        _plaintext = plaintext;
        _indexInBatch = indexInBatch;
        _pin = pin;
        _version = version;
    }

    /// <summary>The record's sequence number.</summary>
    /// <exception cref="InvalidOperationException">The record's batch is stale: its reader read again or was disposed.</exception>
    public SequenceNumber SequenceNumber => _shard.SequenceNumberAt(_segment.BaseIndex + _slot, Entry.ArrivalMs);

    /// <summary>When the engine accepted the record (Kinesis's ApproximateArrivalTimestamp, millisecond precision).</summary>
    /// <exception cref="InvalidOperationException">The record's batch is stale: its reader read again or was disposed.</exception>
    public DateTimeOffset ApproximateArrivalTimestamp => DateTimeOffset.FromUnixTimeMilliseconds(Entry.ArrivalMs);

    /// <summary>The payload, without a copy (on an encrypted stream, decrypted by the reader that returned the batch).</summary>
    /// <exception cref="InvalidOperationException">The record's batch is stale: its reader read again or was disposed.</exception>
    public ReadOnlyMemory<byte> Data => _plaintext is not null && Checked(_plaintext).TryGet(_indexInBatch, out ReadOnlyMemory<byte> plaintext) ? plaintext : StoredData;

    /// <summary>The payload as stored: ciphertext for a record written to an encrypted stream.</summary>
    internal ReadOnlyMemory<byte> StoredData
    {
        get
        {
            ref readonly RecordEntry e = ref Entry;
            return new ReadOnlyMemory<byte>(_segment.Arena, e.Offset + e.KeyLength, e.DataLength);
        }
    }

    /// <summary>1 for a plain record; 2 + n for one encrypted with the stream's n-th key.</summary>
    internal int Kind => Entry.Kind;

    /// <summary>
    /// Whether <see cref="Data"/> may be a KPL aggregate: the stored payload starts with the aggregate's magic (tagged at
    /// append, so the payload is not touched here), or it is encrypted (the tag saw ciphertext). False means certainly not.
    /// </summary>
    internal bool MayBeAggregate
    {
        get
        {
            ref readonly RecordEntry e = ref Entry;
            return e.StartsWithAggregateMagic || e.Kind >= 2;
        }
    }

    /// <summary>Whether the record was stored encrypted (its <see cref="Data"/> is the plaintext the engine decrypted).</summary>
    internal bool WasEncrypted => Kind >= 2;

    /// <summary>The partition key's UTF-8 bytes, without a copy.</summary>
    /// <exception cref="InvalidOperationException">The record's batch is stale: its reader read again or was disposed.</exception>
    public ReadOnlyMemory<byte> PartitionKeyUtf8
    {
        get
        {
            ref readonly RecordEntry e = ref Entry;
            return new ReadOnlyMemory<byte>(_segment.Arena, e.Offset, e.KeyLength);
        }
    }

    /// <summary>The partition key, decoded into a new string on each call.</summary>
    /// <exception cref="InvalidOperationException">The record's batch is stale: its reader read again or was disposed.</exception>
    public string PartitionKey => Encoding.UTF8.GetString(PartitionKeyUtf8.Span);

    /// <summary>Copies the record out of the engine's storage (one allocation): the copy stays valid for as long as you keep it.</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="InvalidOperationException">The record's batch is stale: its reader read again or was disposed.</exception>
    public OwnedRecord Copy()
    {
        byte[] bytes = GC.AllocateUninitializedArray<byte>(PartitionKeyUtf8.Length + Data.Length);
        int offset = 0;
        return CopyInto(bytes, ref offset);
    }

    internal OwnedRecord CopyInto(byte[] bytes, ref int offset)
    {
        ReadOnlySpan<byte> key = PartitionKeyUtf8.Span;
        ReadOnlySpan<byte> data = Data.Span;
        key.CopyTo(bytes.AsSpan(offset));
        data.CopyTo(bytes.AsSpan(offset + key.Length));
        var copy = new OwnedRecord(_shard.Id, SequenceNumber, ApproximateArrivalTimestamp, new ReadOnlyMemory<byte>(bytes, offset, key.Length), new ReadOnlyMemory<byte>(bytes, offset + key.Length, data.Length));
        offset += key.Length + data.Length;
        return copy;
    }

    private ref readonly RecordEntry Entry
    {
        get
        {
            ThrowIfStale(_pin, _version);
            return ref _segment.Entries[_slot];
        }
    }

    private T Checked<T>(T value)
    {
        ThrowIfStale(_pin, _version);
        return value;
    }

    /// <summary>Throws when <paramref name="pin"/> no longer holds what was handed out under <paramref name="version"/>.</summary>
    internal static void ThrowIfStale(LogPin? pin, int version)
    {
        if (pin is not null && pin.HeldVersion != version)
        {
            ThrowStale();
        }
    }

    [DoesNotReturn]
    private static void ThrowStale() => throw new InvalidOperationException(
        "This RecordBatch is no longer valid: the ShardReader that returned it has read again or was disposed, and its storage may now hold other records. Use a batch before the next read, or copy what you keep (RecordBatch.ToArray, StreamRecord.Copy).");
}

/// <summary>A record copied out of the engine's storage (<see cref="StreamRecord.Copy"/>, <see cref="RecordBatch.ToArray"/>): it owns its bytes.</summary>
public readonly struct OwnedRecord
{
    internal OwnedRecord(ShardId shardId, SequenceNumber sequenceNumber, DateTimeOffset approximateArrivalTimestamp, ReadOnlyMemory<byte> partitionKeyUtf8, ReadOnlyMemory<byte> data)
    {
        ShardId = shardId;
        SequenceNumber = sequenceNumber;
        ApproximateArrivalTimestamp = approximateArrivalTimestamp;
        PartitionKeyUtf8 = partitionKeyUtf8;
        Data = data;
    }

    /// <summary>The shard the record was read from.</summary>
    public ShardId ShardId { get; }

    /// <summary>The record's sequence number.</summary>
    public SequenceNumber SequenceNumber { get; }

    /// <summary>When the engine accepted the record (millisecond precision).</summary>
    public DateTimeOffset ApproximateArrivalTimestamp { get; }

    /// <summary>The partition key's UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> PartitionKeyUtf8 { get; }

    /// <summary>The payload (decrypted, on an encrypted stream).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The partition key, decoded into a new string on each call.</summary>
    public string PartitionKey => Encoding.UTF8.GetString(PartitionKeyUtf8.Span);
}
