namespace StreamCore.Consuming;

public sealed partial class KinesisConsumer
{
    // What this worker saw of each lease at its scans: expiry is decided locally, from when the counter last moved
    // (the KCL's Lease.isExpired); no wall clock is stored in the table. Touched by the taker only.
    private readonly Dictionary<string, (long Counter, long SeenAt)> _seen = new(StringComparer.Ordinal);
    private long _tableSize;

    /// <summary>
    /// The KCL 2.x taker: count live workers' leases, aim at ⌈leases ÷ workers⌉, take expired or unowned leases first, and
    /// only when none is expired steal from the most loaded worker (at most <see cref="KinesisConsumerOptions.MaxLeasesToStealAtOneTime"/>).
    /// </summary>
    private async Task TakeLeasesAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Lease> table;
        try
        {
            table = await Store.ListLeasesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConsumerLog.StoreFailed(Logger, "listing the leases", ex);
            return;
        }

        TimeProvider time = Options.TimeProvider;
        long now = time.GetTimestamp();
        long failoverTicks = (long)(Options.FailoverTime.TotalSeconds * time.TimestampFrequency);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (Lease lease in table)
        {
            present.Add(lease.LeaseKey);
            bool known = _seen.TryGetValue(lease.LeaseKey, out (long Counter, long SeenAt) seen);
            if (!known || seen.Counter != lease.LeaseCounter)
            {
                // A lease first seen unowned is free now; one first seen owned gets the failover time to show life.
                long seenAt = !known && lease.LeaseOwner is null ? long.MinValue / 2 : now;
                _seen[lease.LeaseKey] = (lease.LeaseCounter, seenAt);
            }
        }

        foreach (string gone in _seen.Keys.Where(k => !present.Contains(k)).ToArray())
        {
            _seen.Remove(gone);
        }

        Lease[] open = [.. table.Where(l => l.Checkpoint != Lease.ShardEnd)];
        Volatile.Write(ref _tableSize, table.Count);
        bool Expired(Lease lease) => lease.LeaseOwner is null
            || (lease.LeaseOwner == WorkerId && !_held.ContainsKey(lease.LeaseKey)) // a previous run of this worker
            || now - _seen[lease.LeaseKey].SeenAt > failoverTicks;

        var perOwner = new Dictionary<string, int>(StringComparer.Ordinal) { [WorkerId] = _held.Count };
        foreach (Lease lease in open)
        {
            if (!Expired(lease) && lease.LeaseOwner != WorkerId)
            {
                perOwner[lease.LeaseOwner!] = perOwner.GetValueOrDefault(lease.LeaseOwner!) + 1;
            }
        }

        int workers = perOwner.Count;
        int target = open.Length <= workers ? 1 : (open.Length + workers - 1) / workers;
        target = Math.Min(target, Options.MaxLeasesForWorker);
        int mine = _held.Count;
        Lease[] expired = [.. open.Where(l => Expired(l) && !_held.ContainsKey(l.LeaseKey))];

        // Leases of dead workers unrenewed for three failover times go first, whatever the target (the KCL's priority rule).
        Lease[] abandoned = [.. expired.Where(l => l.LeaseOwner is not null && now - _seen[l.LeaseKey].SeenAt > 3 * failoverTicks)];
        var toTake = new List<Lease>();
        if (abandoned.Length > 0)
        {
            toTake.AddRange(Shuffle(abandoned).Take(Math.Max(0, Options.MaxLeasesForWorker - mine)));
        }
        else if (target - mine is > 0 and int needed)
        {
            if (expired.Length > 0)
            {
                toTake.AddRange(Shuffle(expired).Take(needed));
            }
            else if (perOwner.Where(p => p.Key != WorkerId).OrderByDescending(p => p.Value).FirstOrDefault() is { Key: not null } busiest)
            {
                int steal = busiest.Value > target ? Math.Min(Math.Min(needed, busiest.Value - target), Options.MaxLeasesToStealAtOneTime)
                    : busiest.Value == target && needed > 1 ? Math.Min(1, Options.MaxLeasesToStealAtOneTime)
                    : 0;
                toTake.AddRange(Shuffle([.. open.Where(l => l.LeaseOwner == busiest.Key)]).Take(steal));
            }
        }

        foreach (Lease lease in toTake)
        {
            await TakeAsync(lease, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task TakeAsync(Lease lease, CancellationToken cancellationToken)
    {
        if (_loops.IsCancellationRequested && _state != 0)
        {
            return; // stopping: take nothing more
        }

        Lease taken = lease with
        {
            LeaseOwner = WorkerId,
            OwnerSwitchesSinceCheckpoint = lease.LeaseOwner == WorkerId ? lease.OwnerSwitchesSinceCheckpoint : lease.OwnerSwitchesSinceCheckpoint + 1,
        };
        Lease? stored;
        try
        {
            stored = await Store.TryUpdateLeaseAsync(lease, taken, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConsumerLog.StoreFailed(Logger, "taking the lease of " + lease.LeaseKey, ex);
            return;
        }

        if (stored is null)
        {
            return; // another worker moved it first
        }

        var consumer = new ShardConsumer(this, stored);
        if (!_held.TryAdd(stored.LeaseKey, consumer))
        {
            return;
        }

        Metrics.TakenLeases.Add(1, Metrics.Stream);
        ConsumerLog.LeaseTaken(Logger, stored.LeaseKey, WorkerId, lease.LeaseOwner);
        consumer.Start();
    }

    private T[] Shuffle<T>(T[] items)
    {
        T[] copy = [.. items];
        _random.Shuffle(copy);
        return copy;
    }
}
