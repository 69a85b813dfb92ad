using System.Numerics;

namespace StreamCore.Analytics;

/// <summary>The built-in aggregations: count, sum, min, max, average, distinct count and top-N, and composition of two.</summary>
public static class Aggregators
{
    /// <summary>The number of events.</summary>
    /// <typeparam name="TIn">The events.</typeparam>
    /// <returns>The aggregator (a <see cref="long"/> accumulator: no allocation per event).</returns>
    public static IAggregator<TIn, long, long> Count<TIn>() => CountAggregator<TIn>.Instance;

    /// <summary>The sum of a value of each event.</summary>
    /// <typeparam name="TIn">The events.</typeparam>
    /// <typeparam name="TValue">A number type.</typeparam>
    /// <param name="selector">The value of an event.</param>
    /// <returns>The aggregator.</returns>
    public static IAggregator<TIn, TValue, TValue> Sum<TIn, TValue>(Func<TIn, TValue> selector)
        where TValue : struct, INumber<TValue>
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new SumAggregator<TIn, TValue>(selector);
    }

    /// <summary>The smallest value of the events.</summary>
    /// <typeparam name="TIn">The events.</typeparam>
    /// <typeparam name="TValue">A comparable value.</typeparam>
    /// <param name="selector">The value of an event.</param>
    /// <returns>The aggregator (a window fires only with at least one event, so there is always a value).</returns>
    public static IAggregator<TIn, Extreme<TValue>, TValue> Min<TIn, TValue>(Func<TIn, TValue> selector)
        where TValue : IComparable<TValue>
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new ExtremeAggregator<TIn, TValue>(selector, max: false);
    }

    /// <summary>The largest value of the events.</summary>
    /// <typeparam name="TIn">The events.</typeparam>
    /// <typeparam name="TValue">A comparable value.</typeparam>
    /// <param name="selector">The value of an event.</param>
    /// <returns>The aggregator.</returns>
    public static IAggregator<TIn, Extreme<TValue>, TValue> Max<TIn, TValue>(Func<TIn, TValue> selector)
        where TValue : IComparable<TValue>
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new ExtremeAggregator<TIn, TValue>(selector, max: true);
    }

    /// <summary>The mean of a value of each event.</summary>
    /// <typeparam name="TIn">The events.</typeparam>
    /// <param name="selector">The value of an event.</param>
    /// <returns>The aggregator.</returns>
    public static IAggregator<TIn, (double Sum, long Count), double> Average<TIn>(Func<TIn, double> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new AverageAggregator<TIn>(selector);
    }

    /// <summary>The number of distinct values (exact; the accumulator holds the set of values).</summary>
    /// <typeparam name="TIn">The events.</typeparam>
    /// <typeparam name="TValue">The value counted.</typeparam>
    /// <param name="selector">The value of an event.</param>
    /// <returns>The aggregator.</returns>
    public static IAggregator<TIn, HashSet<TValue>, long> DistinctCount<TIn, TValue>(Func<TIn, TValue> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new DistinctCountAggregator<TIn, TValue>(selector);
    }

    /// <summary>
    /// The <paramref name="n"/> most frequent values with their counts, most frequent first, ties by value (KDA SQL's
    /// TOP_K_ITEMS, computed exactly).
    /// </summary>
    /// <typeparam name="TIn">The events.</typeparam>
    /// <typeparam name="TValue">The value ranked.</typeparam>
    /// <param name="selector">The value of an event.</param>
    /// <param name="n">How many values, at least 1.</param>
    /// <returns>The aggregator.</returns>
    public static IAggregator<TIn, Dictionary<TValue, long>, IReadOnlyList<KeyValuePair<TValue, long>>> TopN<TIn, TValue>(Func<TIn, TValue> selector, int n)
        where TValue : notnull
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return new TopNAggregator<TIn, TValue>(selector, n);
    }

    private sealed class CountAggregator<TIn> : IAggregator<TIn, long, long>
    {
        public static readonly CountAggregator<TIn> Instance = new();

        public long CreateAccumulator() => 0;

        public void Add(ref long accumulator, TIn value) => accumulator++;

        public long Merge(long left, long right) => left + right;

        public long GetResult(in long accumulator) => accumulator;
    }

    private sealed class SumAggregator<TIn, TValue>(Func<TIn, TValue> selector) : IAggregator<TIn, TValue, TValue>
        where TValue : struct, INumber<TValue>
    {
        public TValue CreateAccumulator() => TValue.Zero;

        public void Add(ref TValue accumulator, TIn value) => accumulator += selector(value);

        public TValue Merge(TValue left, TValue right) => left + right;

        public TValue GetResult(in TValue accumulator) => accumulator;
    }

    private sealed class ExtremeAggregator<TIn, TValue>(Func<TIn, TValue> selector, bool max) : IAggregator<TIn, Extreme<TValue>, TValue>
        where TValue : IComparable<TValue>
    {
        public Extreme<TValue> CreateAccumulator() => default;

        public void Add(ref Extreme<TValue> accumulator, TIn value) => accumulator = Better(accumulator, new Extreme<TValue>(true, selector(value)));

        public Extreme<TValue> Merge(Extreme<TValue> left, Extreme<TValue> right) => Better(left, right);

        public TValue GetResult(in Extreme<TValue> accumulator) => accumulator.Value;

        private Extreme<TValue> Better(Extreme<TValue> current, Extreme<TValue> candidate)
        {
            if (!candidate.HasValue)
            {
                return current;
            }

            if (!current.HasValue)
            {
                return candidate;
            }

            int order = candidate.Value.CompareTo(current.Value);
            return (max ? order > 0 : order < 0) ? candidate : current;
        }
    }

    private sealed class AverageAggregator<TIn>(Func<TIn, double> selector) : IAggregator<TIn, (double Sum, long Count), double>
    {
        public (double Sum, long Count) CreateAccumulator() => default;

        public void Add(ref (double Sum, long Count) accumulator, TIn value)
        {
            accumulator.Sum += selector(value);
            accumulator.Count++;
        }

        public (double Sum, long Count) Merge((double Sum, long Count) left, (double Sum, long Count) right) => (left.Sum + right.Sum, left.Count + right.Count);

        public double GetResult(in (double Sum, long Count) accumulator) => accumulator.Count == 0 ? double.NaN : accumulator.Sum / accumulator.Count;
    }

    private sealed class DistinctCountAggregator<TIn, TValue>(Func<TIn, TValue> selector) : IAggregator<TIn, HashSet<TValue>, long>
    {
        public HashSet<TValue> CreateAccumulator() => [];

        public void Add(ref HashSet<TValue> accumulator, TIn value) => accumulator.Add(selector(value));

        public HashSet<TValue> Merge(HashSet<TValue> left, HashSet<TValue> right)
        {
            left.UnionWith(right);
            return left;
        }

        public long GetResult(in HashSet<TValue> accumulator) => accumulator.Count;

        public HashSet<TValue> Copy(in HashSet<TValue> accumulator) => new(accumulator, accumulator.Comparer);
    }

    private sealed class TopNAggregator<TIn, TValue>(Func<TIn, TValue> selector, int n) : IAggregator<TIn, Dictionary<TValue, long>, IReadOnlyList<KeyValuePair<TValue, long>>>
        where TValue : notnull
    {
        public Dictionary<TValue, long> CreateAccumulator() => [];

        public void Add(ref Dictionary<TValue, long> accumulator, TIn value)
        {
            ref long count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(accumulator, selector(value), out _);
            count++;
        }

        public Dictionary<TValue, long> Merge(Dictionary<TValue, long> left, Dictionary<TValue, long> right)
        {
            foreach ((TValue value, long count) in right)
            {
                ref long total = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(left, value, out _);
                total += count;
            }

            return left;
        }

        public IReadOnlyList<KeyValuePair<TValue, long>> GetResult(in Dictionary<TValue, long> accumulator) =>
            [.. accumulator.OrderByDescending(p => p.Value).ThenBy(p => p.Key, Comparer<TValue>.Default).Take(n)];

        public Dictionary<TValue, long> Copy(in Dictionary<TValue, long> accumulator) => new(accumulator, accumulator.Comparer);
    }
}

/// <summary>The accumulator of <see cref="Aggregators.Min{TIn, TValue}"/> and <see cref="Aggregators.Max{TIn, TValue}"/>.</summary>
/// <typeparam name="TValue">The value compared.</typeparam>
/// <param name="HasValue">Whether any event was seen.</param>
/// <param name="Value">The extreme so far.</param>
public readonly record struct Extreme<TValue>(bool HasValue, TValue Value);
