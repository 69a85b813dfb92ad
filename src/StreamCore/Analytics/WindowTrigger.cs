namespace StreamCore.Analytics;

/// <summary>
/// When a window's result is emitted. Every trigger fires on the watermark (Flink's event-time trigger: once the
/// watermark reaches the window's <see cref="TimeWindow.MaxTimestamp"/>), and again for each event admitted within the
/// allowed lateness; early firings add partial results before that, by count or on the processing-time clock.
/// </summary>
public sealed class WindowTrigger
{
    private WindowTrigger(int earlyCount, long earlyIntervalMs)
    {
        EarlyCount = earlyCount;
        EarlyIntervalMs = earlyIntervalMs;
    }

    /// <summary>Fires once per window, when the watermark passes its end (the default).</summary>
    public static WindowTrigger OnWatermark { get; } = new(0, 0);

    /// <summary>A key's window fires early every <c>EarlyCount</c> events it receives (0: never).</summary>
    internal int EarlyCount { get; }

    /// <summary>Open windows that changed fire early every this many milliseconds of processing time (0: never).</summary>
    internal long EarlyIntervalMs { get; }

    /// <summary>Early partial results every <paramref name="count"/> events a key's window receives, then the final one on the watermark.</summary>
    /// <param name="count">At least 1.</param>
    /// <returns>The trigger.</returns>
    public static WindowTrigger EarlyEvery(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new WindowTrigger(count, 0);
    }

    /// <summary>
    /// Early partial results for every open window that changed, each <paramref name="interval"/> of processing time
    /// (the pipeline's <see cref="TimeProvider"/>), then the final one on the watermark.
    /// </summary>
    /// <param name="interval">At least 1 ms, whole milliseconds.</param>
    /// <returns>The trigger.</returns>
    public static WindowTrigger EarlyEvery(TimeSpan interval)
    {
        if (interval < TimeSpan.FromMilliseconds(1) || interval.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The early-firing interval must be a whole number of milliseconds, at least 1.");
        }

        return new WindowTrigger(0, interval.Ticks / TimeSpan.TicksPerMillisecond);
    }
}

/// <summary>Why a result was emitted.</summary>
public enum WindowFiring
{
    /// <summary>A partial result before the watermark reached the window's end (an early trigger).</summary>
    Early,

    /// <summary>The result when the watermark reached the window's end.</summary>
    OnTime,

    /// <summary>An updated result: an event arrived after the window fired, within the allowed lateness.</summary>
    Late,
}

/// <summary>One result of one key's window.</summary>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TResult">The aggregation's result.</typeparam>
/// <param name="Key">The key.</param>
/// <param name="Window">The window (for sessions, the merged session).</param>
/// <param name="Value">The aggregated value over the window's events so far.</param>
/// <param name="Firing">Early, on time, or a late update.</param>
public readonly record struct WindowResult<TKey, TResult>(TKey Key, TimeWindow Window, TResult Value, WindowFiring Firing);

/// <summary>An event too late for every window it falls in (past the allowed lateness): the side output, never dropped silently.</summary>
/// <typeparam name="TEvent">The event type.</typeparam>
/// <param name="Event">The event.</param>
/// <param name="Timestamp">Its event time, in milliseconds since the epoch.</param>
/// <param name="Watermark">The watermark it was late against.</param>
public readonly record struct LateEvent<TEvent>(TEvent Event, long Timestamp, long Watermark);
