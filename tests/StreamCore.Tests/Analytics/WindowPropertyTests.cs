using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Analytics;

namespace StreamCore.Tests.Analytics;

/// <summary>
/// Window assignment and aggregation against brute-force models: each event is counted in exactly the windows whose
/// [start, end) holds its timestamp (negative timestamps and offsets included), sessions are the runs of a key's
/// sorted timestamps no more than a gap apart whatever the arrival order, and the results do not depend on the order
/// of arrival within the out-of-orderness bound.
/// </summary>
public class WindowPropertyTests
{
    public readonly record struct Event(int Key, long Time);

    private static Event[] Events(int[] keys, int[] times, int spread) =>
        [.. keys.Zip(times, (k, t) => new Event(Math.Abs(k % 5), (long)t * spread))];

    private static List<WindowResult<int, long>> RunAll(WindowQuery<Event, int, long> query, IEnumerable<Event> events)
    {
        WindowProcessor<Event, int, long> processor = query.CreateProcessor(new FakeTimeProvider());
        var results = new List<WindowResult<int, long>>();
        foreach (Event e in events)
        {
            processor.Add(e);
        }

        processor.Complete();
        while (processor.TryRead(out WindowResult<int, long> r))
        {
            results.Add(r);
        }

        Assert.False(processor.TryReadLate(out _));
        Assert.Equal(0, processor.LiveWindowCount); // every window's state is released once it fired
        return results;
    }

    [Property(MaxTest = 200)]
    public void Tumbling_puts_every_timestamp_in_the_one_floor_mod_window_that_holds_it(long timestamp, PositiveInt size, int offsetSeed)
    {
        long s = size.Get;
        long offset = offsetSeed % s; // |offset| < size
        long ts = timestamp / 4; // no overflow at the edges
        long start = TimeWindow.GetWindowStart(ts, offset, s);
        Assert.True(start <= ts && ts < start + s, $"{ts} not in [{start}, {start + s})");
        Assert.Equal(0, Mod(start - offset, s)); // aligned at the offset
    }

    [Fact]
    public void The_window_start_is_a_floor_mod_for_negative_timestamps()
    {
        Assert.Equal(-20, TimeWindow.GetWindowStart(-13, 0, 10)); // the old formula (ts - (ts - offset + size) % size) says -10
        Assert.Equal(-10, TimeWindow.GetWindowStart(-10, 0, 10));
        Assert.Equal(-5, TimeWindow.GetWindowStart(-1, 5, 10));
        Assert.Equal(15 * 60_000, TimeWindow.GetWindowStart(20 * 60_000, 15 * 60_000, 3_600_000)); // hour windows from :15
    }

    [Property(MaxTest = 100)]
    public void Tumbling_counts_each_event_in_exactly_one_window(int[] keys, int[] times, PositiveInt size, int offsetSeed)
    {
        long s = Math.Min(size.Get, 1_000);
        long offset = offsetSeed % s;
        Event[] events = Events(keys, times, 7);
        WindowQuery<Event, int, long> query = WindowQuery.Of<Event>().WithEventTime(e => e.Time).WithWatermarks(TimeSpan.FromDays(10_000))
            .KeyBy(e => e.Key).Window(WindowAssigner.Tumbling(TimeSpan.FromMilliseconds(s), TimeSpan.FromMilliseconds(offset))).Aggregate(Aggregators.Count<Event>());
        List<WindowResult<int, long>> results = RunAll(query, events);

        Assert.Equal(events.Length, results.Sum(r => r.Value));
        Assert.All(results, r => Assert.Equal(events.Count(e => e.Key == r.Key && r.Window.Contains(e.Time)), r.Value));
        Assert.Equal(results.Count, results.Select(r => (r.Key, r.Window)).Distinct().Count()); // one on-time result per key window
    }

    [Property(MaxTest = 100)]
    public void Sliding_counts_each_event_in_every_window_of_size_over_slide_that_holds_it(int[] keys, int[] times, PositiveInt slideSeed, PositiveInt factor, int offsetSeed)
    {
        long slide = Math.Min(slideSeed.Get, 50);
        long size = slide * Math.Min(factor.Get, 6) + (offsetSeed & 1) * (slide / 2); // divisible or not
        long offset = offsetSeed % slide;
        Event[] events = Events(keys, times, 3);
        WindowQuery<Event, int, long> query = WindowQuery.Of<Event>().WithEventTime(e => e.Time).WithWatermarks(TimeSpan.FromDays(10_000))
            .KeyBy(e => e.Key).Window(WindowAssigner.Sliding(TimeSpan.FromMilliseconds(size), TimeSpan.FromMilliseconds(slide), TimeSpan.FromMilliseconds(offset))).Aggregate(Aggregators.Count<Event>());
        List<WindowResult<int, long>> results = RunAll(query, events);

        // The model: the windows [s, s + size) with s = offset (mod slide) that hold the timestamp, found by scanning.
        long expectedTotal = 0;
        foreach (Event e in events)
        {
            for (long start = e.Time - size - slide; start <= e.Time + slide; start++)
            {
                if (Mod(start - offset, slide) == 0 && start <= e.Time && e.Time < start + size)
                {
                    expectedTotal++;
                    Assert.Contains(results, r => r.Key == e.Key && r.Window == new TimeWindow(start, start + size));
                }
            }
        }

        Assert.Equal(expectedTotal, results.Sum(r => r.Value));
        Assert.All(results, r => Assert.Equal(events.Count(e => e.Key == r.Key && r.Window.Contains(e.Time)), r.Value));
    }

    [Property(MaxTest = 150)]
    public void Sessions_are_the_runs_of_sorted_timestamps_no_more_than_the_gap_apart_whatever_the_arrival_order(int[] keys, int[] times, PositiveInt gapSeed, int shuffleSeed)
    {
        long gap = Math.Min(gapSeed.Get, 40);
        Event[] events = Events(keys, times, 5);
        var random = new Random(shuffleSeed);
        Event[] arrival = [.. events.OrderBy(_ => random.Next())];
        WindowQuery<Event, int, long> query = WindowQuery.Of<Event>().WithEventTime(e => e.Time).WithWatermarks(TimeSpan.FromDays(10_000))
            .KeyBy(e => e.Key).Window(WindowAssigner.Session(TimeSpan.FromMilliseconds(gap))).Aggregate(Aggregators.Count<Event>());
        List<WindowResult<int, long>> results = RunAll(query, arrival);

        // The model: per key, sorted timestamps; a session continues while the next is at most gap after the last.
        var expected = new List<(int Key, TimeWindow Window, long Count)>();
        foreach (IGrouping<int, Event> key in events.GroupBy(e => e.Key))
        {
            long[] sorted = [.. key.Select(e => e.Time).Order()];
            int first = 0;
            for (int i = 1; i <= sorted.Length; i++)
            {
                if (i == sorted.Length || sorted[i] - sorted[i - 1] > gap)
                {
                    expected.Add((key.Key, new TimeWindow(sorted[first], sorted[i - 1] + gap), i - first));
                    first = i;
                }
            }
        }

        Assert.Equal(
            expected.OrderBy(x => x.Key).ThenBy(x => x.Window.Start),
            results.Select(r => (r.Key, r.Window, r.Value)).OrderBy(x => x.Key).ThenBy(x => x.Window.Start));
    }

    [Property(MaxTest = 150)]
    public void Results_do_not_depend_on_arrival_order_within_the_out_of_orderness_bound(int[] keys, NonNegativeInt[] steps, NonNegativeInt[] jitters, PositiveInt boundSeed, bool sliding)
    {
        long bound = Math.Min(boundSeed.Get, 200);
        var arrival = new List<Event>();
        long at = -1_000; // negative event times too
        for (int i = 0; i < Math.Min(keys.Length, Math.Min(steps.Length, jitters.Length)); i++)
        {
            at += steps[i].Get % 50;
            arrival.Add(new Event(Math.Abs(keys[i] % 4), at + (jitters[i].Get % (bound + 1)))); // never more than the bound behind the latest
        }

        WindowAssigner windows = sliding ? WindowAssigner.Sliding(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(30)) : WindowAssigner.Tumbling(TimeSpan.FromMilliseconds(70));
        WindowQuery<Event, int, long> query = WindowQuery.Of<Event>().WithEventTime(e => e.Time).WithWatermarks(TimeSpan.FromMilliseconds(bound))
            .KeyBy(e => e.Key).Window(windows).Aggregate(Aggregators.Count<Event>());

        List<WindowResult<int, long>> outOfOrder = RunAll(query, arrival);
        List<WindowResult<int, long>> inOrder = RunAll(query, arrival.OrderBy(e => e.Time));
        Assert.All(outOfOrder, r => Assert.Equal(WindowFiring.OnTime, r.Firing));
        Assert.Equal(Sorted(inOrder), Sorted(outOfOrder));
    }

    [Property(MaxTest = 50)]
    public void Parallel_workers_give_the_same_results_as_one(int[] keys, int[] times)
    {
        Event[] events = Events(keys, times, 11);
        WindowQuery<Event, int, long> query = WindowQuery.Of<Event>().WithEventTime(e => e.Time).WithWatermarks(TimeSpan.FromDays(10_000))
            .KeyBy(e => e.Key).Window(WindowAssigner.Tumbling(TimeSpan.FromMilliseconds(100))).Aggregate(Aggregators.Count<Event>());
        List<WindowResult<int, long>> one = RunAll(query, events);
        List<WindowResult<int, long>> four = RunAsync(query, events, parallelism: 4).GetAwaiter().GetResult();
        Assert.Equal(Sorted(one), Sorted(four));
    }

    private static async Task<List<WindowResult<int, long>>> RunAsync(WindowQuery<Event, int, long> query, Event[] events, int parallelism)
    {
        await using WindowRun<Event, int, long> run = query.Start(events.ToAsyncEnumerable(), new WindowRunOptions { Parallelism = parallelism, TimeProvider = new FakeTimeProvider() });
        var results = new List<WindowResult<int, long>>();
        await foreach (WindowResult<int, long> r in run.Results.WithCancellation(TestContext.Current.CancellationToken))
        {
            results.Add(r);
        }

        await run.Completion;
        return results;
    }

    private static List<(int, long, long, long)> Sorted(IEnumerable<WindowResult<int, long>> results) =>
        [.. results.Select(r => (r.Key, r.Window.Start, r.Window.End, r.Value)).Order()];

    private static long Mod(long value, long size) => ((value % size) + size) % size;
}
