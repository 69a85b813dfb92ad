using StreamCore.Buckets;

namespace StreamCore.Delivery.Buffering;

/// <summary>What every pipeline of one <see cref="Firehose"/> shares: the engine's clock, the bucket store, randomness, metrics.</summary>
internal sealed class DeliveryContext(StreamEngine engine, BucketStore buckets, Random random, FirehoseMetrics metrics, TimeSpan maxS3Retry)
{
    private readonly Lock _randomLock = new();

    public StreamEngine Engine { get; } = engine;

    public TimeProvider Time => Engine.Time;

    public long NowMs => Engine.NowMs;

    public BucketStore Buckets { get; } = buckets;

    public FirehoseMetrics Metrics { get; } = metrics;

    /// <summary>How long a failing S3 write is retried before its records are given up (Firehose: 24 hours).</summary>
    public TimeSpan MaxS3Retry { get; } = maxS3Retry;

    private const string Alphanumerics = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public string RandomString(int length)
    {
        Span<char> chars = stackalloc char[length];
        lock (_randomLock)
        {
            for (int i = 0; i < length; i++)
            {
                chars[i] = Alphanumerics[random.Next(Alphanumerics.Length)];
            }
        }

        return new string(chars);
    }

    /// <summary>A random version-4 UUID in its lowercase 8-4-4-4-12 form (the object suffix's uuid).</summary>
    public string Uuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_randomLock)
        {
            random.NextBytes(bytes);
        }

        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }

    public long NextInt64()
    {
        lock (_randomLock)
        {
            return random.NextInt64(long.MaxValue);
        }
    }
}
