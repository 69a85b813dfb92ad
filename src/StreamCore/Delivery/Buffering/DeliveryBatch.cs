using System.Buffers;

namespace StreamCore.Delivery.Buffering;

/// <summary>What a buffer holds: records for the destination, failed records for the error prefix, or source records for the backup.</summary>
internal enum BatchKind
{
    Data,
    Errors,
    Backup,
}

/// <summary>One incoming record: its bytes and the engine time it arrived.</summary>
internal readonly record struct IncomingRecord(ReadOnlyMemory<byte> Data, long ArrivalMs);

/// <summary>
/// The records of one future S3 object, concatenated in a pooled array as they will be written (delimiters included),
/// with the settings and version they were buffered under. Detached from its buffer whole, it becomes the unit the
/// writer delivers: its key is fixed at the first attempt, so a retry rewrites the same object and never duplicates.
/// </summary>
internal sealed class DeliveryBatch
{
    private byte[] _buffer;

    public DeliveryBatch(S3Settings settings, long version, BatchKind kind, string? errorOutputType, IReadOnlyDictionary<string, string>? partitionKeys, long firstArrivalMs, int initialBytes)
    {
        Settings = settings;
        Version = version;
        Kind = kind;
        ErrorOutputType = errorOutputType;
        PartitionKeys = partitionKeys;
        OldestArrivalMs = firstArrivalMs;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialBytes, 256));
    }

    public S3Settings Settings { get; }

    public long Version { get; }

    public BatchKind Kind { get; }

    public string? ErrorOutputType { get; }

    public IReadOnlyDictionary<string, string>? PartitionKeys { get; }

    public long OldestArrivalMs { get; private set; }

    public int Count { get; private set; }

    public int Length { get; private set; }

    /// <summary>The object key, chosen at the first delivery attempt.</summary>
    public string? Key { get; set; }

    /// <summary>The object's bytes (compressed as the settings say), made at the first attempt and kept for retries.</summary>
    public ReadOnlyMemory<byte>? Object { get; set; }

    /// <summary>Delivery attempts made so far.</summary>
    public int Attempts { get; set; }

    /// <summary>The engine time of the first attempt (retries end <see cref="DeliveryContext.MaxS3Retry"/> after it).</summary>
    public long FirstAttemptMs { get; set; }

    /// <summary>The wait before the next attempt after a failure (doubling up to a maximum).</summary>
    public TimeSpan Backoff { get; set; }

    public ReadOnlyMemory<byte> Content => _buffer.AsMemory(0, Length);

    public void Append(ReadOnlySpan<byte> data, long arrivalMs, bool delimiter)
    {
        int needed = Length + data.Length + (delimiter ? 1 : 0);
        if (needed > _buffer.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(Length));
        Length += data.Length;
        if (delimiter)
        {
            _buffer[Length++] = (byte)'\n';
        }

        OldestArrivalMs = Count == 0 ? arrivalMs : Math.Min(OldestArrivalMs, arrivalMs);
        Count++;
    }

    /// <summary>Returns the array to the pool; the batch is not used afterwards.</summary>
    public void Release()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        Object = null;
        Length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
