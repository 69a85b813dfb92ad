namespace StreamCore.Analytics;

/// <summary>
/// A window of time, <c>[Start, End)</c> in milliseconds since the Unix epoch (Flink's <c>TimeWindow</c>): the start is
/// inclusive, the end exclusive, and a window's results carry <see cref="MaxTimestamp"/> (<c>End - 1</c>).
/// </summary>
/// <param name="Start">The first millisecond in the window.</param>
/// <param name="End">The first millisecond after the window.</param>
public readonly record struct TimeWindow(long Start, long End)
{
    /// <summary>The last millisecond in the window (<c>End - 1</c>): the event time a result of the window carries.</summary>
    public long MaxTimestamp => End - 1;

    /// <summary>The window's start as a time.</summary>
    public DateTimeOffset StartTime => DateTimeOffset.FromUnixTimeMilliseconds(Start);

    /// <summary>The window's end as a time (KDA SQL stamps a window's row with it: ROWTIME = window end).</summary>
    public DateTimeOffset EndTime => DateTimeOffset.FromUnixTimeMilliseconds(End);

    /// <summary>Whether <paramref name="timestamp"/> falls in the window.</summary>
    /// <param name="timestamp">Milliseconds since the epoch.</param>
    /// <returns><see langword="true"/> when <c>Start &lt;= timestamp &lt; End</c>.</returns>
    public bool Contains(long timestamp) => timestamp >= Start && timestamp < End;

    /// <summary>Whether the windows overlap or touch (Flink's <c>intersects</c>: sessions that touch merge).</summary>
    /// <param name="other">The other window.</param>
    /// <returns><see langword="true"/> when <c>Start &lt;= other.End</c> and <c>End &gt;= other.Start</c>.</returns>
    public bool Intersects(TimeWindow other) => Start <= other.End && End >= other.Start;

    /// <summary>The smallest window covering both.</summary>
    /// <param name="other">The other window.</param>
    /// <returns><c>[min start, max end)</c>.</returns>
    public TimeWindow Cover(TimeWindow other) => new(Math.Min(Start, other.Start), Math.Max(End, other.End));

    /// <summary>
    /// The start of the window of length <paramref name="size"/>, aligned at <paramref name="offset"/>, that holds
    /// <paramref name="timestamp"/>: a floor-mod, so negative timestamps fall in the window below them (size 10,
    /// timestamp -13: start -20).
    /// </summary>
    /// <param name="timestamp">Milliseconds since the epoch (may be negative).</param>
    /// <param name="offset">The alignment offset in milliseconds.</param>
    /// <param name="size">The window size (or slide) in milliseconds, positive.</param>
    /// <returns>The window's start.</returns>
    public static long GetWindowStart(long timestamp, long offset, long size)
    {
        long remainder = (timestamp - offset) % size;
        return remainder >= 0 ? timestamp - remainder : timestamp - (remainder + size);
    }

    /// <inheritdoc/>
    public override string ToString() => $"[{Start}, {End})";
}
