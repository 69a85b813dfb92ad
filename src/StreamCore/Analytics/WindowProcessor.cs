namespace StreamCore.Analytics;

/// <summary>
/// A windowed aggregation you push events into, synchronously, one caller at a time. Results and late events queue up
/// until read with <see cref="TryRead"/> and <see cref="TryReadLate"/>. The watermark advances after each
/// <see cref="Add(ReadOnlySpan{TEvent})"/> and <see cref="AdvanceTime"/>; with no new events, call
/// <see cref="AdvanceTime"/> after the clock moves (idleness, processing-time windows, early firings).
/// </summary>
/// <typeparam name="TEvent">The events.</typeparam>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TResult">The aggregation's result.</typeparam>
public abstract class WindowProcessor<TEvent, TKey, TResult>
    where TKey : notnull
{
    private protected WindowProcessor()
    {
    }

    /// <summary>The current watermark in epoch milliseconds (<see cref="long.MinValue"/> before any).</summary>
    public abstract long Watermark { get; }

    /// <summary>Events added so far.</summary>
    public abstract long RecordsIn { get; }

    /// <summary>Key windows holding state (released once the watermark passes their end plus the allowed lateness).</summary>
    public abstract int LiveWindowCount { get; }

    /// <summary>Adds one event (a batch of one).</summary>
    /// <param name="value">The event.</param>
    /// <exception cref="InvalidOperationException">The processor is complete.</exception>
    public abstract void Add(TEvent value);

    /// <summary>Adds a batch of events in order; the watermark advances after the batch.</summary>
    /// <param name="values">The events.</param>
    /// <exception cref="InvalidOperationException">The processor is complete.</exception>
    public abstract void Add(ReadOnlySpan<TEvent> values);

    /// <summary>Reads the clock: idle shards stop holding the watermark back, processing-time windows and early firings fire.</summary>
    /// <exception cref="InvalidOperationException">The processor is complete.</exception>
    public abstract void AdvanceTime();

    /// <summary>End of input: the watermark goes to +infinity and every window fires. Later adds throw.</summary>
    public abstract void Complete();

    /// <summary>Takes the next result.</summary>
    /// <param name="result">The result.</param>
    /// <returns><see langword="false"/> when none is waiting.</returns>
    public abstract bool TryRead(out WindowResult<TKey, TResult> result);

    /// <summary>Takes the next event that was too late for all its windows (the side output).</summary>
    /// <param name="late">The late event.</param>
    /// <returns><see langword="false"/> when none is waiting.</returns>
    public abstract bool TryReadLate(out LateEvent<TEvent> late);

    /// <summary>A copy of the whole state (windows, accumulators, watermarks, events consumed), to restore later with <see cref="WindowQuery{TEvent, TKey, TResult}.CreateProcessor"/>.</summary>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="InvalidOperationException">Results or late events are still unread, or the processor is complete.</exception>
    public abstract WindowCheckpoint Checkpoint();
}
