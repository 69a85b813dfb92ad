using System.Text;

namespace StreamCore.Storage;

/// <summary>The outcome of an append.</summary>
internal enum AppendStatus
{
    Appended,

    /// <summary>The log is closed (shard closed or stream deleted); nothing was written.</summary>
    Closed,

    /// <summary>The engine's memory cap is reached under <see cref="MemoryLimitPolicy.RejectWrites"/>; nothing was written.</summary>
    MemoryFull,
}

/// <summary>One record to append: its partition key (encoded to UTF-8 into the arena) and payload.</summary>
internal readonly struct PendingRecord(string partitionKey, int partitionKeyUtf8Length, ReadOnlyMemory<byte> data)
{
    public readonly string PartitionKey = partitionKey;
    public readonly int PartitionKeyUtf8Length = partitionKeyUtf8Length;
    public readonly ReadOnlyMemory<byte> Data = data;
}

/// <summary>
/// The records of one batch reservation (<see cref="ShardLog.AppendBatch{TRecords}"/>): each record's lengths, then all
/// of their bytes (per record the partition key's UTF-8 bytes, then the payload as stored) copied into the reservation
/// at once, so a writer whose records lie back to back copies them with one copy.
/// </summary>
internal interface IRecordWriter
{
    /// <summary>The number of records.</summary>
    int Count { get; }

    /// <summary>The partition key's UTF-8 length and the stored payload's length of record <paramref name="index"/>.</summary>
    (int KeyLength, int DataLength) Lengths(int index);

    /// <summary>
    /// Writes every record, key then stored payload, back to back in index order, into <paramref name="destination"/>
    /// (exactly the sum of their lengths). Runs between a reservation and its publication, so it only copies: it must
    /// not throw.
    /// </summary>
    void CopyTo(Span<byte> destination);
}

/// <summary>Writes <see cref="PendingRecord"/>s, encoding each key into the arena.</summary>
internal readonly ref struct PendingRecordWriter(ReadOnlySpan<PendingRecord> records) : IRecordWriter
{
    private readonly ReadOnlySpan<PendingRecord> _records = records;

    public int Count => _records.Length;

    public (int KeyLength, int DataLength) Lengths(int index) => (_records[index].PartitionKeyUtf8Length, _records[index].Data.Length);

    public void CopyTo(Span<byte> destination)
    {
        foreach (ref readonly PendingRecord r in _records)
        {
            Encoding.UTF8.GetBytes(r.PartitionKey, destination);
            r.Data.Span.CopyTo(destination[r.PartitionKeyUtf8Length..]);
            destination = destination[(r.PartitionKeyUtf8Length + r.Data.Length)..];
        }
    }
}

/// <summary>
/// The append-only record log of one shard. Multi-producer and lock-free on the append path; readers never
/// block writers and never see a half-written record. Knows records and their indices, not streams.
/// </summary>
/// <remarks>
/// <para>Record n of the log (0-based, counted over the shard's life) has index n. The log is a chain of
/// <see cref="LogSegment"/>s; only rolling to a new segment, trimming, closing and releasing take <see cref="_rollLock"/>.</para>
/// <para>Lifecycle: open, then closed (<see cref="Close"/>: no append succeeds, records stay readable), then released
/// (<see cref="Release"/>: nothing is readable, the storage goes back). Release is idempotent.</para>
/// <para>Reuse of storage is the <see cref="SegmentReclaimer"/>'s: a segment leaves the log's table only when it is
/// quiescent (sealed, every claimed slot published), except on release; it is recycled only when, in addition, no
/// reader pin may reach it.</para>
/// </remarks>
internal sealed class ShardLog
{
    private const int FirstSegmentSlots = 256;
    private const int FirstSegmentBytes = 32 * 1024;

    private readonly StorageBudget _budget;
    private readonly SegmentReclaimer _reclaimer;
    private readonly int _maxSegmentSlots;
    private readonly int _maxSegmentBytes;
    private readonly Func<long>? _expiryCutoff;
    private readonly Lock _rollLock = new();

    // Invariant: the segment producers reserve in; always the last element of _segments.
    private LogSegment _tail;

    // Invariant: the retained segments, oldest first, contiguous (each sealed one ends where the next begins); replaced
    // under _rollLock. Its first segment is the physical trim horizon. Every segment but the last is sealed. None of
    // them is retired or pooled. Once released: one empty sealed segment at EndIndex.
    private SegmentTable _segments;

    // Invariant: == _segments.First.BaseIndex; kept apart so reading it never touches a segment.
    private long _firstRetainedIndex;

    // Arena bytes of every segment sealed so far (partition keys plus payloads); with the tail's claimed bytes, the
    // bytes ever appended. Changed under _rollLock.
    private long _sealedBytes;

    // Open, Closed (no append succeeds after the close's seal; waiters are released at the end) or Released (nothing
    // readable; storage handed to the reclaimer). Only moves forward, under _rollLock.
    private int _state;

    // Treiber stack of readers waiting for a record; producers detach it whole and wake every waiter.
    private LogWaiter? _waiters;

    private const int Open = 0, Closed = 1, Released = 2;

    /// <param name="budget">The engine's memory budget and segment pool.</param>
    /// <param name="maxSegmentSlots">Records per full-size segment.</param>
    /// <param name="maxSegmentBytes">Arena bytes per full-size segment.</param>
    /// <param name="expiryCutoff">Records that arrived at or before this are expired; lets a roll reuse expired storage at once.</param>
    public ShardLog(StorageBudget budget, int maxSegmentSlots, int maxSegmentBytes, Func<long>? expiryCutoff = null)
    {
        _budget = budget;
        _reclaimer = new SegmentReclaimer(budget);
        _maxSegmentSlots = maxSegmentSlots;
        _maxSegmentBytes = maxSegmentBytes;
        _expiryCutoff = expiryCutoff;
        _tail = new LogSegment(0, SegmentArrays.None); // empty and unsealed: the first append rolls to a real segment
        _segments = SegmentTable.Of(_tail);
        budget.Register(this);
    }

    public bool IsClosed => Volatile.Read(ref _state) != Open;

    /// <summary>Whether the log was released: it holds no record and never will.</summary>
    public bool IsReleased => Volatile.Read(ref _state) == Released;

    /// <summary>Index of the oldest physically retained record (records before it are gone).</summary>
    public long FirstRetainedIndex => Volatile.Read(ref _firstRetainedIndex);

    /// <summary>Index one past the last claimed record: where a reader positioned "after the newest record" starts.</summary>
    public long EndIndex => Volatile.Read(ref _tail).EndIndex;

    /// <summary>Bytes (partition keys plus payloads) ever appended; sampled for throughput, never on the hot path.</summary>
    public long BytesAppended => Volatile.Read(ref _sealedBytes) + Volatile.Read(ref _tail).ClaimedBytes;

    /// <summary>Segments trimmed but not yet reclaimable because a reader pin or a writer in flight may touch them.</summary>
    internal int LimboCount => _reclaimer.LimboCount;

    /// <summary>
    /// Whether a reader at <paramref name="index"/> has reached the end for good: the log is released, or closed and
    /// the reader is past its last claimed record.
    /// </summary>
    public bool IsAtEnd(long index) => Volatile.Read(ref _state) switch
    {
        Open => false,
        Closed => index >= EndIndex,
        _ => true,
    };

    // ------------------------------------------------------------------ append (hot path)

    /// <summary>
    /// Appends one record. Returns its index through <paramref name="index"/>. <paramref name="kind"/> (at least 1) is
    /// kept with the record for the layers above (the engine marks encrypted payloads with it); the log only adds the aggregate tag beside it (see <see cref="RecordEntry.PublishedValue"/>).
    /// </summary>
    public AppendStatus Append(ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, long arrivalMs, out long index, int kind = 1)
    {
        AssertKind(kind);
        int bytes = partitionKeyUtf8.Length + data.Length;
        while (true)
        {
            LogSegment tail = Volatile.Read(ref _tail);
            if (tail.TryReserve(1, bytes, out int slot, out int offset))
            {
                // From the reservation to the publication this producer is in flight: the segment is not quiescent,
                // so no trim drops it and no reclaim recycles it (see LogSegment.IsQuiescent).
                Interleaving.Point("append.reserved");
                Span<byte> arena = tail.Arena.AsSpan(offset, bytes);
                partitionKeyUtf8.CopyTo(arena);
                data.CopyTo(arena[partitionKeyUtf8.Length..]);
                Interleaving.Point("append.copied");
                Publish(ref tail.Entries[slot], arrivalMs, offset, partitionKeyUtf8.Length, data.Length, RecordEntry.PublishedValue(kind, tail.Arena, offset + partitionKeyUtf8.Length, data.Length));
                index = tail.BaseIndex + slot;
                Interleaving.Point("append.published");
                WakeReaders();
                return AppendStatus.Appended;
            }

            AppendStatus rolled = Roll(tail, 1, bytes);
            if (rolled != AppendStatus.Appended)
            {
                index = -1;
                return rolled;
            }
        }
    }

    /// <summary>
    /// Appends a batch with one reservation: the records get consecutive indices in batch order.
    /// Returns the index of the first through <paramref name="firstIndex"/>.
    /// </summary>
    public AppendStatus AppendBatch(ReadOnlySpan<PendingRecord> records, long arrivalMs, out long firstIndex, int kind = 1)
    {
        int bytes = 0;
        foreach (ref readonly PendingRecord r in records)
        {
            bytes += r.PartitionKeyUtf8Length + r.Data.Length;
        }

        var writer = new PendingRecordWriter(records);
        return AppendBatch(ref writer, bytes, arrivalMs, out firstIndex, kind);
    }

    /// <summary>
    /// Appends a batch as the Disruptor does (<c>Next(n)</c>, write, <c>Publish(lo, hi)</c>): one reservation of
    /// <paramref name="bytes"/> arena bytes and <c>records.Count</c> slots, every record written into it, then all of
    /// them published together and waiting readers woken once. The records get consecutive indices in batch order;
    /// the index of the first comes back through <paramref name="firstIndex"/>. Nothing is written unless the whole
    /// batch is reserved.
    /// </summary>
    /// <param name="records">Writes each record into its reserved bytes; must not throw (copies only).</param>
    /// <param name="bytes">The sum of <see cref="IRecordWriter.Lengths"/> over the records.</param>
    /// <param name="arrivalMs">The arrival time every record of the batch gets (the clock is read once per batch).</param>
    /// <param name="firstIndex">The index of the first record.</param>
    /// <param name="kind">As for <see cref="Append"/>.</param>
    public AppendStatus AppendBatch<TRecords>(scoped ref TRecords records, int bytes, long arrivalMs, out long firstIndex, int kind = 1)
        where TRecords : IRecordWriter, allows ref struct
    {
        AssertKind(kind);
        int count = records.Count;
        while (true)
        {
            LogSegment tail = Volatile.Read(ref _tail);
            if (tail.TryReserve(count, bytes, out int slot, out int offset))
            {
                // In flight from here to the last publication: see Append.
                Interleaving.Point("append.reserved");
                Span<RecordEntry> reserved = tail.Entries.AsSpan(slot, count);
                int start = offset;
                for (int i = 0; i < reserved.Length; i++)
                {
                    (int keyLength, int dataLength) = records.Lengths(i);
                    ref RecordEntry entry = ref reserved[i];
                    entry.ArrivalMs = arrivalMs;
                    entry.Offset = offset;
                    entry.KeyLength = keyLength;
                    entry.DataLength = dataLength;
                    offset += keyLength + dataLength;
                }

                StorageInvariant.Assert(offset - start == bytes, "a batch fills its reservation exactly");
                byte[] arena = tail.Arena;
                records.CopyTo(arena.AsSpan(start, bytes));
                Interleaving.Point("append.copied");
                foreach (ref RecordEntry entry in reserved)
                {
                    // The payload was just copied, so its first bytes are still in cache.
                    int published = RecordEntry.PublishedValue(kind, arena, entry.Offset + entry.KeyLength, entry.DataLength);
                    Volatile.Write(ref entry.Published, published); // release: see Publish
                }

                firstIndex = tail.BaseIndex + slot;
                Interleaving.Point("append.published");
                WakeReaders();
                return AppendStatus.Appended;
            }

            AppendStatus rolled = Roll(tail, count, bytes);
            if (rolled != AppendStatus.Appended)
            {
                firstIndex = -1;
                return rolled;
            }
        }
    }

    // A kind of 0 would never publish; one reaching the tag's bit would read as another kind with a tag.
    private static void AssertKind(int kind) =>
        StorageInvariant.Assert(kind is > 0 and < RecordEntry.AggregateMagicFlag, "a record's kind is at least 1 and below the aggregate tag's bit");

    private static void Publish(ref RecordEntry entry, long arrivalMs, int offset, int keyLength, int dataLength, int kind)
    {
        entry.ArrivalMs = arrivalMs;
        entry.Offset = offset;
        entry.KeyLength = keyLength;
        entry.DataLength = dataLength;
        Volatile.Write(ref entry.Published, kind); // release: readers that see it non-zero see every field and byte above
    }

    // ------------------------------------------------------------------ roll, trim, release (slow paths)

    // Seals the full tail and links a new segment big enough for the claim. Returns Appended when the caller
    // should retry its reservation.
    private AppendStatus Roll(LogSegment full, int count, int bytes)
    {
        Interleaving.Point("roll.begin");
        if (IsClosed)
        {
            return AppendStatus.Closed;
        }

        if (_expiryCutoff is not null)
        {
            TrimExpired(_expiryCutoff()); // free expired storage first, so steady state reuses instead of allocating
        }

        (int slots, int arena) = NextSegmentSize(full);
        slots = Math.Max(slots, count);
        arena = Math.Max(arena, bytes);
        if (_budget.Acquire(slots, arena) is not { } storage)
        {
            return AppendStatus.MemoryFull;
        }

        lock (_rollLock)
        {
            if (Volatile.Read(ref _tail) != full || IsClosed)
            {
                _budget.Reclaim(storage); // acquired but never linked: another producer rolled (or the log closed) first
                return IsClosed ? AppendStatus.Closed : AppendStatus.Appended;
            }

            int finalCount = full.Seal();
            var next = new LogSegment(full.BaseIndex + finalCount, storage);
            Volatile.Write(ref _sealedBytes, _sealedBytes + full.ClaimedBytes);
            full.Link(next);

            // The empty bootstrap segment is dropped rather than retained.
            SegmentTable segments = _segments.Count == 1 && _segments.First.Entries.Length == 0 ? SegmentTable.Of(next) : _segments.Append(next);
            Volatile.Write(ref _segments, segments);
            Volatile.Write(ref _firstRetainedIndex, segments.First.BaseIndex);
            Volatile.Write(ref _tail, next);
            _reclaimer.Reclaim();
            AssertInvariantsLocked();
        }

        return AppendStatus.Appended;
    }

    /// <summary>
    /// Segments grow geometrically while a shard warms up, so idle shards stay small. At full size, a segment is
    /// shaped by the average record of the one before, so that slots and arena run out together: neither unused
    /// descriptors nor an unused arena tail cost more than a few bytes per record. Full size is reached when either
    /// the slots or the arena are: a shard of large records (KPL aggregates) fills its arena long before its slots,
    /// and growing the slots on would allocate (and zero) descriptors it never uses, in a shape that changes every
    /// segment, so the budget's pool (which reuses storage of one shape) would never serve it.
    /// </summary>
    private (int Slots, int Arena) NextSegmentSize(LogSegment full)
    {
        const int Granule = 16 * 1024;
        if ((full.Entries.Length < _maxSegmentSlots && full.Arena.Length < _maxSegmentBytes) || full.ClaimedCount == 0)
        {
            return (Math.Clamp(full.Entries.Length * 2, FirstSegmentSlots, _maxSegmentSlots), Math.Clamp(full.Arena.Length * 2, FirstSegmentBytes, _maxSegmentBytes));
        }

        long average = Math.Max(1, full.ClaimedBytes / full.ClaimedCount);
        long arena = ((average * _maxSegmentSlots / Granule) + 2) * Granule; // rounded up, plus a granule of slack
        if (arena <= _maxSegmentBytes)
        {
            return (_maxSegmentSlots, (int)arena);
        }

        int slots = (int)Math.Clamp(((_maxSegmentBytes / average / 64) + 2) * 64, FirstSegmentSlots, _maxSegmentSlots);
        return (slots, _maxSegmentBytes);
    }

    /// <summary>
    /// Drops retained segments whose every record arrived at or before <paramref name="expiredAtOrBeforeMs"/>, oldest
    /// first, stopping at the first segment that has a writer in flight (its unpublished record's arrival is not known
    /// yet). Their storage is reused once no reader pin reaches them.
    /// </summary>
    public void TrimExpired(long expiredAtOrBeforeMs)
    {
        Interleaving.Point("trim.expired");
        lock (_rollLock)
        {
            AssertInvariantsLocked();
            while (_segments.Count > 1 && _segments.First.IsQuiescent(out _, out long newest) && newest <= expiredAtOrBeforeMs)
            {
                DropHeadLocked();
            }

            _reclaimer.Reclaim();
            AssertInvariantsLocked();
        }
    }

    /// <summary>
    /// Arrival of the oldest record in a segment that could be dropped now (not the tail, no writer in flight);
    /// <see cref="long.MaxValue"/> if none. An empty droppable segment answers <see cref="long.MinValue"/>: it goes first.
    /// </summary>
    /// <param name="writerInFlight">Set when the oldest segment could be dropped but for a producer still writing into it.</param>
    public long OldestTrimmableArrivalMs(out bool writerInFlight)
    {
        lock (_rollLock)
        {
            writerInFlight = false;
            if (_segments.Count <= 1)
            {
                return long.MaxValue;
            }

            if (!_segments.First.IsQuiescent(out long oldest, out _))
            {
                writerInFlight = true;
                return long.MaxValue;
            }

            return _segments.First.ClaimedCount == 0 ? long.MinValue : oldest;
        }
    }

    /// <summary>Drops the oldest segment unless it is the tail or has a writer in flight (memory cap policy).</summary>
    public bool DropOldestSegment()
    {
        lock (_rollLock)
        {
            AssertInvariantsLocked();
            if (_segments.Count <= 1 || !_segments.First.IsQuiescent())
            {
                return false;
            }

            DropHeadLocked();
            _reclaimer.Reclaim();
            AssertInvariantsLocked();
            return true;
        }
    }

    private void DropHeadLocked()
    {
        LogSegment head = _segments.First;
        SegmentTable rest = _segments.DropFirst();
        Volatile.Write(ref _segments, rest); // unlinked before retired: see SegmentReclaimer
        Volatile.Write(ref _firstRetainedIndex, rest.First.BaseIndex);
        _reclaimer.Retire(head);
    }

    /// <summary>Registers a pin for a reader. A trim either sees the pin or the reader's first read sees the trimmed table.</summary>
    public LogPin Pin() => _reclaimer.Pin();

    /// <summary>Releases a pin; batches it handed out become stale and segments it held back become reclaimable.</summary>
    public void Unpin(LogPin pin) => _reclaimer.Unpin(pin);

    /// <summary>Rents a pin for one short read, without a lock or an allocation; give it back with <see cref="ReturnPin"/>.</summary>
    public LogPin RentPin() => _reclaimer.Rent();

    /// <summary>Gives back a rented pin after its read ended.</summary>
    public void ReturnPin(LogPin pin) => _reclaimer.Return(pin);

    /// <summary>
    /// Stops appends for good (shard closed or stream deleted). Records already appended stay readable; waiting
    /// readers are released once they reach the end.
    /// </summary>
    public void Close()
    {
        lock (_rollLock)
        {
            // Seal before the state says Closed: a reader that sees Closed (IsAtEnd) must read the final EndIndex.
            // Sealed second, a producer could still reserve on the tail after a reader was told "end" at the old
            // EndIndex: a stream follower would move on to the children and lose that record.
            _tail.Seal();
            Interleaving.Point("log.closing"); // under the roll lock: for a same-thread hook only, never the scheduler
            if (_state == Open)
            {
                Volatile.Write(ref _state, Closed);
            }
        }

        WakeAll();
    }

    /// <summary>
    /// Closes the log, makes it unreadable and gives its storage back (stream deleted, or a closed shard expired).
    /// Idempotent. Storage a reader still holds, or a producer is still writing into, waits until they let go.
    /// </summary>
    public void Release()
    {
        Interleaving.Point("log.release");
        lock (_rollLock)
        {
            if (_state == Released)
            {
                return;
            }

            LogSegment tail = _tail;
            var end = new LogSegment(tail.BaseIndex + tail.Seal(), SegmentArrays.None);
            end.Seal();
            SegmentTable retained = _segments;
            Volatile.Write(ref _segments, SegmentTable.Of(end)); // unlinked before retired: see SegmentReclaimer
            Volatile.Write(ref _firstRetainedIndex, end.BaseIndex);
            Volatile.Write(ref _tail, end);
            Volatile.Write(ref _state, Released);
            for (int i = 0; i < retained.Count; i++)
            {
                if (retained[i].Entries.Length > 0)
                {
                    _reclaimer.Retire(retained[i]);
                }
            }

            _reclaimer.Reclaim();
            AssertInvariantsLocked();
        }

        WakeAll();
        _budget.Unregister(this);
        _budget.Drain(_reclaimer); // what a reader or a stalled producer still holds goes back later
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private void AssertInvariantsLocked()
    {
        SegmentTable segments = _segments;
        StorageInvariant.Assert(segments[segments.Count - 1] == _tail, "the tail is the last retained segment");
        StorageInvariant.Assert(_firstRetainedIndex == segments.First.BaseIndex, "FirstRetainedIndex is the first segment's base");
        StorageInvariant.Assert(_state != Released || (segments.Count == 1 && _tail.Entries.Length == 0), "a released log holds no storage");
        for (int i = 0; i < segments.Count; i++)
        {
            LogSegment segment = segments[i];
            StorageInvariant.Assert(segment.PublishedPrefix <= segment.ClaimedCount, "published <= claimed");
            StorageInvariant.Assert(i == segments.Count - 1 || (segment.IsSealed && segment.EndIndex == segments[i + 1].BaseIndex), "retained segments are sealed and contiguous");
            StorageInvariant.Assert(segment.Entries.Length == 0 || !_budget.IsPooled(segment.Arrays), "no retained segment is also pooled");
            StorageInvariant.Assert(!_reclaimer.Holds(segment), "no retained segment is also retired");
        }
    }

    // ------------------------------------------------------------------ read (hot path; callers bracket reads with a pin)

    /// <summary>
    /// Finds the first readable run of records at or after <paramref name="fromIndex"/>, skipping records that
    /// are trimmed or arrived at or before <paramref name="expiredAtOrBeforeMs"/>. The run lies in one segment and
    /// has at most <paramref name="maxRecords"/> records and at most <paramref name="maxBytes"/> bytes (data plus
    /// partition key; a record never exceeds 10 MiB, so a 10 MiB budget always admits the next record).
    /// The caller brackets the call, and its use of the slice, with <see cref="LogPin.BeginRead"/> / <see cref="LogPin.EndRead(long, long)"/>.
    /// </summary>
    /// <returns>The run; empty (with <see cref="LogSlice.FirstIndex"/> where reading stopped) when none is available yet.</returns>
    public LogSlice Read(long fromIndex, int maxRecords, long maxBytes, long expiredAtOrBeforeMs)
    {
        SegmentTable segments = Volatile.Read(ref _segments);
        LogSegment segment = segments.First;
        if (fromIndex < segment.BaseIndex)
        {
            fromIndex = segment.BaseIndex;
        }
        else
        {
            segment = segments.Find(fromIndex);
        }

        while (true)
        {
            long slotLong = fromIndex - segment.BaseIndex;
            if (slotLong >= segment.Entries.Length || (segment.IsSealed && slotLong >= segment.ClaimedCount))
            {
                LogSegment? next = segment.Next;
                if (next is null)
                {
                    return new LogSlice(segment, (int)Math.Min(slotLong, segment.Entries.Length), 0, fromIndex);
                }

                segment = next;
                continue;
            }

            int slot = (int)slotLong;
            RecordEntry[] entries = segment.Entries;
            while (slot < entries.Length && segment.IsPublished(slot) && entries[slot].ArrivalMs <= expiredAtOrBeforeMs)
            {
                slot++;
                fromIndex++;
            }

            int count = 0;
            long bytes = 0;
            while (slot + count < entries.Length && count < maxRecords && segment.IsPublished(slot + count))
            {
                ref RecordEntry e = ref entries[slot + count];
                bytes += e.DataLength + e.KeyLength;
                if (bytes > maxBytes)
                {
                    break;
                }

                count++;
            }

            if (count > 0 || (slot < entries.Length && !(segment.IsSealed && slot >= segment.ClaimedCount)))
            {
                return new LogSlice(segment, slot, count, fromIndex);
            }

            // Every remaining record of this segment had expired: continue in the next one.
        }
    }

    /// <summary>Whether a published record exists at <paramref name="index"/> or later (expired or not). Caller is in a pinned read.</summary>
    public bool HasRecordAtOrAfter(long index) => Read(index, 1, long.MaxValue, long.MinValue).Count > 0;

    private bool HasRecordAtOrAfter(long index, LogPin pin)
    {
        pin.BeginRead();
        try
        {
            return HasRecordAtOrAfter(index);
        }
        finally
        {
            pin.EndRead();
        }
    }

    /// <summary>Index of the first retained record that arrived at or after <paramref name="timestampMs"/>; <see cref="EndIndex"/> if none.</summary>
    public long FindFirstArrivedAtOrAfter(long timestampMs)
    {
        LogPin pin = RentPin();
        pin.BeginRead();
        try
        {
            SegmentTable segments = Volatile.Read(ref _segments);
            for (int i = 0; i < segments.Count; i++)
            {
                LogSegment segment = segments[i];
                int count = segment.ClaimedCount;
                for (int slot = 0; slot < count; slot++)
                {
                    if (!segment.IsPublished(slot) || segment.Entries[slot].ArrivalMs >= timestampMs)
                    {
                        return segment.BaseIndex + slot;
                    }
                }
            }

            return EndIndex;
        }
        finally
        {
            pin.EndRead();
            ReturnPin(pin);
        }
    }

    /// <summary>Arrival time of the record at <paramref name="index"/>, or null when it is not readable. Caller is in a pinned read.</summary>
    public long? ArrivalOf(long index)
    {
        LogSlice slice = Read(index, 1, long.MaxValue, long.MinValue);
        return slice.Count == 1 && slice.FirstIndex == index ? slice.Segment.Entries[slice.FirstSlot].ArrivalMs : null;
    }

    // ------------------------------------------------------------------ waiting

    /// <summary>
    /// Completes when a record is readable at or after <paramref name="index"/> (true) or the log is closed and
    /// the reader has reached its end (false). Waits without polling and without a thread.
    /// </summary>
    public ValueTask<bool> WaitForRecordAsync(long index, LogWaiter waiter, LogPin pin, CancellationToken cancellationToken)
    {
        if (HasRecordAtOrAfter(index, pin))
        {
            return new ValueTask<bool>(true);
        }

        if (IsAtEnd(index))
        {
            return new ValueTask<bool>(false);
        }

        ValueTask<bool> pending = waiter.Arm(index, cancellationToken);
        if (waiter.TryEnlist())
        {
            LogWaiter? head;
            do
            {
                head = Volatile.Read(ref _waiters);
                waiter.Next = head;
            }
            while (Interlocked.CompareExchange(ref _waiters, waiter, head) != head);
        }

        // Re-check after enlisting (the CAS above is a full fence): an append, close or release that raced the enlist
        // is seen here. A closed log with a producer still in flight before its end stays pending: the producer's
        // publication wakes it.
        if (HasRecordAtOrAfter(index, pin))
        {
            if (waiter.TryDisarm())
            {
                return new ValueTask<bool>(true);
            }
        }
        else if (IsAtEnd(index) && waiter.TryDisarm())
        {
            return new ValueTask<bool>(false);
        }

        return pending;
    }

    private void WakeReaders()
    {
        // Pairs with the enlist CAS in WaitForRecordAsync: a reader either sees our record or is seen here.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _waiters) is not null)
        {
            WakeAll();
        }
    }

    private void WakeAll()
    {
        LogWaiter? waiter = Interlocked.Exchange(ref _waiters, null);
        while (waiter is not null)
        {
            LogWaiter? next = waiter.Next;
            waiter.Next = null;
            waiter.Delist();

            // An append means "read again"; a close or release means "read again" only to readers with records left.
            waiter.Signal(!IsAtEnd(Volatile.Read(ref waiter.Index)));
            waiter = next;
        }
    }
}

/// <summary>A run of consecutive published records in one segment.</summary>
internal readonly struct LogSlice(LogSegment segment, int firstSlot, int count, long firstIndex)
{
    public readonly LogSegment Segment = segment;
    public readonly int FirstSlot = firstSlot;
    public readonly int Count = count;

    /// <summary>Index of the first record of the run (or where reading stopped, when empty).</summary>
    public readonly long FirstIndex = firstIndex;

    public long EndIndex => FirstIndex + Count;
}
