namespace StreamCore.Analytics;

/// <summary>
/// The stream's event-time watermark from its partitions (shards): each partition's is bounded out-of-orderness,
/// <c>max seen - d - 1</c> (Flink's <c>BoundedOutOfOrdernessWatermarks</c>), never below the floor it was handed at a
/// reshard (its parents' watermark); the stream's is the minimum over active partitions, and never goes back. A
/// partition with no event for the idleness timeout stops holding it back; when every partition is idle the
/// watermark follows the clock (<c>now - d - 1</c>) if asked, so windows close with no new traffic. When every
/// partition has ended (end of input) it is +infinity, which fires every window. Single-threaded.
/// </summary>
internal sealed class WatermarkTracker
{
    private readonly long _outOfOrderness;
    private readonly long _idleTimeout;
    private readonly bool _advanceWhenIdle;
    private readonly List<Partition> _partitions = [];
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private int _live;

    public WatermarkTracker(long outOfOrderness, long idleTimeout, bool advanceWhenIdle)
    {
        _outOfOrderness = outOfOrderness;
        _idleTimeout = idleTimeout;
        _advanceWhenIdle = advanceWhenIdle;
    }

    /// <summary>The stream's watermark: no event at or below it is expected any more.</summary>
    public long Current { get; private set; } = long.MinValue;

    public int LiveCount => _live;

    /// <summary>Opens a partition (a shard) at <paramref name="now"/>, starting at its parents' watermark when it has parents.</summary>
    public int Open(string name, IReadOnlyList<string>? parents, long now)
    {
        if (_byName.TryGetValue(name, out int existing))
        {
            return existing;
        }

        long floor = long.MinValue;
        if (parents is { Count: > 0 })
        {
            floor = long.MaxValue;
            foreach (string parent in parents)
            {
                floor = Math.Min(floor, _byName.TryGetValue(parent, out int p) ? _partitions[p].Watermark(_outOfOrderness) : Current);
            }
        }

        _partitions.Add(new Partition { Name = name, Floor = floor, LastActive = now });
        _byName[name] = _partitions.Count - 1;
        _live++;
        return _partitions.Count - 1;
    }

    public bool TryGet(string name, out int partition) => _byName.TryGetValue(name, out partition);

    /// <summary>Records an event time seen on a partition; returns the stream watermark after it.</summary>
    public void Observe(int partition, long timestamp)
    {
        Partition p = _partitions[partition];
        if (timestamp > p.MaxSeen)
        {
            p.MaxSeen = timestamp;
        }
    }

    public void Touch(int partition, long now)
    {
        Partition p = _partitions[partition];
        p.LastActive = now;
        p.Idle = false;
    }

    /// <summary>
    /// Ends a partition: a closed shard read to its end hands its watermark to its children (
    /// it stops counting but its watermark stays as their floor), the end of input counts as +infinity.
    /// </summary>
    public void End(int partition)
    {
        Partition p = _partitions[partition];
        if (!p.Ended)
        {
            p.Ended = true;
            _live--;
        }
    }

    /// <summary>Recomputes the stream's watermark at <paramref name="now"/> (idleness needs the clock).</summary>
    public long Update(long now)
    {
        long min = long.MaxValue;
        long max = long.MinValue;
        bool anyActive = false;
        foreach (Partition p in _partitions)
        {
            if (p.Ended)
            {
                continue;
            }

            long w = p.Watermark(_outOfOrderness);
            max = Math.Max(max, w);
            if (_idleTimeout > 0 && !p.Idle && now - p.LastActive >= _idleTimeout)
            {
                p.Idle = true;
            }

            if (!p.Idle)
            {
                anyActive = true;
                min = Math.Min(min, w);
            }
        }

        long candidate;
        if (_live == 0)
        {
            candidate = _partitions.Count == 0 ? long.MinValue : long.MaxValue;
        }
        else if (anyActive)
        {
            candidate = min;
        }
        else
        {
            candidate = _advanceWhenIdle ? Math.Max(max, Saturating(now, _outOfOrderness)) : max;
        }

        if (candidate > Current)
        {
            Current = candidate;
        }

        return Current;
    }

    /// <summary>Raises the watermark to at least <paramref name="watermark"/> (restore).</summary>
    public void Restore(long watermark, IEnumerable<(string Name, long MaxSeen, long Floor, bool Ended)> partitions, long now)
    {
        Current = watermark;
        foreach ((string name, long maxSeen, long floor, bool ended) in partitions)
        {
            _partitions.Add(new Partition { Name = name, MaxSeen = maxSeen, Floor = floor, Ended = ended, LastActive = now });
            _byName[name] = _partitions.Count - 1;
            if (!ended)
            {
                _live++;
            }
        }
    }

    public IEnumerable<(string Name, long MaxSeen, long Floor, bool Ended)> Snapshot() => _partitions.Select(p => (p.Name, p.MaxSeen, p.Floor, p.Ended));

    /// <summary>The watermark of one partition (for tests and metrics).</summary>
    public long PartitionWatermark(int partition) => _partitions[partition].Watermark(_outOfOrderness);

    public bool IsIdle(int partition) => _partitions[partition].Idle;

    internal static long Saturating(long timestamp, long outOfOrderness) =>
        timestamp == long.MinValue ? long.MinValue : timestamp - outOfOrderness - 1 < timestamp ? timestamp - outOfOrderness - 1 : long.MinValue;

    private sealed class Partition
    {
        public required string Name;
        public long MaxSeen = long.MinValue;
        public long Floor = long.MinValue;
        public long LastActive;
        public bool Idle;
        public bool Ended;

        public long Watermark(long outOfOrderness) => Math.Max(Floor, Saturating(MaxSeen, outOfOrderness));
    }
}
