using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Analytics;

namespace StreamCore.Samples.Analytics;

/// <summary>A click on a page of the web site, as the clickstream carries it (JSON).</summary>
/// <param name="Page">The page.</param>
/// <param name="Time">When the user clicked (the event time).</param>
public sealed record Click(string Page, DateTimeOffset Time);

/// <summary>What the sample saw: the per-page counts, and the click that came too late for its window.</summary>
/// <param name="Counts">One result per page and minute, in firing order.</param>
/// <param name="Late">The side output.</param>
public sealed record ClickCountsOutcome(IReadOnlyList<WindowResult<string, long>> Counts, IReadOnlyList<LateEvent<Click>> Late);

/// <summary>
/// Per-page click counts in one-minute tumbling windows over the clickstream, on a fake clock: the window closes
/// when the clock moves (no new traffic needed: idle shards stop holding the watermark back), and a click that
/// comes after its window fired goes to the side output, never dropped.
/// </summary>
public static class ClickCounts
{
    /// <summary>The query: event time from the click, 5 s out of order at most, shards idle after 30 s, count per page and minute.</summary>
    public static WindowQuery<Click, string, long> PerPagePerMinute { get; } = WindowQuery.Of<Click>()
        .WithEventTime(c => c.Time)
        .WithWatermarks(maxOutOfOrderness: TimeSpan.FromSeconds(5), idleTimeout: TimeSpan.FromSeconds(30))
        .KeyBy(c => c.Page)
        .Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1)))
        .Aggregate(Aggregators.Count<Click>());

    /// <summary>Runs the scenario on <paramref name="clock"/>, writing what happens to <paramref name="output"/>.</summary>
    /// <param name="clock">The fake clock the engine and the run share (the sample moves it).</param>
    /// <param name="output">Where to describe the results.</param>
    /// <param name="timeout">How long to wait (real time) for the background run to catch up at each step.</param>
    /// <returns>The results and the late click.</returns>
    public static async Task<ClickCountsOutcome> RunAsync(FakeTimeProvider clock, TextWriter output, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(output);
        using var engine = new StreamEngine(new StreamEngineOptions { TimeProvider = clock });
        DataStream clicks = engine.CreateStream("app-clickstream", 2);
        await using WindowRun<Click, string, long> run = PerPagePerMinute.Start(
            clicks, data => JsonSerializer.Deserialize<Click>(data.Span)!, options: new WindowRunOptions { TimeProvider = clock, Name = "click-counts" });

        DateTimeOffset minute = clock.GetUtcNow();
        void Put(string user, string page, int second) =>
            clicks.Append(user, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Click(page, minute.AddSeconds(second)))));

        Put("user-1", "/home", 10);
        Put("user-2", "/home", 20);
        Put("user-3", "/cart", 30);
        Put("user-1", "/home", 50);
        await WaitAsync(() => run.RecordsIn == 4, timeout, "the run to read the four clicks");

        // No more traffic: after the idleness timeout the watermark follows the clock, and the minute closes.
        clock.Advance(TimeSpan.FromSeconds(65));
        var counts = new List<WindowResult<string, long>>();
        await using IAsyncEnumerator<WindowResult<string, long>> results = run.Results.GetAsyncEnumerator();
        using (var wait = new CancellationTokenSource(timeout))
        {
            while (counts.Count < 2 && await results.MoveNextAsync().AsTask().WaitAsync(wait.Token))
            {
                WindowResult<string, long> r = results.Current;
                counts.Add(r);
                output.WriteLine($"{r.Window.StartTime:HH:mm}-{r.Window.EndTime:HH:mm} {r.Key,-6} {r.Value} clicks ({r.Firing})");
            }
        }

        // A click stamped in the minute that has fired arrives now: it goes to the side output.
        Put("user-9", "/home", 40);
        var late = new List<LateEvent<Click>>();
        await using IAsyncEnumerator<LateEvent<Click>> lateEvents = run.LateEvents.GetAsyncEnumerator();
        using (var wait = new CancellationTokenSource(timeout))
        {
            if (await lateEvents.MoveNextAsync().AsTask().WaitAsync(wait.Token))
            {
                LateEvent<Click> l = lateEvents.Current;
                late.Add(l);
                output.WriteLine($"late: {l.Event.Page} at {l.Event.Time:HH:mm:ss} (watermark {DateTimeOffset.FromUnixTimeMilliseconds(l.Watermark):HH:mm:ss.fff})");
            }
        }

        return new ClickCountsOutcome(counts, late);
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        DateTimeOffset deadline = TimeProvider.System.GetUtcNow() + timeout;
        while (!condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System);
        }
    }
}
