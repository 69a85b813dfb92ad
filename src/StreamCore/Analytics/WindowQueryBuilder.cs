namespace StreamCore.Analytics;

/// <summary>
/// Where a windowed aggregation starts: <c>WindowQuery.Of&lt;Click&gt;().WithEventTime(c =&gt; c.Time).WithWatermarks(...)
/// .KeyBy(c =&gt; c.Page).Window(WindowAssigner.Tumbling(...)).Aggregate(Aggregators.Count&lt;Click&gt;())</c> gives a
/// <see cref="WindowQuery{TEvent, TKey, TResult}"/> to run over an <see cref="IAsyncEnumerable{T}"/>, a stream, or
/// push events into.
/// </summary>
public static class WindowQuery
{
    /// <summary>Starts describing a windowed aggregation of <typeparamref name="TEvent"/>.</summary>
    /// <typeparam name="TEvent">The events.</typeparam>
    /// <returns>A builder (event time defaults to the arrival time).</returns>
    public static WindowQueryBuilder<TEvent> Of<TEvent>() => new();
}

/// <summary>Which clock assigns events to windows.</summary>
public enum WindowTimeKind
{
    /// <summary>A timestamp carried by the event (a selector), with watermarks.</summary>
    EventTime,

    /// <summary>When the record arrived: a stream record's approximate arrival timestamp; an enumerable event's read time.</summary>
    ArrivalTime,

    /// <summary>The pipeline's clock when the event is processed: windows fire on the clock and nothing is ever late.</summary>
    ProcessingTime,
}

/// <summary>The time settings of a windowed aggregation, before it is keyed.</summary>
/// <typeparam name="TEvent">The events.</typeparam>
public sealed class WindowQueryBuilder<TEvent>
{
    internal WindowTimeKind TimeKind { get; private set; } = WindowTimeKind.ArrivalTime;

    internal Func<TEvent, long>? EventTime { get; private set; }

    internal long OutOfOrderness { get; private set; }

    internal long IdleTimeout { get; private set; }

    internal bool AdvanceWhenIdle { get; private set; } = true;

    /// <summary>Event time from the event.</summary>
    /// <param name="selector">The event's timestamp.</param>
    /// <returns>This builder.</returns>
    public WindowQueryBuilder<TEvent> WithEventTime(Func<TEvent, DateTimeOffset> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return WithEventTime(e => selector(e).ToUnixTimeMilliseconds());
    }

    /// <summary>Event time from the event, in milliseconds since the Unix epoch (the cheapest form).</summary>
    /// <param name="selector">The event's timestamp in epoch milliseconds (may be negative).</param>
    /// <returns>This builder.</returns>
    public WindowQueryBuilder<TEvent> WithEventTime(Func<TEvent, long> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        TimeKind = WindowTimeKind.EventTime;
        EventTime = selector;
        return this;
    }

    /// <summary>Event time is the arrival time (Kinesis's ApproximateArrivalTimestamp for stream records; the read time for enumerables).</summary>
    /// <returns>This builder.</returns>
    public WindowQueryBuilder<TEvent> WithArrivalTime()
    {
        TimeKind = WindowTimeKind.ArrivalTime;
        EventTime = null;
        return this;
    }

    /// <summary>Processing time: windows by the pipeline's clock, fired on the clock; no watermarks, no late events.</summary>
    /// <returns>This builder.</returns>
    public WindowQueryBuilder<TEvent> WithProcessingTime()
    {
        TimeKind = WindowTimeKind.ProcessingTime;
        EventTime = null;
        return this;
    }

    /// <summary>
    /// Watermarks: per shard, the largest event time seen minus <paramref name="maxOutOfOrderness"/> minus 1 ms; for
    /// the stream, the minimum over shards that are not idle.
    /// </summary>
    /// <param name="maxOutOfOrderness">How far behind the latest event an event may come and still be on time (0 or more, whole ms).</param>
    /// <param name="idleTimeout">A shard with no event for this long stops holding the watermark back (null: never).</param>
    /// <param name="advanceWhenIdle">When every shard is idle, the watermark follows the clock (<c>now - maxOutOfOrderness - 1 ms</c>), so windows close with no new traffic.</param>
    /// <returns>This builder.</returns>
    public WindowQueryBuilder<TEvent> WithWatermarks(TimeSpan maxOutOfOrderness, TimeSpan? idleTimeout = null, bool advanceWhenIdle = true)
    {
        OutOfOrderness = Milliseconds(maxOutOfOrderness, nameof(maxOutOfOrderness), min: 0);
        IdleTimeout = idleTimeout is { } idle ? Milliseconds(idle, nameof(idleTimeout), min: 1) : 0;
        AdvanceWhenIdle = advanceWhenIdle;
        return this;
    }

    /// <summary>Keys the events: each key has its own windows and results.</summary>
    /// <typeparam name="TKey">The key.</typeparam>
    /// <param name="keySelector">The key of an event.</param>
    /// <returns>The keyed builder.</returns>
    public WindowQueryBuilder<TEvent, TKey> KeyBy<TKey>(Func<TEvent, TKey> keySelector)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        return new WindowQueryBuilder<TEvent, TKey>(this, keySelector);
    }

    /// <summary>One window for all events (no key): the result's key is <see langword="true"/>.</summary>
    /// <returns>The keyed builder.</returns>
    public WindowQueryBuilder<TEvent, bool> All() => KeyBy(static _ => true);

    internal static long Milliseconds(TimeSpan value, string name, long min)
    {
        if (value.Ticks % TimeSpan.TicksPerMillisecond != 0 || value.Ticks / TimeSpan.TicksPerMillisecond < min)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a whole number of milliseconds, at least {min}.");
        }

        return value.Ticks / TimeSpan.TicksPerMillisecond;
    }
}

/// <summary>The window settings of a keyed aggregation.</summary>
/// <typeparam name="TEvent">The events.</typeparam>
/// <typeparam name="TKey">The key.</typeparam>
public sealed class WindowQueryBuilder<TEvent, TKey>
    where TKey : notnull
{
    private readonly WindowQueryBuilder<TEvent> _time;
    private readonly Func<TEvent, TKey> _key;
    private WindowAssigner? _assigner;
    private long _lateness;
    private WindowTrigger _trigger = WindowTrigger.OnWatermark;

    internal WindowQueryBuilder(WindowQueryBuilder<TEvent> time, Func<TEvent, TKey> key)
    {
        _time = time;
        _key = key;
    }

    /// <summary>The windows (required).</summary>
    /// <param name="assigner">Tumbling, sliding, session or stagger.</param>
    /// <returns>This builder.</returns>
    public WindowQueryBuilder<TEvent, TKey> Window(WindowAssigner assigner)
    {
        ArgumentNullException.ThrowIfNull(assigner);
        _assigner = assigner;
        return this;
    }

    /// <summary>
    /// How long after a window fires it keeps its state (Flink's allowed lateness, default 0): an event for it within
    /// that time updates the result (a <see cref="WindowFiring.Late"/> result); later ones go to the side output.
    /// </summary>
    /// <param name="lateness">0 or more, whole milliseconds.</param>
    /// <returns>This builder.</returns>
    public WindowQueryBuilder<TEvent, TKey> AllowedLateness(TimeSpan lateness)
    {
        _lateness = WindowQueryBuilder<TEvent>.Milliseconds(lateness, nameof(lateness), min: 0);
        return this;
    }

    /// <summary>Early firings on top of the watermark's (default: none).</summary>
    /// <param name="trigger">The trigger.</param>
    /// <returns>This builder.</returns>
    public WindowQueryBuilder<TEvent, TKey> Trigger(WindowTrigger trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        _trigger = trigger;
        return this;
    }

    /// <summary>The aggregation; completes the query.</summary>
    /// <typeparam name="TAccumulator">The aggregator's state.</typeparam>
    /// <typeparam name="TResult">Its result.</typeparam>
    /// <param name="aggregator">A built-in (<see cref="Aggregators"/>) or your own.</param>
    /// <returns>The query, immutable and reusable.</returns>
    /// <exception cref="InvalidOperationException">No window was set.</exception>
    public WindowQuery<TEvent, TKey, TResult> Aggregate<TAccumulator, TResult>(IAggregator<TEvent, TAccumulator, TResult> aggregator)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        WindowAssigner assigner = _assigner ?? throw new InvalidOperationException("A windowed aggregation needs windows: call Window(WindowAssigner.Tumbling(...)) (or Sliding, Session, Stagger) before Aggregate.");
        var settings = new WindowSettings<TEvent>(_time.TimeKind, _time.EventTime, _time.OutOfOrderness, _time.IdleTimeout, _time.AdvanceWhenIdle, assigner, _lateness, _trigger);
        return new WindowQuery<TEvent, TKey, TAccumulator, TResult>(settings, _key, aggregator);
    }
}

/// <summary>A query's settings, fixed when it is built.</summary>
internal sealed record WindowSettings<TEvent>(
    WindowTimeKind TimeKind,
    Func<TEvent, long>? EventTime,
    long OutOfOrderness,
    long IdleTimeout,
    bool AdvanceWhenIdle,
    WindowAssigner Assigner,
    long AllowedLateness,
    WindowTrigger Trigger);
