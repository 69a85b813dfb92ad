namespace StreamCore.Analytics;

/// <summary>
/// Which windows an event belongs to: tumbling, sliding (hopping) and session windows with Flink's arithmetic, and
/// KDA SQL's stagger windows. Sizes are whole milliseconds.
/// </summary>
public sealed class WindowAssigner
{
    /// <summary>The most windows one event may fall in (a sliding window's size over its slide).</summary>
    public const int MaxWindowsPerEvent = 1_000;

    private WindowAssigner(WindowKind kind, long size, long slide, long offset)
    {
        Kind = kind;
        Size = size;
        Slide = slide;
        Offset = offset;
    }

    internal WindowKind Kind { get; }

    /// <summary>The window size (the gap for sessions), in milliseconds.</summary>
    internal long Size { get; }

    internal long Slide { get; }

    internal long Offset { get; }

    /// <summary>Whether every key's windows share their boundaries (tumbling, sliding).</summary>
    internal bool IsAligned => Kind is WindowKind.Tumbling or WindowKind.Sliding;

    internal int WindowsPerEvent => Kind == WindowKind.Sliding ? (int)((Size + Slide - 1) / Slide) : 1;

    /// <summary>Tumbling windows: each event in exactly one window <c>[start, start + size)</c>.</summary>
    /// <param name="size">The window size, at least 1 ms, whole milliseconds.</param>
    /// <param name="offset">Shifts the alignment (hour windows from :15; one day at -8 h for UTC+8 midnight); |offset| &lt; size.</param>
    /// <returns>The assigner.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size or offset is out of range.</exception>
    public static WindowAssigner Tumbling(TimeSpan size, TimeSpan offset = default)
    {
        long sizeMs = Milliseconds(size, nameof(size));
        long offsetMs = WholeMilliseconds(offset, nameof(offset));
        if (Math.Abs(offsetMs) >= sizeMs)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"A tumbling window's offset must be smaller in magnitude than its size ({size}).");
        }

        return new WindowAssigner(WindowKind.Tumbling, sizeMs, sizeMs, offsetMs);
    }

    /// <summary>Sliding (hopping) windows of <paramref name="size"/> starting every <paramref name="slide"/>: an event is in about size/slide windows.</summary>
    /// <param name="size">The window size, at least 1 ms, whole milliseconds.</param>
    /// <param name="slide">How often a window starts, at least 1 ms; size/slide at most <see cref="MaxWindowsPerEvent"/>.</param>
    /// <param name="offset">Shifts the alignment; |offset| &lt; slide.</param>
    /// <returns>The assigner.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static WindowAssigner Sliding(TimeSpan size, TimeSpan slide, TimeSpan offset = default)
    {
        long sizeMs = Milliseconds(size, nameof(size));
        long slideMs = Milliseconds(slide, nameof(slide));
        long offsetMs = WholeMilliseconds(offset, nameof(offset));
        if (Math.Abs(offsetMs) >= slideMs)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"A sliding window's offset must be smaller in magnitude than its slide ({slide}).");
        }

        if ((sizeMs + slideMs - 1) / slideMs > MaxWindowsPerEvent)
        {
            throw new ArgumentOutOfRangeException(nameof(slide), slide, $"A sliding window of {size} sliding by {slide} puts each event in more than {MaxWindowsPerEvent} windows; use a larger slide.");
        }

        return new WindowAssigner(WindowKind.Sliding, sizeMs, slideMs, offsetMs);
    }

    /// <summary>
    /// Session windows per key: each event opens <c>[t, t + gap)</c>, and windows that overlap or touch merge, so an
    /// event exactly <paramref name="gap"/> after the previous one joins its session.
    /// </summary>
    /// <param name="gap">The inactivity gap that ends a session, at least 1 ms.</param>
    /// <returns>The assigner.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The gap is out of range.</exception>
    public static WindowAssigner Session(TimeSpan gap) => new(WindowKind.Session, Milliseconds(gap, nameof(gap)), 0, 0);

    /// <summary>
    /// KDA SQL's stagger windows: a window per key that opens with the key's first event and closes
    /// <paramref name="size"/> later (its result is stamped with open time + size); the next event after it opens the
    /// next window. Key by the partition columns (for example the event-time minute and the ticker).
    /// </summary>
    /// <param name="size">How long a window stays open, at least 1 ms.</param>
    /// <returns>The assigner.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is out of range.</exception>
    public static WindowAssigner Stagger(TimeSpan size) => new(WindowKind.Stagger, Milliseconds(size, nameof(size)), 0, 0);

    /// <summary>Writes the aligned windows holding <paramref name="timestamp"/> into <paramref name="windows"/>, latest start first.</summary>
    internal int AssignAligned(long timestamp, Span<TimeWindow> windows)
    {
        if (Kind == WindowKind.Tumbling)
        {
            long start = TimeWindow.GetWindowStart(timestamp, Offset, Size);
            windows[0] = new TimeWindow(start, start + Size);
            return 1;
        }

        int count = 0;
        for (long start = TimeWindow.GetWindowStart(timestamp, Offset, Slide); start > timestamp - Size; start -= Slide)
        {
            windows[count++] = new TimeWindow(start, start + Size);
        }

        return count;
    }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        WindowKind.Tumbling => $"Tumbling({Size} ms, offset {Offset} ms)",
        WindowKind.Sliding => $"Sliding({Size} ms every {Slide} ms, offset {Offset} ms)",
        WindowKind.Session => $"Session(gap {Size} ms)",
        _ => $"Stagger({Size} ms)",
    };

    private static long Milliseconds(TimeSpan value, string name)
    {
        long ms = WholeMilliseconds(value, name);
        if (ms < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1 millisecond.");
        }

        return ms;
    }

    private static long WholeMilliseconds(TimeSpan value, string name) =>
        value.Ticks % TimeSpan.TicksPerMillisecond == 0
            ? value.Ticks / TimeSpan.TicksPerMillisecond
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a whole number of milliseconds.");
}

internal enum WindowKind
{
    Tumbling,
    Sliding,
    Session,
    Stagger,
}
