using System.Text;
using StreamCore.Analytics;
using StreamCore.Analytics.Applications;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Analytics;

/// <summary>
/// An application stopped (its snapshot taken by the stop) and started again from RESTORE_FROM_LATEST_SNAPSHOT gives,
/// counted result by result, exactly what one uninterrupted run gives over the same records: nothing lost, nothing
/// counted twice, with the configured parallelism; on a fake clock.
/// </summary>
public class ApplicationRestartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly UInt128 LowKey = 0;
    private static readonly UInt128 HighKey = UInt128.MaxValue;

    public readonly record struct Click(string Page, long Time);

    private static readonly WindowQuery<Click, string, long> Query = WindowQuery.Of<Click>().WithEventTime(c => c.Time).WithWatermarks(TimeSpan.FromSeconds(2))
        .KeyBy(c => c.Page).Window(WindowAssigner.Tumbling(TimeSpan.FromSeconds(10))).Aggregate(Aggregators.Count<Click>());

    private static Click Decode(ReadOnlyMemory<byte> data)
    {
        string[] parts = Encoding.UTF8.GetString(data.Span).Split(' ');
        return new Click(parts[0], long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Put(DataStream stream, (UInt128 Key, Click Click) record) =>
        stream.Append(record.Click.Page, record.Key, Encoding.UTF8.GetBytes($"{record.Click.Page} {record.Click.Time}"));

    /// <summary>400 clicks on 5 pages over 80 s, alternating between the two shards, then a click far ahead on each shard that closes every window before it.</summary>
    private static (UInt128 Key, Click Click)[] Records()
    {
        var random = new Random(5);
        return
        [
            .. Enumerable.Range(0, 400).Select(i => (i % 2 == 0 ? LowKey : HighKey, new Click("/p" + random.Next(5), (i * 200L) + random.Next(0, 1_500)))),
            (LowKey, new Click("/end", 3_600_000)),
            (HighKey, new Click("/end", 3_600_000)),
        ];
    }

    private static CreateApplicationRequest App() => new()
    {
        ApplicationName = "counts",
        RuntimeEnvironment = "FLINK-1_20",
        ServiceExecutionRole = "arn:aws:iam::123456789012:role/R",
        ApplicationConfiguration = new ApplicationConfiguration
        {
            FlinkApplicationConfiguration = new FlinkApplicationConfiguration { ParallelismConfiguration = new ParallelismConfiguration { ConfigurationType = "CUSTOM", Parallelism = 3 } },
            ApplicationSnapshotConfiguration = new ApplicationSnapshotConfiguration { SnapshotsEnabled = true },
        },
    };

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System);
        }
    }

    private static List<(string, long, long, WindowFiring)> Sorted(IEnumerable<WindowResult<string, long>> results) =>
        [.. results.Select(r => (r.Key, r.Window.Start, r.Value, r.Firing)).Order()];

    [Fact]
    public async Task A_restart_from_the_stops_snapshot_gives_exactly_the_results_of_an_uninterrupted_run()
    {
        (UInt128 Key, Click Click)[] records = Records();
        int half = 200;
        int expectedResults = records.Take(400).Select(r => (r.Click.Page, r.Click.Time / 10_000)).Distinct().Count();

        // The uninterrupted run.
        var whole = new List<WindowResult<string, long>>();
        using (var t = new TestEngine())
        {
            DataStream stream = t.Engine.CreateStream("clicks", 2);
            Array.ForEach(records, r => Put(stream, r));
            await using WindowRun<Click, string, long> run = Query.Start(stream, Decode, options: new WindowRunOptions { TimeProvider = t.Clock, Parallelism = 3 });
            await foreach (WindowResult<string, long> r in run.Results)
            {
                whole.Add(r);
                if (whole.Count == expectedResults)
                {
                    break;
                }
            }
        }

        // The application: the first half, stop (which takes a snapshot), start from the latest snapshot, the rest.
        using var e = new TestEngine();
        DataStream clicks = e.Engine.CreateStream("clicks", 2);
        AnalyticsApplications apps = AnalyticsApplications.For(e.Engine);
        var runs = new List<(WindowRun<Click, string, long> Run, AnalyticsApplicationContext Context, Task Reading)>();
        var emitted = new List<WindowResult<string, long>>();
        apps.RegisterCode("counts", context =>
        {
            WindowRun<Click, string, long> run = Query.Start(context.Engine.GetStream("clicks"), Decode, options: context.RunOptions());
            Task reading = Task.Run(async () =>
            {
                await foreach (WindowResult<string, long> r in run.Results)
                {
                    lock (emitted)
                    {
                        emitted.Add(r);
                    }
                }
            });
            runs.Add((run, context, reading));
            return run;
        });
        apps.CreateApplication(App());

        apps.StartApplication(new StartApplicationRequest { ApplicationName = "counts" });
        Assert.Equal("RUNNING", apps.GetStatus("counts"));
        Array.ForEach(records[..half], r => Put(clicks, r));
        await WaitForAsync(() => runs[0].Run.RecordsIn == half, "the first half in");
        await apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "counts" }, TestContext.Current.CancellationToken);
        await runs[0].Reading.WaitAsync(Wait, TestContext.Current.CancellationToken); // the stopped run's results are all out
        int beforeRestart;
        lock (emitted)
        {
            beforeRestart = emitted.Count;
        }

        Assert.InRange(beforeRestart, 1, expectedResults - 1);
        Assert.Single(apps.ListApplicationSnapshots(new ListApplicationSnapshotsRequest { ApplicationName = "counts" }).SnapshotSummaries);

        Array.ForEach(records[half..], r => Put(clicks, r));
        apps.StartApplication(new StartApplicationRequest
        {
            ApplicationName = "counts",
            RunConfiguration = new RunConfiguration { ApplicationRestoreConfiguration = new ApplicationRestoreConfiguration { ApplicationRestoreType = "RESTORE_FROM_LATEST_SNAPSHOT" } },
        });
        Assert.Equal(2, runs.Count);
        Assert.Equal(3, runs[1].Context.Parallelism);
        Assert.NotNull(runs[1].Context.RestoreFrom);
        await WaitForAsync(() => runs[1].Run.RecordsIn == records.Length, "every record in"); // counts on from the snapshot's
        await WaitForAsync(() => { lock (emitted) { return emitted.Count >= expectedResults; } }, "every window fired");
        await apps.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "counts", Force = true }, TestContext.Current.CancellationToken);
        await runs[1].Reading.WaitAsync(Wait, TestContext.Current.CancellationToken);

        Assert.Equal(expectedResults, whole.Count);
        Assert.Equal(Sorted(whole), Sorted(emitted));
        Assert.Equal(400, emitted.Sum(r => r.Value)); // every click counted once
    }
}
