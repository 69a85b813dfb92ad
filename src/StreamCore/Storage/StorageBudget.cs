using System.Collections.Concurrent;

namespace StreamCore.Storage;

/// <summary>What an engine does when its retained bytes reach <see cref="StreamEngineOptions.MaxRetainedBytes"/>.</summary>
public enum MemoryLimitPolicy
{
    /// <summary>
    /// Writes that need more memory fail with <see cref="ProvisionedThroughputExceededException"/> (a retryable
    /// error every Kinesis client already backs off on) until retention or deletion frees memory. No data is lost.
    /// </summary>
    RejectWrites = 0,

    /// <summary>
    /// The oldest segments of the engine (across all shards) are trimmed, before retention would trim them,
    /// until the new data fits. Readers behind the trim continue from the new trim horizon.
    /// </summary>
    TrimOldest = 1,
}

/// <summary>
/// Accounts the memory of every shard log of one engine. Charged per segment (not per record), so the append
/// hot path never touches it.
/// </summary>
internal sealed class StorageBudget
{
    private readonly long _cap;
    private readonly MemoryLimitPolicy _policy;
    private readonly ConcurrentDictionary<ShardLog, byte> _logs = new();
    private readonly Lock _trimLock = new();

    // Invariant: the sum of ChargedBytes of every segment linked into a live log of this engine.
    private long _retainedBytes;

    public StorageBudget(long? cap, MemoryLimitPolicy policy)
    {
        _cap = cap ?? long.MaxValue;
        _policy = policy;
    }

    public long RetainedBytes => Volatile.Read(ref _retainedBytes);

    public long Cap => _cap;

    public void Register(ShardLog log) => _logs.TryAdd(log, 0);

    public void Unregister(ShardLog log)
    {
        if (_logs.TryRemove(log, out _))
        {
            Release(log.ChargedBytes);
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _retainedBytes, -bytes);

    /// <summary>
    /// Charges a new segment; applies the policy when the cap would be exceeded. Must be called with no log's
    /// roll lock held: trimming takes other logs' roll locks.
    /// </summary>
    public bool TryCharge(long bytes)
    {
        while (true)
        {
            long current = Volatile.Read(ref _retainedBytes);
            if (current + bytes <= _cap)
            {
                if (Interlocked.CompareExchange(ref _retainedBytes, current + bytes, current) == current)
                {
                    return true;
                }

                continue;
            }

            if (_policy == MemoryLimitPolicy.RejectWrites || !TrimOldestSegment())
            {
                return false;
            }
        }
    }

    private bool TrimOldestSegment()
    {
        lock (_trimLock)
        {
            ShardLog? oldest = null;
            long oldestArrival = long.MaxValue;
            foreach (ShardLog log in _logs.Keys)
            {
                long arrival = log.OldestTrimmableArrivalMs();
                if (arrival < oldestArrival)
                {
                    oldestArrival = arrival;
                    oldest = log;
                }
            }

            return oldest is not null && oldest.DropOldestSegment();
        }
    }
}
