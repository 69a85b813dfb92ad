namespace StreamCore.Storage;

/// <summary>
/// An immutable view of a log's retained segments, oldest first, over a buffer shared with later views. Appending
/// writes past this view's end and returns a new view; dropping the oldest returns a view starting one later. A
/// slot inside any published view is never written again, so readers use a view without locks, and a roll costs a
/// small view object instead of a copy of every segment reference.
/// </summary>
internal sealed class SegmentTable
{
    // Invariant: _buffer[_head .. _head + Count) are this view's segments, BaseIndex strictly increasing; never
    // rewritten while any view covering them is reachable.
    private readonly LogSegment[] _buffer;
    private readonly int _head;

    private SegmentTable(LogSegment[] buffer, int head, int count)
    {
        _buffer = buffer;
        _head = head;
        Count = count;
    }

    public int Count { get; }

    public LogSegment First => _buffer[_head];

    public LogSegment this[int i] => _buffer[_head + i];

    public static SegmentTable Of(LogSegment segment) => new([segment, null!, null!, null!], 0, 1);

    /// <summary>Called under the log's roll lock only (one writer).</summary>
    public SegmentTable Append(LogSegment segment)
    {
        int end = _head + Count;
        if (end < _buffer.Length && _buffer[end] is null)
        {
            _buffer[end] = segment; // past every published view's end
            return new SegmentTable(_buffer, _head, Count + 1);
        }

        var buffer = new LogSegment[Math.Max(8, Count * 2)];
        Array.Copy(_buffer, _head, buffer, 0, Count);
        buffer[Count] = segment;
        return new SegmentTable(buffer, 0, Count + 1);
    }

    /// <summary>The view without its oldest segment (Count must be at least 2). Under the roll lock.</summary>
    public SegmentTable DropFirst() => new(_buffer, _head + 1, Count - 1);

    /// <summary>The segment holding <paramref name="index"/>: the last one whose BaseIndex is at most it.</summary>
    public LogSegment Find(long index)
    {
        int lo = 0, hi = Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >>> 1;
            if (this[mid].BaseIndex <= index)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return this[lo];
    }
}
