namespace StreamCore.Analytics;

/// <summary>
/// An incremental aggregation (Flink's <c>AggregateFunction</c>): one accumulator per key and window, updated in place
/// for each event, merged when session windows merge, read when the window fires. A value-type accumulator keeps the
/// hot path free of allocation.
/// </summary>
/// <typeparam name="TIn">The events aggregated.</typeparam>
/// <typeparam name="TAccumulator">The running state.</typeparam>
/// <typeparam name="TResult">What a firing emits.</typeparam>
public interface IAggregator<in TIn, TAccumulator, out TResult>
{
    /// <summary>A new, empty accumulator.</summary>
    /// <returns>The accumulator.</returns>
    TAccumulator CreateAccumulator();

    /// <summary>Adds one event.</summary>
    /// <param name="accumulator">The accumulator, updated in place.</param>
    /// <param name="value">The event.</param>
    void Add(ref TAccumulator accumulator, TIn value);

    /// <summary>Merges two accumulators (sessions that merge); either may be reused for the result.</summary>
    /// <param name="left">One accumulator.</param>
    /// <param name="right">The other.</param>
    /// <returns>The accumulator of both.</returns>
    TAccumulator Merge(TAccumulator left, TAccumulator right);

    /// <summary>The result of an accumulator (called at every firing; must not change it).</summary>
    /// <param name="accumulator">The accumulator.</param>
    /// <returns>The result.</returns>
    TResult GetResult(in TAccumulator accumulator);

    /// <summary>
    /// An independent copy of an accumulator, for checkpoints. A value-type accumulator without references is its own
    /// copy (the default); an accumulator holding collections must copy them.
    /// </summary>
    /// <param name="accumulator">The accumulator.</param>
    /// <returns>A copy that later updates of the original do not change.</returns>
    TAccumulator Copy(in TAccumulator accumulator) => accumulator;
}
