using StreamCore.Storage;

namespace StreamCore.Benchmarks;

internal static class Fixtures
{
    /// <summary>An engine whose memory stays bounded however long a benchmark appends: oldest segments go first.</summary>
    public static StreamEngine BoundedEngine(long capBytes = 256L << 20, bool coarseClock = false) => new(new StreamEngineOptions
    {
        MaxRetainedBytes = capBytes,
        MemoryLimitPolicy = MemoryLimitPolicy.TrimOldest,
        UseCoarseClock = coarseClock,
    });

    public static byte[] Payload(int size = 100)
    {
        var bytes = new byte[size];
        new Random(42).NextBytes(bytes);
        return bytes;
    }
}
