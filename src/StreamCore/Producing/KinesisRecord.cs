using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using StreamCore.Aggregation;
using StreamCore.Connectors;
using static StreamCore.Aggregation.AggregatedRecordFormat;

namespace StreamCore.Producing;

/// <summary>
/// One Kinesis record on its way: a KPL aggregate being filled for one predicted shard, or a user record sent alone.
/// Filled under the producer's lock; encoded and sent outside it. Reused (<see cref="KinesisRecordPool"/>) once final,
/// with its lists' capacity, so filling one allocates nothing in steady state.
/// </summary>
internal sealed class KinesisRecord
{
    /// <summary>Unique per use (a reused record gets a new one): a <see cref="ProducerKey"/> names the aggregate it is in by it.</summary>
    public long Serial;

    // The records section: concatenated `records` fields (aggregates), or the lone record's data.
    public byte[] Buffer;
    public int Length;

    // Key tables, in index order (aggregates only).
    public readonly List<string> PartitionKeys = [];
    public readonly List<string> ExplicitHashKeys = [];
    public int TablesSize;

    public readonly List<UserRecordCompletion> UserRecords = [];

    // The first user record: a lone record is sent with its own keys; an aggregate with partition key "a" and the
    // first record's hash key as its explicit hash key, so it lands on the predicted shard.
    public string FirstPartitionKey = string.Empty;
    public int FirstPartitionKeyBytes;
    public string? FirstExplicitHashKey;
    public int FirstDataOffset;
    public int FirstDataLength;

    public ShardId? PredictedShard;
    public long ArrivalTimestamp;
    public long DeadlineTimestamp;
    public long ExpiryTimestamp;

    public ShardId StoredShard;
    public SequenceNumber StoredSequenceNumber;

    public int Attempts;
    public string? LastErrorCode;
    public string? LastErrorMessage;
    public Exception? LastError;

    public byte[]? Encoded;
    public int EncodedLength;

    /// <summary>The flush generation of the user records, when they all share one (<see cref="MixedGenerations"/> false).</summary>
    public long Generation;
    public bool MixedGenerations;

    private readonly AggregateBufferPool _pool;

    public KinesisRecord(AggregateBufferPool pool)
    {
        _pool = pool;
        Buffer = [];
    }

    public int Count => UserRecords.Count;

    public bool IsAggregate => UserRecords.Count > 1;

    public UInt128 FirstHashKey => UserRecords[0].HashKey;

    /// <summary>The size Kinesis counts (data plus partition key), once encoded; an upper bound while filling.</summary>
    public int Size => IsAggregate ? Overhead + TablesSize + Length + 1 : FirstDataLength + FirstPartitionKeyBytes;

    /// <summary>The user data and key bytes it carries.</summary>
    public long UserBytes;

    /// <summary>Takes a user record in (its bytes and flush generation are summed here, so releasing needs no walk over them).</summary>
    public void Add(UserRecordCompletion completion)
    {
        if (UserRecords.Count == 0)
        {
            Generation = completion.Generation;
        }
        else if (completion.Generation != Generation)
        {
            MixedGenerations = true;
        }

        UserRecords.Add(completion);
        UserBytes += completion.Bytes;
    }

    public void EnsureCapacity(int needed)
    {
        if (Length + needed > Buffer.Length)
        {
            byte[] larger = _pool.Rent(Math.Max(Buffer.Length * 2, Length + needed));
            Buffer.AsSpan(0, Length).CopyTo(larger);
            _pool.Return(Buffer);
            Buffer = larger;
        }
    }

    /// <summary>Builds the record as it goes out (encoding an aggregate once: tables, records, MD5 trailer).</summary>
    public SinkRecord ToSinkRecord()
    {
        if (!IsAggregate)
        {
            return new SinkRecord(FirstPartitionKey, FirstExplicitHashKey is null ? null : FirstHashKey, FirstExplicitHashKey, Buffer.AsMemory(FirstDataOffset, FirstDataLength)) { RouteHashKey = FirstHashKey };
        }

        if (EncodeWithoutDigest())
        {
            // Alone (the sender hashes the aggregates of a request together first): the platform's MD5.
            EncodedLength = Frame(Encoded, EncodedLength - Overhead);
        }

        return new SinkRecord("a", FirstHashKey, null, Encoded.AsMemory(0, EncodedLength));
    }

    /// <summary>
    /// Encodes an aggregate (magic, tables, records) once, leaving its MD5 trailer to be written: true if it did so now,
    /// false for a lone record or an aggregate already encoded (a retry sends the same bytes).
    /// </summary>
    [MemberNotNullWhen(true, nameof(Encoded))]
    public bool EncodeWithoutDigest()
    {
        if (!IsAggregate || Encoded is not null)
        {
            return false;
        }

        int protobufLength = TablesSize + Length;
        Encoded = _pool.Rent(Overhead + protobufLength);
        Span<byte> span = Encoded;
        int position = MagicLength;
        Span<byte> utf8 = stackalloc byte[256 * 3];
        foreach (string key in PartitionKeys)
        {
            int n = Encoding.UTF8.GetBytes(key, utf8);
            position += WriteField(span[position..], PartitionKeyTableTag, utf8[..n]);
        }

        foreach (string key in ExplicitHashKeys)
        {
            int n = Encoding.ASCII.GetBytes(key, utf8);
            position += WriteField(span[position..], ExplicitHashKeyTableTag, utf8[..n]);
        }

        Buffer.AsSpan(0, Length).CopyTo(span[position..]);
        EncodedLength = FrameWithoutDigest(span, protobufLength);
        return true;
    }

    /// <summary>What the MD5 trailer of an aggregate encoded by <see cref="EncodeWithoutDigest"/> covers.</summary>
    public ReadOnlySpan<byte> DigestedBytes => AggregatedRecordFormat.DigestedBytes(Encoded, EncodedLength);

    /// <summary>Writes the MD5 trailer of an aggregate encoded by <see cref="EncodeWithoutDigest"/>.</summary>
    public void WriteDigest(UInt128 digest) => AggregatedRecordFormat.WriteDigest(Encoded, EncodedLength, digest);

    /// <summary>The aggregate's bytes as sent (for taking it apart again).</summary>
    public ReadOnlyMemory<byte> EncodedData => Encoded.AsMemory(0, EncodedLength);

    /// <summary>
    /// Gives back its buffers once final (a small one stays with the record for its next use: a record sent alone would
    /// otherwise rent and return one per user record); the producer then returns it to its pool under its lock
    /// (<see cref="KinesisRecordPool.Return"/>). Nothing of it is read afterwards.
    /// </summary>
    public void Release()
    {
        if (Buffer.Length > KinesisRecordPool.KeptBufferBytes)
        {
            _pool.Return(Buffer);
            Buffer = [];
        }

        if (Encoded is not null)
        {
            _pool.Return(Encoded);
            Encoded = null;
        }

        Length = 0;
        PartitionKeys.Clear();
        ExplicitHashKeys.Clear();
        TablesSize = 0;
        UserRecords.Clear();
        FirstPartitionKey = string.Empty;
        FirstPartitionKeyBytes = 0;
        FirstExplicitHashKey = null;
        FirstDataOffset = FirstDataLength = 0;
        PredictedShard = null;
        StoredShard = default;
        StoredSequenceNumber = default;
        Attempts = 0;
        LastErrorCode = LastErrorMessage = null;
        LastError = null;
        EncodedLength = 0;
        UserBytes = 0;
        MixedGenerations = false;
    }

    /// <summary>Readies a record taken from the pool.</summary>
    internal void Reset(int capacity, long serial)
    {
        if (Buffer.Length < capacity)
        {
            _pool.Return(Buffer);
            Buffer = _pool.Rent(capacity);
        }

        Serial = serial;
    }
}

/// <summary>
/// Kinesis records once final, kept for reuse with their lists' capacity: an aggregate of a few hundred user records
/// would otherwise allocate its lists again (~40 B per user record), and a record sent alone a record object and
/// three lists per user record. Guarded by the producer's lock (records are rented while a user record is enqueued
/// and returned while results are settled, both under it), so it takes no lock of its own: a lock per record sent
/// alone cost ~10 % of that path.
/// </summary>
internal sealed class KinesisRecordPool(AggregateBufferPool buffers)
{
    /// <summary>A released record keeps a buffer up to this size (a lone user record's) for its next use.</summary>
    public const int KeptBufferBytes = 1024;

    private const int MaxKept = 1024;
    private readonly Stack<KinesisRecord> _free = new();

    /// <summary>Under the producer's lock.</summary>
    public KinesisRecord Rent(int capacity, long serial)
    {
        if (!_free.TryPop(out KinesisRecord? record))
        {
            record = new KinesisRecord(buffers);
        }

        record.Reset(capacity, serial);
        return record;
    }

    /// <summary>Takes back a released record (<see cref="KinesisRecord.Release"/>). Under the producer's lock.</summary>
    public void Return(KinesisRecord record)
    {
        if (_free.Count < MaxKept)
        {
            _free.Push(record);
        }
    }
}

/// <summary>
/// Buffers for aggregates, kept by the producer: a producer holds many aggregate-sized buffers at once (every
/// aggregate in flight, twice: records and encoded form), more than the shared pool keeps per size, which would
/// otherwise allocate (and zero) a fresh 64 KiB array per aggregate. Buffers of the usual size are kept; others go
/// to the shared pool.
/// </summary>
internal sealed class AggregateBufferPool(int size)
{
    private readonly Stack<byte[]> _free = new();

    public int Size => size;

    public byte[] Rent(int length)
    {
        if (length > size / 2 && length <= size)
        {
            lock (_free)
            {
                if (_free.TryPop(out byte[]? buffer))
                {
                    return buffer;
                }
            }

            return GC.AllocateUninitializedArray<byte>(size);
        }

        return ArrayPool<byte>.Shared.Rent(length);
    }

    public void Return(byte[] buffer)
    {
        if (buffer.Length == size)
        {
            lock (_free)
            {
                _free.Push(buffer);
            }
        }
        else if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
