namespace StreamCore.Storage;

/// <summary>
/// Gives the storage of a log's retired segments back to the <see cref="StorageBudget"/> once nobody can touch it:
/// no writer in flight in the segment (it is <see cref="LogSegment.IsQuiescent()">quiescent</see>) and no reader pin
/// that may reach it. Until then a retired segment waits in limbo. Owns the log's reader pins. Thread-safe.
/// </summary>
/// <remarks>
/// <para>Readers: every reader of record bytes holds a <see cref="LogPin"/> registered here, and brackets each read
/// with it. The log unlinks a segment (publishes a segment table without it) before retiring it; the reclaim then
/// fences and looks at every pin. A read that began after the fence loads the new table and cannot reach the segment;
/// one in flight might hold the old table, so its pin says "may reach" until it ends (see <see cref="LogPin"/>).</para>
/// <para>Writers: a producer that reserved a slot and has not published it yet keeps its segment from being
/// quiescent, so the segment stays in limbo (or, before that, in the log: the log retires only quiescent segments
/// except when it is released) until the producer's last store is done.</para>
/// <para>Reader pins are held weakly, so an abandoned reader cannot hold storage forever; a <c>RecordBatch</c> keeps
/// its pin alive, so a batch whose reader was collected still protects the records it shows. Transient pins (one
/// Kinesis GetRecords call each) are a few pooled, permanently registered pins rented without a lock.</para>
/// </remarks>
internal sealed class SegmentReclaimer
{
    private const int TransientPins = 4;

    private readonly StorageBudget _budget;
    private readonly Lock _lock = new();

    // Invariant: retired segments whose storage is not yet back in the budget; each also counted in the budget's limbo
    // bytes; never one that is still in its log's segment table. Under _lock.
    private readonly List<LogSegment> _limbo = [];

    // Readers' pins, under _lock.
    private readonly List<WeakReference<LogPin>> _pins = [];

    // Pooled pins for one-call readers, always registered (checked with the others); bit i of _rented is set while
    // _transient[i] is in use. Created on first use.
    private LogPin[]? _transient;
    private int _rented;

    // == _limbo.Count, readable without the lock: most calls have nothing to reclaim.
    private int _limboCount;

    public SegmentReclaimer(StorageBudget budget) => _budget = budget;

    /// <summary>Segments retired but not yet given back.</summary>
    public int LimboCount => Volatile.Read(ref _limboCount);

    /// <summary>Registers a pin for a reader. A trim either sees the pin or the reader's first read sees the trimmed table.</summary>
    public LogPin Pin()
    {
        var pin = new LogPin();
        lock (_lock)
        {
            _pins.Add(new WeakReference<LogPin>(pin));
        }

        return pin;
    }

    /// <summary>Retires a reader's pin: batches it handed out become stale, and segments it held back become reclaimable.</summary>
    public void Unpin(LogPin pin)
    {
        pin.Retire();
        Interleaving.Point("reclaim.unpin");
        lock (_lock)
        {
            _pins.RemoveAll(w => !w.TryGetTarget(out LogPin? p) || p == pin);
            ReclaimLocked();
        }
    }

    /// <summary>Rents a pin for one short read (no lock, no allocation in steady state); give it back with <see cref="Return"/>.</summary>
    public LogPin Rent()
    {
        LogPin[] pins = Volatile.Read(ref _transient) ?? CreateTransientPins();
        int rented = Volatile.Read(ref _rented);
        while (true)
        {
            int free = ~rented & ((1 << TransientPins) - 1);
            if (free == 0)
            {
                return Pin(); // all in use: an ordinary pin, retired on return
            }

            int bit = free & -free;
            int seen = Interlocked.CompareExchange(ref _rented, rented | bit, rented);
            if (seen == rented)
            {
                return pins[System.Numerics.BitOperations.TrailingZeroCount(bit)];
            }

            rented = seen;
        }
    }

    /// <summary>Gives back a rented pin (its read ended); reclaims what it held back.</summary>
    public void Return(LogPin pin)
    {
        StorageInvariant.Assert(!pin.InRead, "a pin was returned during a read");
        int slot = Array.IndexOf(_transient!, pin);
        if (slot < 0)
        {
            Unpin(pin);
            return;
        }

        pin.Retire();
        Interlocked.And(ref _rented, ~(1 << slot));
        Reclaim();
    }

    private LogPin[] CreateTransientPins()
    {
        var pins = new LogPin[TransientPins];
        for (int i = 0; i < pins.Length; i++)
        {
            pins[i] = new LogPin();
        }

        lock (_lock)
        {
            _transient ??= pins;
            return _transient;
        }
    }

    /// <summary>Takes a segment the log has unlinked; its storage goes back once nobody can touch it.</summary>
    public void Retire(LogSegment segment)
    {
        lock (_lock)
        {
            StorageInvariant.Assert(!_limbo.Contains(segment), "a segment was retired twice");
            _limbo.Add(segment);
            Volatile.Write(ref _limboCount, _limbo.Count);
            _budget.EnterLimbo(segment.ChargedBytes);
        }
    }

    /// <summary>Gives back the storage of every retired segment nobody can touch any more.</summary>
    public void Reclaim()
    {
        if (Volatile.Read(ref _limboCount) == 0)
        {
            return;
        }

        lock (_lock)
        {
            ReclaimLocked();
        }
    }

    /// <summary>Whether <paramref name="segment"/> waits here (for the log's invariant checks).</summary>
    internal bool Holds(LogSegment segment)
    {
        lock (_lock)
        {
            return _limbo.Contains(segment);
        }
    }

    private void ReclaimLocked()
    {
        // Pairs with LogPin.BeginRead: the unlink before this fence is visible to any read that starts after it.
        Interlocked.MemoryBarrier();
        for (int i = _limbo.Count - 1; i >= 0; i--)
        {
            LogSegment segment = _limbo[i];
            if (segment.IsQuiescent() && !AnyPinMayReach(segment.BaseIndex, segment.EndIndex))
            {
                _limbo.RemoveAt(i);
                _budget.LeaveLimbo(segment.ChargedBytes);
                _budget.Reclaim(segment.Arrays);
            }
        }

        Volatile.Write(ref _limboCount, _limbo.Count);
        AssertInvariants();
    }

    private bool AnyPinMayReach(long start, long end)
    {
        if (_transient is { } transient)
        {
            foreach (LogPin pin in transient)
            {
                if (pin.MayReach(start, end))
                {
                    return true;
                }
            }
        }

        for (int i = _pins.Count - 1; i >= 0; i--)
        {
            if (!_pins[i].TryGetTarget(out LogPin? pin))
            {
                _pins.RemoveAt(i); // its reader and every batch it handed out were collected: it can touch nothing
            }
            else if (pin.MayReach(start, end))
            {
                return true;
            }
        }

        return false;
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private void AssertInvariants()
    {
        StorageInvariant.Assert(_limboCount == _limbo.Count, "the limbo count matches the limbo");
        foreach (LogSegment segment in _limbo)
        {
            StorageInvariant.Assert(!_budget.IsPooled(segment.Arrays), "a segment in limbo is also in the pool");
            StorageInvariant.Assert(segment.PublishedPrefix <= segment.ClaimedCount, "published <= claimed");
        }
    }
}
