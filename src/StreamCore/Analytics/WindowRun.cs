namespace StreamCore.Analytics;

/// <summary>
/// A windowed aggregation running in the background over its input. Read <see cref="Results"/> (and
/// <see cref="LateEvents"/>: the side output, which must be read too, since a full one holds the run back rather than
/// drop anything); take checkpoints with <see cref="CheckpointAsync"/>; dispose to stop.
/// </summary>
/// <typeparam name="TEvent">The events.</typeparam>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TResult">The aggregation's result.</typeparam>
public abstract class WindowRun<TEvent, TKey, TResult> : Applications.IAnalyticsJob
    where TKey : notnull
{
    private protected WindowRun()
    {
    }

    /// <summary>The results, in firing order; the sequence ends when the input ends (after every window fired) or the run stops.</summary>
    public abstract IAsyncEnumerable<WindowResult<TKey, TResult>> Results { get; }

    /// <summary>Events too late for all their windows; ends with the run.</summary>
    public abstract IAsyncEnumerable<LateEvent<TEvent>> LateEvents { get; }

    /// <summary>Completes when the run ends: faulted with the input's error, if it failed.</summary>
    public abstract Task Completion { get; }

    /// <summary>The watermark in epoch milliseconds.</summary>
    public abstract long Watermark { get; }

    /// <summary>Events processed so far (results of them are already in <see cref="Results"/>).</summary>
    public abstract long RecordsIn { get; }

    /// <summary>
    /// Takes a checkpoint between two batches: the state after every event processed so far, every result of which
    /// has been handed to <see cref="Results"/>. A run restored from it emits exactly the results this run would have
    /// emitted after this point.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="InvalidOperationException">The run has ended.</exception>
    public abstract ValueTask<WindowCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops the run (its sequences end) and waits for it.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public abstract ValueTask DisposeAsync();
}
