using Microsoft.Extensions.Time.Testing;
using StreamCore.Analytics;

namespace StreamCore.Tests.Analytics;

/// <summary>Watermarks, firing, lateness, side output, early triggers, stagger windows and aggregators, on a fake clock.</summary>
public class WindowBehaviourTests
{
    public readonly record struct Reading(string Key, long Time, double Value = 1);

    private static readonly DateTimeOffset Start = new(2026, 3, 1, 11, 0, 0, TimeSpan.Zero);

    private static List<WindowResult<TKey, TResult>> Drain<TKey, TResult>(WindowProcessor<Reading, TKey, TResult> processor)
        where TKey : notnull
    {
        var results = new List<WindowResult<TKey, TResult>>();
        while (processor.TryRead(out WindowResult<TKey, TResult> r))
        {
            results.Add(r);
        }

        return results;
    }

    private static WindowQueryBuilder<Reading, string> Keyed(long outOfOrderness) =>
        WindowQuery.Of<Reading>().WithEventTime(r => r.Time).WithWatermarks(TimeSpan.FromMilliseconds(outOfOrderness)).KeyBy(r => r.Key);

    [Fact]
    public void A_window_fires_once_the_watermark_reaches_its_max_timestamp()
    {
        // The reference's example: [0, 10000) with d = 2000 fires once W >= 9999, which needs maxSeen >= 12000.
        WindowProcessor<Reading, string, long> p = Keyed(2_000).Window(WindowAssigner.Tumbling(TimeSpan.FromSeconds(10))).Aggregate(Aggregators.Count<Reading>()).CreateProcessor(new FakeTimeProvider());
        p.Add(new Reading("a", 500));
        p.Add(new Reading("a", 11_999));
        Assert.Empty(Drain(p));
        Assert.Equal(11_999 - 2_000 - 1, p.Watermark);
        p.Add(new Reading("a", 12_000));
        WindowResult<string, long> fired = Assert.Single(Drain(p));
        Assert.Equal(new WindowResult<string, long>("a", new TimeWindow(0, 10_000), 1, WindowFiring.OnTime), fired);
        Assert.Equal(9_999, fired.Window.MaxTimestamp);
    }

    [Fact]
    public void Allowed_lateness_updates_the_result_and_later_events_go_to_the_side_output()
    {
        WindowProcessor<Reading, string, long> p = Keyed(0).Window(WindowAssigner.Tumbling(TimeSpan.FromSeconds(10))).AllowedLateness(TimeSpan.FromSeconds(5))
            .Aggregate(Aggregators.Count<Reading>()).CreateProcessor(new FakeTimeProvider());
        p.Add(new Reading("a", 1_000));
        p.Add(new Reading("a", 2_000));
        p.Add(new Reading("a", 10_000)); // W = 9_999: [0, 10000) fires
        Assert.Equal([new("a", new TimeWindow(0, 10_000), 2, WindowFiring.OnTime)], Drain(p));

        p.Add(new Reading("a", 3_000)); // late but within lateness (cleanup at 14_999): an updated result, once per event
        p.Add(new Reading("a", 4_000));
        Assert.Equal([new("a", new TimeWindow(0, 10_000), 3, WindowFiring.Late), new("a", new TimeWindow(0, 10_000), 4, WindowFiring.Late)], Drain(p));

        p.Add(new Reading("a", 15_000)); // W = 14_999 reaches the cleanup time: the window's state goes
        p.Add(new Reading("a", 5_000)); // too late for every window: the side output
        Assert.Empty(Drain(p));
        Assert.True(p.TryReadLate(out LateEvent<Reading> late));
        Assert.Equal(new LateEvent<Reading>(new Reading("a", 5_000), 5_000, 14_999), late);
        Assert.False(p.TryReadLate(out _));
    }

    [Fact]
    public void For_sliding_windows_an_event_can_be_late_for_one_window_and_on_time_for_another()
    {
        WindowProcessor<Reading, string, long> p = Keyed(0).Window(WindowAssigner.Sliding(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5))).Aggregate(Aggregators.Count<Reading>()).CreateProcessor(new FakeTimeProvider());
        p.Add(new Reading("a", 10_000)); // W = 9_999: [0, 10000) fires (empty windows do not exist, nothing to emit)
        Drain(p);
        p.Add(new Reading("a", 7_000)); // in [0,10000) (cleaned up) and [5000,15000) (open)
        Assert.False(p.TryReadLate(out _));
        p.Complete();
        List<WindowResult<string, long>> results = Drain(p);
        Assert.Contains(new WindowResult<string, long>("a", new TimeWindow(5_000, 15_000), 2, WindowFiring.OnTime), results);
    }

    [Fact]
    public void Early_firings_by_count_come_before_the_final_result()
    {
        WindowProcessor<Reading, string, long> p = Keyed(0).Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1))).Trigger(WindowTrigger.EarlyEvery(2))
            .Aggregate(Aggregators.Count<Reading>()).CreateProcessor(new FakeTimeProvider());
        for (int i = 0; i < 5; i++)
        {
            p.Add(new Reading("a", i * 1_000));
        }

        Assert.Equal([2L, 4L], Drain(p).Select(r => r.Firing == WindowFiring.Early ? r.Value : -1));
        p.Complete();
        Assert.Equal([new("a", new TimeWindow(0, 60_000), 5, WindowFiring.OnTime)], Drain(p));
    }

    [Fact]
    public void Early_firings_on_the_clock_emit_windows_that_changed_when_the_clock_moves_with_no_new_events()
    {
        var clock = new FakeTimeProvider(Start);
        WindowProcessor<Reading, string, long> p = Keyed(0).Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1))).Trigger(WindowTrigger.EarlyEvery(TimeSpan.FromSeconds(10)))
            .Aggregate(Aggregators.Count<Reading>()).CreateProcessor(clock);
        p.AdvanceTime(); // the interval starts
        p.Add(new Reading("a", 1_000));
        p.Add(new Reading("b", 2_000));
        clock.Advance(TimeSpan.FromSeconds(10));
        p.AdvanceTime();
        Assert.Equal([("a", 1L), ("b", 1L)], Drain(p).Select(r => (r.Key, r.Value)).Order());
        clock.Advance(TimeSpan.FromSeconds(10));
        p.AdvanceTime();
        Assert.Empty(Drain(p)); // nothing changed
        p.Add(new Reading("a", 3_000));
        clock.Advance(TimeSpan.FromSeconds(10));
        p.AdvanceTime();
        Assert.Equal([new("a", new TimeWindow(0, 60_000), 2, WindowFiring.Early)], Drain(p));
    }

    [Fact]
    public void Processing_time_windows_fire_on_the_clock_and_nothing_is_late()
    {
        var clock = new FakeTimeProvider(Start);
        WindowProcessor<Reading, string, long> p = WindowQuery.Of<Reading>().WithProcessingTime().KeyBy(r => r.Key).Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1)))
            .Aggregate(Aggregators.Count<Reading>()).CreateProcessor(clock);
        p.Add(new Reading("a", 0));
        clock.Advance(TimeSpan.FromSeconds(59));
        p.Add(new Reading("a", -5_000_000)); // its own timestamp is ignored
        p.AdvanceTime();
        Assert.Empty(Drain(p));
        clock.Advance(TimeSpan.FromSeconds(1));
        p.AdvanceTime();
        long start = Start.ToUnixTimeMilliseconds();
        Assert.Equal([new("a", new TimeWindow(start, start + 60_000), 2, WindowFiring.OnTime)], Drain(p));
        Assert.False(p.TryReadLate(out _));
    }

    [Fact]
    public void Sessions_merge_when_a_late_event_bridges_them_and_fire_again()
    {
        WindowProcessor<Reading, string, long> p = Keyed(0).Window(WindowAssigner.Session(TimeSpan.FromSeconds(10))).AllowedLateness(TimeSpan.FromMinutes(1))
            .Aggregate(Aggregators.Count<Reading>()).CreateProcessor(new FakeTimeProvider());
        p.Add(new Reading("a", 0)); // [0, 10000)
        p.Add(new Reading("a", 25_000)); // [25000, 35000); W = 24_999 fires the first
        Assert.Equal([new("a", new TimeWindow(0, 10_000), 1, WindowFiring.OnTime)], Drain(p));
        p.Add(new Reading("a", 15_000)); // [15000, 25000) touches both: one session [0, 35000), not yet due
        Assert.Empty(Drain(p));
        p.Add(new Reading("a", 10_000)); // exactly the gap after 0: joins
        p.Complete();
        Assert.Equal([new("a", new TimeWindow(0, 35_000), 4, WindowFiring.OnTime)], Drain(p));
    }

    [Fact]
    public void Stagger_windows_reproduce_the_KDA_example()
    {
        // KDA SQL's example: a 1-minute stagger window partitioned by (FLOOR(EVENT_TIME TO MINUTE), ticker) over
        // ROWTIME; rows (ROWTIME, EVENT_TIME) = (11:00:20, 11:00:10), (11:00:30, 11:00:20), (11:01:05, 11:00:55),
        // (11:01:15, 11:01:05) give (11:01:20, 11:00, 3) and (11:02:15, 11:01, 1).
        var clock = new FakeTimeProvider(Start);
        WindowProcessor<Reading, (long Minute, string Ticker), long> p = WindowQuery.Of<Reading>().WithProcessingTime()
            .KeyBy(r => (Minute: r.Time / 60_000 * 60_000, Ticker: r.Key)).Window(WindowAssigner.Stagger(TimeSpan.FromMinutes(1)))
            .Aggregate(Aggregators.Count<Reading>()).CreateProcessor(clock);
        long eleven = Start.ToUnixTimeMilliseconds();
        (int Row, int Event)[] rows = [(20, 10), (30, 20), (65, 55), (75, 65)];
        var results = new List<WindowResult<(long Minute, string Ticker), long>>();
        TimeSpan at = TimeSpan.Zero;
        foreach ((int row, int ev) in rows)
        {
            clock.Advance(TimeSpan.FromSeconds(row) - at);
            at = TimeSpan.FromSeconds(row);
            p.Add(new Reading("AMZN", eleven + (ev * 1_000L)));
            while (p.TryRead(out var r))
            {
                results.Add(r);
            }
        }

        clock.Advance(TimeSpan.FromMinutes(2));
        p.AdvanceTime();
        while (p.TryRead(out var r))
        {
            results.Add(r);
        }

        Assert.Equal(
            [(eleven + 80_000, eleven, 3L), (eleven + 135_000, eleven + 60_000, 1L)],
            results.Select(r => (r.Window.End, r.Key.Minute, r.Value)));
    }

    [Fact]
    public void The_built_in_aggregators_compute_over_a_window()
    {
        Reading[] readings = [new("a", 1, 3), new("a", 2, 1), new("a", 3, 3), new("a", 4, 8), new("a", 5, 3)];

        Assert.Equal(18, Single(Aggregators.Sum<Reading, double>(r => r.Value), readings));
        Assert.Equal(1, Single(Aggregators.Min<Reading, double>(r => r.Value), readings));
        Assert.Equal(8, Single(Aggregators.Max<Reading, double>(r => r.Value), readings));
        Assert.Equal(3.6, Single(Aggregators.Average<Reading>(r => r.Value), readings), 10);
        Assert.Equal(3, Single(Aggregators.DistinctCount<Reading, double>(r => r.Value), readings));
        Assert.Equal([new(3.0, 3L), new(1.0, 1L)], Single(Aggregators.TopN<Reading, double>(r => r.Value, 2), readings));
    }

    [Fact]
    public void Invalid_settings_are_refused_with_the_rule()
    {
        Assert.Contains("smaller in magnitude than its size", Assert.Throws<ArgumentOutOfRangeException>(() => WindowAssigner.Tumbling(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))).Message, StringComparison.Ordinal);
        Assert.Contains("smaller in magnitude than its slide", Assert.Throws<ArgumentOutOfRangeException>(() => WindowAssigner.Sliding(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-1))).Message, StringComparison.Ordinal);
        Assert.Contains("more than 1000 windows", Assert.Throws<ArgumentOutOfRangeException>(() => WindowAssigner.Sliding(TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(1))).Message, StringComparison.Ordinal);
        Assert.Contains("at least 1 millisecond", Assert.Throws<ArgumentOutOfRangeException>(() => WindowAssigner.Session(TimeSpan.Zero)).Message, StringComparison.Ordinal);
        Assert.Contains("whole number of milliseconds", Assert.Throws<ArgumentOutOfRangeException>(() => WindowAssigner.Stagger(TimeSpan.FromTicks(15_000))).Message, StringComparison.Ordinal);
        Assert.Contains("call Window(", Assert.Throws<InvalidOperationException>(() => Keyed(0).Aggregate(Aggregators.Count<Reading>())).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowTrigger.EarlyEvery(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Keyed(0).AllowedLateness(TimeSpan.FromMilliseconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowQuery.Of<Reading>().WithWatermarks(TimeSpan.FromMilliseconds(-1)));
    }

    [Fact]
    public void A_restored_processor_continues_exactly_as_an_uninterrupted_one()
    {
        WindowQuery<Reading, string, long> query = Keyed(3_000).Window(WindowAssigner.Sliding(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5))).AllowedLateness(TimeSpan.FromSeconds(2))
            .Trigger(WindowTrigger.EarlyEvery(3)).Aggregate(Aggregators.DistinctCount<Reading, double>(r => r.Value));
        var random = new Random(7);
        Reading[] events = [.. Enumerable.Range(0, 400).Select(i => new Reading("k" + random.Next(5), (i * 250L) + (i % 10 == 0 ? random.Next(-20_000, 0) : random.Next(-4_000, 500)), random.Next(20)))];

        WindowProcessor<Reading, string, long> whole = query.CreateProcessor(new FakeTimeProvider());
        var expected = new List<WindowResult<string, long>>();
        var expectedLate = new List<LateEvent<Reading>>();
        WindowProcessor<Reading, string, long> first = query.CreateProcessor(new FakeTimeProvider());
        var before = new List<WindowResult<string, long>>();
        WindowCheckpoint? checkpoint = null;
        for (int i = 0; i < events.Length; i++)
        {
            whole.Add(events[i]);
            expected.AddRange(Drain(whole));
            while (whole.TryReadLate(out LateEvent<Reading> l))
            {
                expectedLate.Add(l);
            }

            if (i < 200)
            {
                first.Add(events[i]);
                before.AddRange(Drain(first));
                while (first.TryReadLate(out _))
                {
                }

                if (i == 199)
                {
                    checkpoint = first.Checkpoint();
                    first.Add(new Reading("k1", 1_000_000)); // the original keeps going: the checkpoint is a copy
                }
            }
        }

        whole.Complete();
        expected.AddRange(Drain(whole));
        Assert.NotEmpty(expectedLate);

        WindowProcessor<Reading, string, long> restored = query.CreateProcessor(new FakeTimeProvider(), checkpoint);
        Assert.Equal(200, checkpoint!.EventsConsumed);
        var after = new List<WindowResult<string, long>>();
        var afterLate = new List<LateEvent<Reading>>();
        foreach (Reading e in events.Skip(200))
        {
            restored.Add(e);
            after.AddRange(Drain(restored));
            while (restored.TryReadLate(out LateEvent<Reading> l))
            {
                afterLate.Add(l);
            }
        }

        restored.Complete();
        after.AddRange(Drain(restored));
        Assert.Equal(expected, [.. before, .. after]);
        Assert.Equal(expectedLate.Where(l => events.Skip(200).Contains(l.Event)), afterLate);
    }

    private static TResult Single<TAcc, TResult>(IAggregator<Reading, TAcc, TResult> aggregator, Reading[] readings)
    {
        WindowProcessor<Reading, string, TResult> p = Keyed(0).Window(WindowAssigner.Tumbling(TimeSpan.FromSeconds(1))).Aggregate(aggregator).CreateProcessor(new FakeTimeProvider());
        p.Add(readings);
        p.Complete();
        Assert.True(p.TryRead(out WindowResult<string, TResult> r));
        Assert.False(p.TryRead(out _));
        return r.Value;
    }
}
