namespace StreamCore.Storage;

/// <summary>
/// What one reader of a <see cref="ShardLog"/> may still touch: the batch it holds, and, while a read is in flight,
/// whatever that read can reach. The log recycles a trimmed segment only when no pin may reach it.
/// </summary>
/// <remarks>
/// <para>A seqlock: <see cref="_epoch"/> is odd while a read is in flight. <see cref="BeginRead"/> is a full fence, so a
/// read that starts after a trim has unlinked a segment loads the new segment list and cannot reach it; a read in
/// flight might have loaded the old list, so the trimmer waits for it to end. Between reads only the held batch
/// [<see cref="_heldStart"/>, <see cref="_heldEnd"/>) is reachable: a fresh read never follows links into unlinked segments.</para>
/// <para><see cref="HeldVersion"/> names the hold: it changes whenever the held batch is given up (a new hold, or the pin
/// retired), so a batch that remembers the version it was handed out under knows when it is stale.</para>
/// </remarks>
internal sealed class LogPin
{
    private int _epoch;
    private long _heldStart = long.MaxValue;
    private long _heldEnd = long.MinValue;

    // Invariant: changes (only grows) whenever [_heldStart, _heldEnd) is given up.
    private int _heldVersion;

    /// <summary>The version of the current hold; a batch handed out under another version is no longer protected.</summary>
    public int HeldVersion => Volatile.Read(ref _heldVersion);

    /// <summary>Whether a read is in flight (for invariant checks and tests).</summary>
    internal bool InRead => (Volatile.Read(ref _epoch) & 1) != 0;

    /// <summary>Marks a read in flight. Full fence: the read's load of the segment list comes after it.</summary>
    public void BeginRead()
    {
        StorageInvariant.Assert(!InRead, "a pin began a read while one was in flight");
        Interlocked.Increment(ref _epoch);
    }

    /// <summary>Ends the read; the reader now holds [<paramref name="heldStart"/>, <paramref name="heldEnd"/>) (empty when start &gt;= end).</summary>
    public void EndRead(long heldStart, long heldEnd)
    {
        StorageInvariant.Assert(InRead, "a pin ended a read it had not begun");
        Volatile.Write(ref _heldVersion, _heldVersion + 1);
        Volatile.Write(ref _heldStart, heldStart);
        Volatile.Write(ref _heldEnd, heldEnd);
        Volatile.Write(ref _epoch, _epoch + 1);
    }

    /// <summary>Ends the read keeping the batch held before it.</summary>
    public void EndRead()
    {
        StorageInvariant.Assert(InRead, "a pin ended a read it had not begun");
        Volatile.Write(ref _epoch, _epoch + 1);
    }

    /// <summary>Gives up the held batch for good (the reader is disposed): batches handed out before become stale.</summary>
    public void Retire()
    {
        Volatile.Write(ref _heldVersion, _heldVersion + 1);
        Volatile.Write(ref _heldStart, long.MaxValue);
        Volatile.Write(ref _heldEnd, long.MinValue);
    }

    /// <summary>Whether this reader may touch records in [<paramref name="start"/>, <paramref name="end"/>) of an unlinked segment.</summary>
    public bool MayReach(long start, long end)
    {
        int epoch = Volatile.Read(ref _epoch);
        if ((epoch & 1) != 0)
        {
            return true; // a read in flight may hold the old segment list
        }

        bool overlaps = Volatile.Read(ref _heldStart) < end && Volatile.Read(ref _heldEnd) > start;
        return overlaps || Volatile.Read(ref _epoch) != epoch; // changed under us: be conservative, look again later
    }
}
