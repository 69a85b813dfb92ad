using System.Runtime.InteropServices;

namespace StreamCore.Storage;

/// <summary>
/// One fixed-size block of a shard log: a slot array of record descriptors and a byte arena that holds the
/// records' partition keys and payloads back to back.
/// </summary>
/// <remarks>
/// Producers claim slots and arena bytes together with one compare-and-swap on <see cref="_reservation"/>,
/// so a batch of records costs one atomic operation. A segment object is never reused, so its metadata
/// (<see cref="BaseIndex"/>, counts, <see cref="Next"/>) stays consistent for anyone holding it; only its two arrays
/// are recycled, and only once it is <see cref="IsQuiescent()">quiescent</see> (no writer in flight) and no reader pin
/// can reach it (see <see cref="SegmentReclaimer"/>).
/// </remarks>
internal sealed class LogSegment
{
    private const int CountShift = 40;
    private const long BytesMask = (1L << CountShift) - 1;
    private const long SealedBit = 1L << 62;

    /// <summary>Index (within the shard) of this segment's slot 0. Immutable.</summary>
    public readonly long BaseIndex;

    /// <summary>Record descriptors; slot i is readable once its <see cref="RecordEntry.Published"/> is non-zero.</summary>
    public readonly RecordEntry[] Entries;

    /// <summary>Partition keys and payloads; an entry's bytes never change after it is published.</summary>
    public readonly byte[] Arena;

    /// <summary>Bytes this segment charges to the storage budget.</summary>
    public readonly long ChargedBytes;

    // Invariant: bits 0..39 = arena bytes claimed, bits 40..61 = slots claimed, bit 62 = sealed. Once sealed the
    // word never changes again, so the slot count it holds is the segment's final record count.
    private long _reservation;

    // Set once, under the log's roll lock, after this segment is sealed; never changes afterwards.
    private LogSegment? _next;

    // The publication scan (see IsQuiescent), owned by whoever owns the segment: the log's roll lock while the segment
    // is in the log's table, the reclaimer's lock once it is retired (the hand-over holds both). Invariant: slots
    // [0, _publishedPrefix) are published (so _publishedPrefix <= ClaimedCount), and the arrivals of exactly those
    // slots lie in [_oldestArrivalMs, _newestArrivalMs]. Published slots stay published while the segment object is
    // reachable (its arrays are cleared only after it is quiescent and unreachable), so the prefix only grows.
    private int _publishedPrefix;
    private long _oldestArrivalMs = long.MaxValue;
    private long _newestArrivalMs = long.MinValue;

    public LogSegment(long baseIndex, SegmentArrays arrays)
    {
        BaseIndex = baseIndex;
        Entries = arrays.Entries;
        Arena = arrays.Arena;
        ChargedBytes = arrays.ChargedBytes;
    }

    /// <summary>Index one past the last claimed record.</summary>
    public long EndIndex => BaseIndex + ClaimedCount;

    public SegmentArrays Arrays => new(Entries, Arena);

    public LogSegment? Next => Volatile.Read(ref _next);

    public bool IsSealed => (Volatile.Read(ref _reservation) & SealedBit) != 0;

    /// <summary>Arena bytes claimed so far.</summary>
    public long ClaimedBytes => Volatile.Read(ref _reservation) & BytesMask;

    /// <summary>Slots claimed so far (the final count once sealed).</summary>
    public int ClaimedCount => (int)((Volatile.Read(ref _reservation) & ~SealedBit) >> CountShift);

    /// <summary>
    /// Claims <paramref name="count"/> consecutive slots and <paramref name="bytes"/> consecutive arena bytes.
    /// Lock-free; fails when the segment is sealed or the claim does not fit.
    /// </summary>
    public bool TryReserve(int count, int bytes, out int firstSlot, out int arenaOffset)
    {
        long current = Volatile.Read(ref _reservation);
        while (true)
        {
            int used = (int)(current >> CountShift);
            long usedBytes = current & BytesMask;
            if ((current & SealedBit) != 0 || used + count > Entries.Length || usedBytes + bytes > Arena.Length)
            {
                firstSlot = arenaOffset = 0;
                return false;
            }

            long next = ((long)(used + count) << CountShift) | (usedBytes + bytes);
            long seen = Interlocked.CompareExchange(ref _reservation, next, current);
            if (seen == current)
            {
                firstSlot = used;
                arenaOffset = (int)usedBytes;
                return true;
            }

            current = seen;
        }
    }

    /// <summary>Freezes the slot count; later reservations fail. Returns the final count.</summary>
    public int Seal()
    {
        long sealedWord = Interlocked.Or(ref _reservation, SealedBit) | SealedBit;
        return (int)((sealedWord & ~SealedBit) >> CountShift);
    }

    /// <summary>Links the successor; called once, under the log's roll lock, after <see cref="Seal"/>.</summary>
    public void Link(LogSegment next) => Volatile.Write(ref _next, next);

    /// <summary>Whether slot <paramref name="slot"/> holds a complete record.</summary>
    public bool IsPublished(int slot) => Volatile.Read(ref Entries[slot].Published) != 0;

    /// <summary>Slots known published (a prefix of the claimed ones); for invariant checks.</summary>
    internal int PublishedPrefix => _publishedPrefix;

    /// <summary>
    /// Whether no writer is, or can ever again be, in flight in this segment: it is sealed (no reservation can
    /// succeed) and every claimed slot is published (every reservation has finished writing). Only a quiescent
    /// segment is trimmed or recycled, so a producer's late copy never lands in storage someone else owns, and a trim
    /// never decides on an unpublished slot. This is the LMAX Disruptor's availability check: a slot counts only once
    /// its publication is seen (acquire), never by its claim.
    /// </summary>
    /// <remarks>
    /// The scan resumes where the last one stopped, so each slot is read about once over the segment's life (a few
    /// microseconds per full segment, off the append path). Called by the segment's owner only (see the fields).
    /// </remarks>
    /// <param name="oldestArrivalMs">The earliest arrival of its records (<see cref="long.MaxValue"/> when it has none).</param>
    /// <param name="newestArrivalMs">The latest arrival of its records (<see cref="long.MinValue"/> when it has none).</param>
    public bool IsQuiescent(out long oldestArrivalMs, out long newestArrivalMs)
    {
        long word = Volatile.Read(ref _reservation);
        int claimed = (int)((word & ~SealedBit) >> CountShift);
        int slot = _publishedPrefix;
        long oldest = _oldestArrivalMs, newest = _newestArrivalMs;
        while (slot < claimed && IsPublished(slot)) // acquire: the record's fields and bytes are complete
        {
            long arrival = Entries[slot].ArrivalMs;
            oldest = Math.Min(oldest, arrival);
            newest = Math.Max(newest, arrival);
            slot++;
        }

        _publishedPrefix = slot;
        _oldestArrivalMs = oldestArrivalMs = oldest;
        _newestArrivalMs = newestArrivalMs = newest;
        return (word & SealedBit) != 0 && slot == claimed;
    }

    /// <inheritdoc cref="IsQuiescent(out long, out long)"/>
    public bool IsQuiescent() => IsQuiescent(out _, out _);
}

/// <summary>The storage of a segment: descriptors (all unpublished) and an arena. Pooled by the <see cref="StorageBudget"/>.</summary>
internal readonly record struct SegmentArrays(RecordEntry[] Entries, byte[] Arena)
{
    /// <summary>No storage: the bootstrap segment of a new log and the end marker of a released one.</summary>
    public static SegmentArrays None => new([], []);

    public long ChargedBytes => Charge(Entries.Length, Arena.Length);

    public static long Charge(int slots, int arenaBytes) => ((long)slots * Marshal.SizeOf<RecordEntry>()) + arenaBytes;

    public static SegmentArrays Allocate(int slots, int arenaBytes) => new(new RecordEntry[slots], GC.AllocateUninitializedArray<byte>(arenaBytes));
}

/// <summary>The descriptor of one record in a segment's arena (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RecordEntry
{
    /// <summary>Arrival time, Unix milliseconds, from the engine's TimeProvider (read once per batch).</summary>
    public long ArrivalMs;

    /// <summary>Offset of the partition key's UTF-8 bytes in the arena; the payload follows them.</summary>
    public int Offset;

    /// <summary>Length of the partition key's UTF-8 bytes.</summary>
    public int KeyLength;

    /// <summary>Length of the payload.</summary>
    public int DataLength;

    /// <summary>
    /// 0 while being written; once every other field and the arena bytes are in place (release), the record's kind
    /// (<see cref="Kind"/>), with <see cref="AggregateMagicFlag"/> set when the stored payload starts as a KPL aggregate.
    /// </summary>
    public int Published;

    /// <summary>
    /// Set in <see cref="Published"/> when the stored payload is longer than a KPL aggregate's frame and starts with its
    /// magic (<c>F3 89 9A C2</c>): found once at append, while the bytes are being copied, so the consumers that
    /// de-aggregate (the KCL does it for every record) need not touch the payload of each plain record they read.
    /// </summary>
    public const int AggregateMagicFlag = 1 << 30;

    /// <summary>The record's kind: 1 for a plain payload, or a value the engine gives meaning to (2 + n: encrypted with the stream's n-th key).</summary>
    public readonly int Kind => Published & ~AggregateMagicFlag;

    /// <summary>Whether the stored payload starts as a KPL aggregate does (see <see cref="AggregateMagicFlag"/>).</summary>
    public readonly bool StartsWithAggregateMagic => (Published & AggregateMagicFlag) != 0;

    // The KPL aggregate's magic, read as a little-endian uint, and its frame (magic and MD5 trailer): the format itself lives
    // in the Aggregation layer above; storage only tags payloads that begin like one.
    private const uint AggregateMagic = 0xC29A89F3;
    private const int AggregateFrameLength = 4 + 16;

    /// <summary>
    /// The value to publish for a record of <paramref name="kind"/> whose stored payload is the
    /// <paramref name="payloadLength"/> bytes at <paramref name="payloadOffset"/> of <paramref name="arena"/> (one bounds check).
    /// </summary>
    public static int PublishedValue(int kind, byte[] arena, int payloadOffset, int payloadLength) =>
        payloadLength > AggregateFrameLength && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(arena.AsSpan(payloadOffset)) == AggregateMagic
            ? kind | AggregateMagicFlag
            : kind;
}
