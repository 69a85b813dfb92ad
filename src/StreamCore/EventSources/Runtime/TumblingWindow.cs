namespace StreamCore.EventSources;

/// <summary>
/// The open tumbling window of one shard: its bounds (aligned to multiples of its length since the epoch, by each
/// record's approximate arrival time) and the state the function returned last. Kept in the shard's progress, so a
/// pause or an update carries it over; a new window (and a child shard) starts with an empty state. Touched only by
/// the shard's one lane (tumbling windows run one batch per shard at a time).
/// </summary>
internal sealed class TumblingWindow
{
    /// <summary>Lambda's cap on a window's state, per shard: a state over it ends the window early.</summary>
    public const int MaxStateBytes = 1024 * 1024;

    public TumblingWindow(DateTimeOffset start, DateTimeOffset end)
    {
        Start = start;
        End = end;
    }

    /// <summary>The window's start (inclusive).</summary>
    public DateTimeOffset Start { get; }

    /// <summary>The window's end (exclusive).</summary>
    public DateTimeOffset End { get; }

    /// <summary>The state the function returned last (empty at the start and after an early termination).</summary>
    public Dictionary<string, string> State { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the function was invoked with records of the window since it opened (or since its early termination): then it gets a final invocation.</summary>
    public bool Invoked { get; private set; }

    /// <summary>The last state passed the cap: the next invocation is the final one, with <c>isWindowTerminatedEarly</c>.</summary>
    public bool TerminatedEarly { get; private set; }

    /// <summary>The start of the window of <paramref name="seconds"/> that holds <paramref name="arrival"/> (floor, also before the epoch).</summary>
    public static DateTimeOffset StartOf(DateTimeOffset arrival, int seconds)
    {
        long size = seconds * 1000L;
        long ms = arrival.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms - (((ms % size) + size) % size));
    }

    /// <summary>Opens the window that holds <paramref name="arrival"/>.</summary>
    public static TumblingWindow Holding(DateTimeOffset arrival, int seconds)
    {
        DateTimeOffset start = StartOf(arrival, seconds);
        return new TumblingWindow(start, start.AddSeconds(seconds));
    }

    /// <summary>Whether a record that arrived at <paramref name="arrival"/> belongs here (a record older than the window, which only a clock step back can give, counts as this window's).</summary>
    public bool Holds(DateTimeOffset arrival) => arrival < End;

    /// <summary>Takes the state a successful (or partly successful) invocation with records returned.</summary>
    /// <param name="state">The state.</param>
    /// <param name="sizeBytes">Its size as JSON.</param>
    public void Accept(Dictionary<string, string> state, int sizeBytes)
    {
        State = state;
        Invoked = true;
        TerminatedEarly = sizeBytes > MaxStateBytes;
    }

    /// <summary>After the early final invocation: the window goes on with a fresh state.</summary>
    public void Restart()
    {
        State = new Dictionary<string, string>(StringComparer.Ordinal);
        Invoked = false;
        TerminatedEarly = false;
    }
}

/// <summary>A batch's window: the window, and whether this is its final invocation (no records).</summary>
internal readonly record struct WindowTurn(TumblingWindow Window, bool Final);
