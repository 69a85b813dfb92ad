using System.Text;
using StreamCore.Analytics;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Analytics;

/// <summary>
/// Runs over a stream of the embedded engine on a fake clock: each shard has its own watermark, an idle shard stops
/// holding the stream's back after its timeout, windows close when the clock moves with no new traffic, a child shard
/// starts at its parents' watermark, and a run restored from a checkpoint emits what an uninterrupted run would.
/// </summary>
public class StreamWindowTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly UInt128 LowKey = 0;
    private static readonly UInt128 HighKey = UInt128.MaxValue;

    public readonly record struct Click(string Page, long Time);

    private static Click Decode(ReadOnlyMemory<byte> data)
    {
        string[] parts = Encoding.UTF8.GetString(data.Span).Split(' ');
        return new Click(parts[0], long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Put(DataStream stream, UInt128 hashKey, string page, long time) =>
        stream.Append(page, hashKey, Encoding.UTF8.GetBytes($"{page} {time}"));

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        // Polls the run's own progress (real time, never the fake clock) with a deadline.
        DateTime deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }

    private static async Task<WindowResult<string, long>> NextAsync(IAsyncEnumerator<WindowResult<string, long>> results)
    {
        using var timeout = new CancellationTokenSource(Wait);
        Assert.True(await results.MoveNextAsync().AsTask().WaitAsync(timeout.Token));
        return results.Current;
    }

    private static WindowQuery<Click, string, long> EventTimeCounts(TimeSpan idle) =>
        WindowQuery.Of<Click>().WithEventTime(c => c.Time).WithWatermarks(TimeSpan.FromSeconds(1), idle)
            .KeyBy(c => c.Page).Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1))).Aggregate(Aggregators.Count<Click>());

    [Fact]
    public async Task An_idle_shard_holds_the_watermark_back_until_its_timeout_then_windows_close_with_no_new_traffic()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("clicks", 2);
        WindowQuery<Click, string, long> query = EventTimeCounts(idle: TimeSpan.FromSeconds(30));
        await using WindowRun<Click, string, long> run = query.Start(stream, Decode, options: new WindowRunOptions { TimeProvider = t.Clock });
        await using IAsyncEnumerator<WindowResult<string, long>> results = run.Results.GetAsyncEnumerator();

        Put(stream, LowKey, "/home", 10_000);
        Put(stream, LowKey, "/home", 20_000);
        Put(stream, LowKey, "/cart", 70_000); // shard 0's watermark passes 60_000; shard 1 has said nothing
        await WaitForAsync(() => run.RecordsIn == 3, "3 records in");
        Assert.Equal(long.MinValue, run.Watermark);

        t.Clock.Advance(TimeSpan.FromSeconds(31)); // shard 1 (and shard 0) idle: the watermark follows the clock
        WindowResult<string, long> fired = await NextAsync(results);
        Assert.Equal(new WindowResult<string, long>("/home", new TimeWindow(0, 60_000), 2, WindowFiring.OnTime), fired);
        await WaitForAsync(() => run.Watermark >= 69_000, "the watermark at least shard 0's");
    }

    [Fact]
    public async Task Without_advance_when_idle_the_idle_shard_stops_counting_and_the_busy_one_drives_the_watermark()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("clicks", 2);
        WindowQuery<Click, string, long> query = WindowQuery.Of<Click>().WithEventTime(c => c.Time).WithWatermarks(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), advanceWhenIdle: false)
            .KeyBy(c => c.Page).Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1))).Aggregate(Aggregators.Count<Click>());
        await using WindowRun<Click, string, long> run = query.Start(stream, Decode, options: new WindowRunOptions { TimeProvider = t.Clock });
        await using IAsyncEnumerator<WindowResult<string, long>> results = run.Results.GetAsyncEnumerator();

        Put(stream, LowKey, "/home", 10_000);
        await WaitForAsync(() => run.RecordsIn == 1, "1 record in");
        t.Clock.Advance(TimeSpan.FromSeconds(20));
        Put(stream, LowKey, "/home", 30_000);
        await WaitForAsync(() => run.RecordsIn == 2, "2 records in");
        t.Clock.Advance(TimeSpan.FromSeconds(20)); // shard 1: 40 s without a record (idle); shard 0: 20 s (active)
        Put(stream, LowKey, "/home", 62_000);
        await WaitForAsync(() => run.RecordsIn == 3, "3 records in");
        Assert.Equal(new WindowResult<string, long>("/home", new TimeWindow(0, 60_000), 2, WindowFiring.OnTime), await NextAsync(results));
        await WaitForAsync(() => run.Watermark == 62_000 - 1_000 - 1, "shard 0's watermark");

        t.Clock.Advance(TimeSpan.FromMinutes(5)); // both idle, and the watermark does not follow the clock
        Put(stream, HighKey, "/late", 1_000); // shard 1 wakes up: too late for its window
        await using IAsyncEnumerator<LateEvent<Click>> late = run.LateEvents.GetAsyncEnumerator();
        using var timeout = new CancellationTokenSource(Wait);
        Assert.True(await late.MoveNextAsync().AsTask().WaitAsync(timeout.Token));
        Assert.Equal(new Click("/late", 1_000), late.Current.Event);
        Assert.Equal(60_999, late.Current.Watermark);
    }

    [Fact]
    public async Task Arrival_time_windows_close_when_the_clock_moves_with_no_new_traffic()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("clicks", 1);
        WindowQuery<Click, string, long> query = WindowQuery.Of<Click>().WithArrivalTime().WithWatermarks(TimeSpan.Zero, TimeSpan.FromSeconds(5))
            .KeyBy(c => c.Page).Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1))).Aggregate(Aggregators.Count<Click>());
        await using WindowRun<Click, string, long> run = query.Start(stream, Decode, options: new WindowRunOptions { TimeProvider = t.Clock });
        await using IAsyncEnumerator<WindowResult<string, long>> results = run.Results.GetAsyncEnumerator();
        Put(stream, LowKey, "/home", 0);
        Put(stream, LowKey, "/home", 0);
        await WaitForAsync(() => run.RecordsIn == 2, "2 records in");
        t.Clock.Advance(TimeSpan.FromMinutes(1));
        long start = TestEngine.Start.ToUnixTimeMilliseconds();
        Assert.Equal(new WindowResult<string, long>("/home", new TimeWindow(start, start + 60_000), 2, WindowFiring.OnTime), await NextAsync(results));
    }

    [Fact]
    public async Task A_reshard_mid_window_counts_every_record_once_and_the_children_start_at_the_parents_watermark()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("clicks", 1);
        WindowQuery<Click, string, long> query = EventTimeCounts(idle: TimeSpan.FromMinutes(10));
        await using WindowRun<Click, string, long> run = query.Start(stream, Decode, options: new WindowRunOptions { TimeProvider = t.Clock });
        await using IAsyncEnumerator<WindowResult<string, long>> results = run.Results.GetAsyncEnumerator();

        Put(stream, LowKey, "/home", 10_000);
        Put(stream, LowKey, "/home", 50_000);
        await WaitForAsync(() => run.RecordsIn == 2, "2 records in");
        Assert.Equal(50_000 - 1_000 - 1, run.Watermark);

        stream.SplitShard(stream.Shards[0].ShardId, UInt128.MaxValue / 2);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        Put(stream, LowKey, "/home", 20_000); // child 1: on time (its watermark starts at the parent's, 48_999)
        Put(stream, HighKey, "/home", 30_000); // child 2
        await WaitForAsync(() => run.RecordsIn == 4, "4 records in");
        Assert.Equal(48_999, run.Watermark); // the children took over at the parent's watermark: no regression, no jump

        Put(stream, LowKey, "/home", 65_000);
        Put(stream, HighKey, "/home", 66_000); // both children past 60_999: the window fires
        Assert.Equal(new WindowResult<string, long>("/home", new TimeWindow(0, 60_000), 4, WindowFiring.OnTime), await NextAsync(results));
    }

    [Fact]
    public async Task A_run_restored_from_a_checkpoint_emits_what_an_uninterrupted_run_emits_after_it()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("clicks", 2);
        WindowQuery<Click, string, long> query = WindowQuery.Of<Click>().WithEventTime(c => c.Time).WithWatermarks(TimeSpan.FromSeconds(5))
            .KeyBy(c => c.Page).Window(WindowAssigner.Tumbling(TimeSpan.FromSeconds(10))).Aggregate(Aggregators.Count<Click>());
        var random = new Random(3);
        (UInt128 Key, Click Click)[] first = [.. Enumerable.Range(0, 300).Select(i => (i % 2 == 0 ? LowKey : HighKey, new Click("p" + random.Next(4), (i * 100L) + random.Next(0, 4_000))))];
        (UInt128 Key, Click Click)[] second = [.. Enumerable.Range(300, 300).Select(i => (i % 2 == 0 ? LowKey : HighKey, new Click("p" + random.Next(4), (i * 100L) + random.Next(0, 4_000))))];

        // The interrupted run: the first half, a checkpoint, stop.
        WindowCheckpoint checkpoint;
        var emittedBefore = new List<WindowResult<string, long>>();
        await using (WindowRun<Click, string, long> run = query.Start(stream, Decode, options: new WindowRunOptions { TimeProvider = t.Clock, Parallelism = 2 }))
        {
            Task reading = Task.Run(async () =>
            {
                await foreach (WindowResult<string, long> r in run.Results)
                {
                    lock (emittedBefore)
                    {
                        emittedBefore.Add(r);
                    }
                }
            });
            foreach ((UInt128 key, Click click) in first)
            {
                Put(stream, key, click.Page, click.Time);
            }

            await WaitForAsync(() => run.RecordsIn == first.Length, "the first half in");
            checkpoint = await run.CheckpointAsync();
            await run.DisposeAsync();
            await reading;
        }

        Assert.Equal(2, checkpoint.ShardPositions.Count);
        foreach ((UInt128 key, Click click) in second)
        {
            Put(stream, key, click.Page, click.Time);
        }

        // The restored run resumes after the checkpoint's positions; the uninterrupted one reads everything.
        List<WindowResult<string, long>> restored = await UntilAsync(query.Start(stream, Decode, options: new WindowRunOptions { TimeProvider = t.Clock, RestoreFrom = checkpoint }), first.Length + second.Length); // a restored run counts on from the checkpoint's
        List<WindowResult<string, long>> whole = await UntilAsync(query.Start(stream, Decode, options: new WindowRunOptions { TimeProvider = t.Clock }), first.Length + second.Length);

        Assert.NotEmpty(emittedBefore);
        Assert.NotEmpty(restored);
        Assert.Equal(Sorted(whole), Sorted([.. emittedBefore, .. restored]));
        Click[] all = [.. first.Concat(second).Select(x => x.Click)];
        Assert.All(whole, r => Assert.Equal(all.Count(c => c.Page == r.Key && r.Window.Contains(c.Time)), r.Value)); // each fired window complete
        Assert.True(whole.Sum(r => r.Value) > all.Length / 2);
    }

    private static async Task<List<WindowResult<string, long>>> UntilAsync(WindowRun<Click, string, long> run, int records)
    {
        await using (run)
        {
            var results = new List<WindowResult<string, long>>();
            Task reading = Task.Run(async () =>
            {
                await foreach (WindowResult<string, long> r in run.Results)
                {
                    lock (results)
                    {
                        results.Add(r);
                    }
                }
            });
            await WaitForAsync(() => run.RecordsIn >= records, $"{records} records in");
            Assert.Equal(records, run.RecordsIn);
            await run.DisposeAsync();
            await reading;
            return results;
        }
    }

    private static List<(string, long, long)> Sorted(IEnumerable<WindowResult<string, long>> results) =>
        [.. results.Select(r => (r.Key, r.Window.Start, r.Value)).Order()];
}
