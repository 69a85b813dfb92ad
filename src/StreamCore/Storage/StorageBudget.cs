using System.Collections.Concurrent;

namespace StreamCore.Storage;

/// <summary>What an engine does when its retained bytes reach <see cref="StreamEngineOptions.MaxRetainedBytes"/>.</summary>
public enum MemoryLimitPolicy
{
    /// <summary>
    /// Writes that need more memory fail with <c>ProvisionedThroughputExceededException</c> (a retryable
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
/// Accounts the memory of every shard log of one engine and pools the storage of reclaimed segments, so a log in
/// steady state (trimming as fast as it appends) allocates nothing. Charged per segment, never per record.
/// </summary>
internal sealed class StorageBudget
{
    private readonly long _cap;
    private readonly MemoryLimitPolicy _policy;
    private readonly long _maxPooledBytes;
    private readonly ConcurrentDictionary<ShardLog, byte> _logs = new();

    // Reclaimed storage by exact size: a log in steady state asks for the size it last used.
    private readonly ConcurrentDictionary<(int Slots, int Arena), ConcurrentBag<SegmentArrays>> _pool = new();
    private readonly Lock _trimLock = new();

    // Invariant: the sum of ChargedBytes of the segment storage linked into logs or waiting in a log's limbo.
    private long _retainedBytes;

    // Invariant: the sum of ChargedBytes of the storage in _pool.
    private long _pooledBytes;

    // Invariant: the part of _retainedBytes waiting in logs' limbo: trimmed, but still reachable by a reader. The cap
    // bounds _retainedBytes - _limboBytes + _pooledBytes; limbo is readers' overshoot (about one segment per reader),
    // returned as soon as they move on.
    private long _limboBytes;

    private long _recycled;

    // How long an append under TrimOldest waits for producers in flight (SpinWait iterations: a few milliseconds of
    // yields and sleeps) before it reports the cap reached.
    private const int MaxWriterWaitSpins = 200;

    // Reclaimers of released logs that still had storage in limbo (a reader's batch, a writer in flight); retried by
    // the engine's sweep until they are empty.
    private readonly ConcurrentDictionary<SegmentReclaimer, byte> _draining = new();

#if DEBUG
    // The arrays in _pool, by identity: storage must never be pooled twice or be pooled while a log links it.
    private readonly HashSet<RecordEntry[]> _pooledEntries = new(ReferenceEqualityComparer.Instance);
#endif

    public StorageBudget(long? cap, MemoryLimitPolicy policy, int segmentSlots = 8192, int segmentArenaBytes = 1024 * 1024)
    {
        _cap = cap ?? long.MaxValue;
        _policy = policy;

        // Enough for a few rolls of busy shards between sweeps, without holding more than ~64 MiB idle.
        _maxPooledBytes = Math.Max(64L << 20, 4 * SegmentArrays.Charge(segmentSlots, segmentArenaBytes));
    }

    /// <summary>Bytes of storage holding records (or held back for readers).</summary>
    public long RetainedBytes => Volatile.Read(ref _retainedBytes);

    /// <summary>Bytes of reclaimed storage kept for reuse.</summary>
    public long PooledBytes => Volatile.Read(ref _pooledBytes);

    public long Cap => _cap;

    public MemoryLimitPolicy Policy => _policy;

    public long LimboBytes => Volatile.Read(ref _limboBytes);

    /// <summary>How many segments' storage has gone back to the pool for reuse (a diagnostic for tests).</summary>
    public long RecycledSegments => Volatile.Read(ref _recycled);

    public void EnterLimbo(long bytes) => Interlocked.Add(ref _limboBytes, bytes);

    public void LeaveLimbo(long bytes) => Interlocked.Add(ref _limboBytes, -bytes);

    public void Register(ShardLog log) => _logs.TryAdd(log, 0);

    public void Unregister(ShardLog log) => _logs.TryRemove(log, out _);

    /// <summary>Keeps retrying the reclaimer of a released log until its limbo is empty (see <see cref="ReclaimReleased"/>).</summary>
    public void Drain(SegmentReclaimer reclaimer)
    {
        if (reclaimer.LimboCount > 0)
        {
            _draining.TryAdd(reclaimer, 0);
        }
    }

    /// <summary>Gives back what released logs held back for readers or writers that have since moved on.</summary>
    public void ReclaimReleased()
    {
        foreach (SegmentReclaimer reclaimer in _draining.Keys)
        {
            reclaimer.Reclaim();
            if (reclaimer.LimboCount == 0)
            {
                _draining.TryRemove(reclaimer, out _);
            }
        }
    }

    /// <summary>Whether <paramref name="arrays"/> sit in the pool (Debug builds track this; Release says false).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Debug builds read instance state.")]
    internal bool IsPooled(SegmentArrays arrays)
    {
#if DEBUG
        lock (_pooledEntries)
        {
            return _pooledEntries.Contains(arrays.Entries);
        }
#else
        _ = arrays;
        return false;
#endif
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private void AssertInvariants()
    {
        // Read without a lock while others may be moving bytes between counters: only what holds at every instant.
        StorageInvariant.Assert(Volatile.Read(ref _pooledBytes) >= 0, "pooled bytes >= 0");
        StorageInvariant.Assert(Volatile.Read(ref _limboBytes) >= 0, "limbo bytes >= 0");
        StorageInvariant.Assert(Volatile.Read(ref _retainedBytes) >= 0, "retained bytes >= 0");
    }

    [System.Diagnostics.Conditional("DEBUG")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Debug builds read instance state.")]
    private void TrackPooled(SegmentArrays arrays, bool pooled)
    {
#if DEBUG
        lock (_pooledEntries)
        {
            bool changed = pooled ? _pooledEntries.Add(arrays.Entries) : _pooledEntries.Remove(arrays.Entries);
            StorageInvariant.Assert(changed, pooled ? "storage was pooled twice" : "storage taken from the pool was not in it");
        }
#else
        _ = arrays;
        _ = pooled;
#endif
    }

    /// <summary>
    /// Returns storage for a new segment: pooled storage of that size when there is some, else newly charged; applies
    /// the policy when the cap would be exceeded. Must be called with no log's roll lock held: trimming takes them.
    /// </summary>
    public SegmentArrays? Acquire(int slots, int arenaBytes)
    {
        AssertInvariants();
        Interleaving.Point("budget.acquire");
        long bytes = SegmentArrays.Charge(slots, arenaBytes);
        SpinWait writerWait = default;
        while (true)
        {
            if (_pool.TryGetValue((slots, arenaBytes), out ConcurrentBag<SegmentArrays>? bag) && bag.TryTake(out SegmentArrays pooled))
            {
                TrackPooled(pooled, pooled: false);
                Interlocked.Add(ref _pooledBytes, -bytes);
                Interlocked.Add(ref _retainedBytes, bytes);
                return pooled;
            }

            long current = Volatile.Read(ref _retainedBytes);
            if (current - Volatile.Read(ref _limboBytes) + Volatile.Read(ref _pooledBytes) + bytes <= _cap)
            {
                if (Interlocked.CompareExchange(ref _retainedBytes, current + bytes, current) == current)
                {
                    return SegmentArrays.Allocate(slots, arenaBytes);
                }

                continue;
            }

            // Idle pooled storage gives way before any record does.
            if (TryEvictPooled())
            {
                continue;
            }

            if (_policy == MemoryLimitPolicy.RejectWrites)
            {
                return null;
            }

            Interleaving.Point("budget.trim-oldest");
            TrimOutcome trimmed = TrimOldestSegment();
            if (trimmed is TrimOutcome.WritersInFlight or TrimOutcome.Raced && writerWait.Count < MaxWriterWaitSpins)
            {
                // Only segments with a producer between its reservation and its publication are left: they are not
                // trimmed (its copy would land in recycled storage). It is microseconds from done; wait for it. Or
                // the chosen segment was freed by someone else first (an expiry trim, a release): look again.
                Interleaving.Point("budget.wait-for-writer");
                writerWait.SpinOnce();
                continue;
            }

            if (trimmed != TrimOutcome.Trimmed)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Takes back storage no reader can reach any more: pooled (cleared) when the pool has room and pooling keeps live
    /// plus pooled storage within the cap; otherwise left to the GC.
    /// </summary>
    public void Reclaim(SegmentArrays arrays)
    {
        long bytes = arrays.ChargedBytes;
        long live = Interlocked.Add(ref _retainedBytes, -bytes) - Volatile.Read(ref _limboBytes);
        AssertInvariants();
        long pooled = Volatile.Read(ref _pooledBytes);
        if (arrays.Entries.Length > 0 && pooled + bytes <= _maxPooledBytes && live + pooled + bytes <= _cap)
        {
            Array.Clear(arrays.Entries); // every slot unpublished again
            TrackPooled(arrays, pooled: true);
            Interlocked.Add(ref _pooledBytes, bytes);
            Interlocked.Increment(ref _recycled);
            _pool.GetOrAdd((arrays.Entries.Length, arrays.Arena.Length), static _ => []).Add(arrays);
        }
    }

    private bool TryEvictPooled()
    {
        foreach (ConcurrentBag<SegmentArrays> bag in _pool.Values)
        {
            if (bag.TryTake(out SegmentArrays idle))
            {
                TrackPooled(idle, pooled: false);
                Interlocked.Add(ref _pooledBytes, -idle.ChargedBytes);
                return true;
            }
        }

        return false;
    }

    private TrimOutcome TrimOldestSegment()
    {
        lock (_trimLock)
        {
            ShardLog? oldest = null;
            long oldestArrival = long.MaxValue;
            bool writersInFlight = false;
            foreach (ShardLog log in _logs.Keys)
            {
                long arrival = log.OldestTrimmableArrivalMs(out bool writerInFlight);
                writersInFlight |= writerInFlight;
                if (arrival < oldestArrival)
                {
                    oldestArrival = arrival;
                    oldest = log;
                }
            }

            if (oldest is not null)
            {
                // Not dropped: its head went away between the choice and the drop (an expiry trim or a release
                // freed it, outside this lock), so there may be room now, or another log to trim.
                return oldest.DropOldestSegment() ? TrimOutcome.Trimmed : TrimOutcome.Raced;
            }

            return writersInFlight ? TrimOutcome.WritersInFlight : TrimOutcome.NothingToTrim;
        }
    }

    private enum TrimOutcome
    {
        Trimmed,
        NothingToTrim,

        /// <summary>Nothing could be trimmed now, but a segment will be once a producer in flight publishes.</summary>
        WritersInFlight,

        /// <summary>The segment chosen was freed by someone else before it could be dropped: look again.</summary>
        Raced,
    }
}
