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
/// are recycled, and only once no reader pin can reach them (see <see cref="ShardLog"/>).
/// </remarks>
internal sealed class LogSegment
{
    private const int CountShift = 40;
    private const long BytesMask = (1L << CountShift) - 1;
    private const long SealedBit = 1L << 62;

    /// <summary>Index (within the shard) of this segment's slot 0. Immutable.</summary>
    public readonly long BaseIndex;

    /// <summary>Record descriptors; slot i is readable once its <see cref="RecordEntry.Published"/> is 1.</summary>
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
}

/// <summary>The storage of a segment: descriptors (all unpublished) and an arena. Pooled by the <see cref="StorageBudget"/>.</summary>
internal readonly record struct SegmentArrays(RecordEntry[] Entries, byte[] Arena)
{
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
    /// 0 while being written; once every other field and the arena bytes are in place (release), the record's kind:
    /// 1 for a plain payload, or a value the engine gives meaning to (2 + n: encrypted with the stream's n-th key).
    /// </summary>
    public int Published;
}
