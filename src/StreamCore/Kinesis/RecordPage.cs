using System.Text;
using StreamCore.Engine;

namespace StreamCore.Kinesis;

/// <summary>
/// The records of one GetRecords response, copied out of the engine's storage into a few arrays (one for all keys and
/// payloads): a <see cref="Record"/> of the response reads its sequence number, payload and partition key from here
/// when they are first asked for, so a response costs one small object per record rather than four. Immutable once
/// built; safe to read from any thread.
/// </summary>
internal sealed class RecordPage
{
    private readonly long _creationSeconds;
    private readonly int _shardIndex;
    private readonly byte[] _bytes;
    private readonly int[] _offsets;
    private readonly int[] _keyLengths;
    private readonly long[] _sequenceIndices;
    private readonly long[] _arrivalSeconds;
    private string[]? _sequenceNumbers;

    private RecordPage(long creationSeconds, int shardIndex, byte[] bytes, int[] offsets, int[] keyLengths, long[] sequenceIndices, long[] arrivalSeconds)
    {
        _creationSeconds = creationSeconds;
        _shardIndex = shardIndex;
        _bytes = bytes;
        _offsets = offsets;
        _keyLengths = keyLengths;
        _sequenceIndices = sequenceIndices;
        _arrivalSeconds = arrivalSeconds;
    }

    public int Count => _keyLengths.Length;

    public SequenceNumber SequenceNumberAt(int index) => new(_creationSeconds, _shardIndex, _sequenceIndices[index], _arrivalSeconds[index]);

    /// <summary>
    /// Record <paramref name="index"/>'s sequence number as text. The first call formats the whole page, each number
    /// from the one before (<see cref="SequenceNumberFormatter"/>): a consumer that reads one reads them all.
    /// </summary>
    public string SequenceNumberText(int index)
    {
        string[]? texts = Volatile.Read(ref _sequenceNumbers);
        if (texts is null)
        {
            texts = new string[Count];
            var formatter = new SequenceNumberFormatter();
            for (int i = 0; i < texts.Length; i++)
            {
                texts[i] = formatter.FormatToString(SequenceNumberAt(i));
            }

            texts = Interlocked.CompareExchange(ref _sequenceNumbers, texts, null) ?? texts;
        }

        return texts[index];
    }

    public ReadOnlySpan<byte> PartitionKeyUtf8(int index) => _bytes.AsSpan(_offsets[index], _keyLengths[index]);

    public ReadOnlySpan<byte> Data(int index) => _bytes.AsSpan(_offsets[index] + _keyLengths[index], _offsets[index + 1] - _offsets[index] - _keyLengths[index]);

    /// <summary>Record <paramref name="index"/>'s payload as read-only memory over the page's bytes (no copy, no stream).</summary>
    public ReadOnlyMemory<byte> DataMemory(int index) => _bytes.AsMemory(_offsets[index] + _keyLengths[index], _offsets[index + 1] - _offsets[index] - _keyLengths[index]);

    public string PartitionKey(int index) => Encoding.UTF8.GetString(PartitionKeyUtf8(index));

    /// <summary>A read-only stream over record <paramref name="index"/>'s payload (its own view; the bytes are shared).</summary>
    public MemoryStream DataStream(int index)
    {
        int offset = _offsets[index] + _keyLengths[index];
        return new MemoryStream(_bytes, offset, _offsets[index + 1] - offset, writable: false, publiclyVisible: false);
    }

    /// <summary>
    /// Collects a GetRecords call's records while the engine holds its storage (a reused per-thread scratch), then
    /// builds the page and its records with exact-size arrays.
    /// </summary>
    internal sealed class Builder
    {
        [ThreadStatic]
        private static Builder? t_cached;

        private byte[] _bytes = new byte[64 * 1024];
        private int[] _offsets = new int[257];
        private int[] _keyLengths = new int[256];
        private long[] _sequenceIndices = new long[256];
        private long[] _arrivalSeconds = new long[256];
        private long[] _arrivalMs = new long[256];
        private bool[] _encrypted = new bool[256];
        private int _count;
        private int _used;

        public static Builder Rent()
        {
            Builder builder = t_cached ?? new Builder();
            t_cached = null;
            builder._count = 0;
            builder._used = 0;
            return builder;
        }

        public static void Return(Builder builder) => t_cached = builder;

        /// <summary>Copies one record (called under the engine's pin; the storage may be recycled afterwards).</summary>
        public void Add(StreamRecord record)
        {
            if (_count == _keyLengths.Length)
            {
                int size = _count * 2;
                Array.Resize(ref _offsets, size + 1);
                Array.Resize(ref _keyLengths, size);
                Array.Resize(ref _sequenceIndices, size);
                Array.Resize(ref _arrivalSeconds, size);
                Array.Resize(ref _arrivalMs, size);
                Array.Resize(ref _encrypted, size);
            }

            ReadOnlySpan<byte> key = record.PartitionKeyUtf8.Span;
            ReadOnlySpan<byte> data = record.Data.Span;
            if (_bytes.Length - _used < key.Length + data.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + key.Length + data.Length));
            }

            SequenceNumber sequenceNumber = record.SequenceNumber;
            _offsets[_count] = _used;
            key.CopyTo(_bytes.AsSpan(_used));
            data.CopyTo(_bytes.AsSpan(_used + key.Length));
            _used += key.Length + data.Length;
            _keyLengths[_count] = key.Length;
            _sequenceIndices[_count] = sequenceNumber.SequenceIndex;
            _arrivalSeconds[_count] = sequenceNumber.ArrivalSeconds;
            _arrivalMs[_count] = record.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds();
            _encrypted[_count] = record.WasEncrypted;
            _count++;
        }

        /// <summary>The records collected, in order, each backed by one shared page.</summary>
        public List<Record> ToRecords(ShardState shard)
        {
            int n = _count;
            var records = new List<Record>(n);
            if (n == 0)
            {
                return records;
            }

            _offsets[n] = _used;
            var page = new RecordPage(shard.CreationSeconds, shard.Id.Index, _bytes.AsSpan(0, _used).ToArray(), _offsets.AsSpan(0, n + 1).ToArray(), _keyLengths.AsSpan(0, n).ToArray(), _sequenceIndices.AsSpan(0, n).ToArray(), _arrivalSeconds.AsSpan(0, n).ToArray());
            for (int i = 0; i < n; i++)
            {
                records.Add(new Record(page, i, DateTime.UnixEpoch.AddMilliseconds(_arrivalMs[i]), _encrypted[i] ? EncryptionType.KMS : EncryptionType.NONE));
            }

            return records;
        }
    }
}
