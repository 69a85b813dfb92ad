using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Analytics;
using StreamCore.Analytics.Applications;

namespace StreamCore.Tests.Analytics;

/// <summary>
/// AddStreamCoreAnalytics gives the engine's applications with the code registered in the container; a started
/// application's run records its metrics on the engine's meter (from the container's meter factory).
/// </summary>
public class AnalyticsDependencyInjectionTests
{
    private static CreateApplicationRequest App(string name) => new() { ApplicationName = name, RuntimeEnvironment = "FLINK-1_20", ServiceExecutionRole = "arn:aws:iam::123456789012:role/R" };

    [Fact]
    public void The_container_gives_the_engines_applications_with_the_registered_code()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var started = new List<(IServiceProvider Services, AnalyticsApplicationContext Context)>();
        WindowQuery<int, int, long> query = WindowQuery.Of<int>().WithArrivalTime().KeyBy(i => i).Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1))).Aggregate(Aggregators.Count<int>());
        using ServiceProvider provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddAnalyticsApplicationCode("first", (services, context) =>
            {
                started.Add((services, context));
                return query.Start(AsyncEnumerable.Empty<int>(), context.RunOptions());
            })
            .AddAnalyticsApplicationCode("second", (services, context) =>
            {
                started.Add((services, context));
                return query.Start(AsyncEnumerable.Empty<int>(), context.RunOptions());
            })
            .AddStreamCoreAnalytics()
            .BuildServiceProvider();

        StreamEngine engine = provider.GetRequiredService<StreamEngine>();
        AnalyticsApplications applications = provider.GetRequiredService<AnalyticsApplications>();
        Assert.Same(AnalyticsApplications.For(engine), applications);
        Assert.Same(clock, engine.TimeProvider);

        applications.CreateApplication(App("first"));
        applications.CreateApplication(App("second"));
        applications.CreateApplication(App("unregistered"));
        applications.StartApplication(new StartApplicationRequest { ApplicationName = "second" });
        applications.StartApplication(new StartApplicationRequest { ApplicationName = "first" });
        Assert.Equal(("RUNNING", "RUNNING"), (applications.GetStatus("first"), applications.GetStatus("second")));
        Assert.Equal(["second", "first"], started.Select(s => s.Context.ApplicationName));
        Assert.All(started, s => Assert.Same(clock, s.Services.GetRequiredService<TimeProvider>()));
        Assert.Equal(1, started[0].Context.Parallelism);
        Assert.Equal("InvalidApplicationConfigurationException", Assert.Throws<AnalyticsException>(() => applications.StartApplication(new StartApplicationRequest { ApplicationName = "unregistered" })).ErrorCode);
    }

    [Fact]
    public void Registration_arguments_are_checked()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentNullException>(() => services.AddAnalyticsApplicationCode("app", null!));
        Assert.Throws<ArgumentException>(() => services.AddAnalyticsApplicationCode("", (_, _) => null!));
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddStreamCoreAnalytics());
        Assert.Empty(services);
    }

    [Fact]
    public async Task An_applications_run_counts_records_late_records_firings_and_watermark_lag_on_the_engines_meter()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        WindowQuery<long, string, long> query = WindowQuery.Of<long>().WithEventTime(static t => t).WithWatermarks(TimeSpan.Zero)
            .KeyBy(static _ => "k").Window(WindowAssigner.Tumbling(TimeSpan.FromSeconds(1))).Aggregate(Aggregators.Count<long>());
        var events = System.Threading.Channels.Channel.CreateUnbounded<long>();
        WindowRun<long, string, long>? run = null;
        using ServiceProvider provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<IMeterFactory, OwnMeterFactory>()
            .AddAnalyticsApplicationCode("metered", (_, context) => run = query.Start(events.Reader.ReadAllAsync(), context.RunOptions()))
            .BuildServiceProvider();
        StreamEngine engine = provider.GetRequiredService<StreamEngine>();
        IMeterFactory factory = provider.GetRequiredService<IMeterFactory>();

        var totals = new Dictionary<string, long>();
        var lags = new List<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "StreamCore" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            bool ours = false;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                ours |= tag is { Key: "Application", Value: "metered" };
            }

            if (!ours)
            {
                return;
            }

            lock (totals)
            {
                if (instrument.Name == "watermarkLag")
                {
                    lags.Add(value);
                }
                else
                {
                    totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
                }
            }
        });
        listener.Start();

        AnalyticsApplications applications = provider.GetRequiredService<AnalyticsApplications>();
        applications.CreateApplication(App("metered"));
        applications.StartApplication(new StartApplicationRequest { ApplicationName = "metered" });
        Assert.NotNull(run);

        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        int written = 0;
        foreach (long t in new[] { now - 3_000, now - 2_500, now - 1_000, now - 2_000 })
        {
            // One at a time, so each is a batch judged against the watermark the ones before it set: the last is late.
            await events.Writer.WriteAsync(t, TestContext.Current.CancellationToken);
            written++;
            await WaitForAsync(() => run.RecordsIn == written);
        }

        events.Writer.Complete();
        var results = new List<WindowResult<string, long>>();
        await foreach (WindowResult<string, long> result in run.Results.WithCancellation(TestContext.Current.CancellationToken))
        {
            results.Add(result);
        }

        await run.Completion.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        lock (totals)
        {
            Assert.Equal(4, totals.GetValueOrDefault("numRecordsIn"));
            Assert.Equal(1, totals.GetValueOrDefault("numLateRecords"));
            Assert.Equal(results.Count, totals.GetValueOrDefault("numWindowsFired"));
            Assert.Equal(2, results.Count);
            Assert.NotEmpty(lags);
            Assert.All(lags, lag => Assert.InRange(lag, 0, 3_001));
        }

        await applications.StopApplicationAsync(new StopApplicationRequest { ApplicationName = "metered", Force = true }, TestContext.Current.CancellationToken);
        Assert.NotNull(engine);
    }

    [Fact]
    public async Task A_run_over_a_stream_of_the_engine_records_on_the_engines_meter()
    {
        using var factory = new OwnMeterFactory();
        using var t = new StreamCore.Tests.Support.TestEngine(o => o.MeterFactory = factory);
        DataStream stream = t.Engine.CreateStream("clicks", 1);
        long recordsIn = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "numRecordsIn")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref recordsIn, value));
        listener.Start();
        WindowQuery<string, string, long> query = WindowQuery.Of<string>().WithArrivalTime().KeyBy(p => p).Window(WindowAssigner.Tumbling(TimeSpan.FromMinutes(1))).Aggregate(Aggregators.Count<string>());

        await using WindowRun<string, string, long> run = query.Start(stream, d => System.Text.Encoding.UTF8.GetString(d.Span), options: new WindowRunOptions { TimeProvider = t.Clock, Name = "stream-run" });
        stream.Append("/home", "/home"u8);
        stream.Append("/cart", "/cart"u8);
        await WaitForAsync(() => run.RecordsIn == 2);

        Assert.Equal(2, Interlocked.Read(ref recordsIn)); // recorded before the run publishes its progress
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System);
        }
    }

    private sealed class OwnMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            lock (_meters)
            {
                _meters.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_meters)
            {
                _meters.ForEach(m => m.Dispose());
            }
        }
    }
}
