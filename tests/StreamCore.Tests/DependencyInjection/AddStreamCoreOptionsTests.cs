using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Kinesis;
using StreamCore.Tests.Engine;

namespace StreamCore.Tests.DependencyInjection;

public class AddStreamCoreOptionsTests
{
    [Theory]
    [MemberData(nameof(EngineOptionsTests.BadOptions), MemberType = typeof(EngineOptionsTests))]
    public async Task Bad_options_fail_the_start_with_the_engines_message(string key)
    {
        var direct = new StreamEngineOptions { TimeProvider = new FakeTimeProvider() };
        EngineOptionsTests.Break(key, direct);
        string expected = Assert.ThrowsAny<ArgumentException>(() => new StreamEngine(direct)).Message;

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddStreamCore(o => EngineOptionsTests.Break(key, o));
        await using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Equal(expected, Assert.Single(ex.Failures));
        Assert.StartsWith(EngineOptionsTests.Option(key), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Good_options_pass_the_start_and_the_containers_options_are_left_as_configured()
    {
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddStreamCore(o => o.SegmentRecordCapacity = 1024);
        await using ServiceProvider provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        StreamEngine engine = provider.GetRequiredService<StreamEngine>();
        Assert.Same(clock, engine.TimeProvider);
        Assert.Equal(1024, engine.Options.SegmentRecordCapacity);
        Assert.Same(TimeProvider.System, provider.GetRequiredService<IOptions<StreamEngineOptions>>().Value.TimeProvider);
    }

    [Fact]
    public async Task The_engines_meter_comes_from_the_containers_meter_factory()
    {
        using var factory = new RecordingMeterFactory();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddSingleton<IMeterFactory>(factory);
        services.AddStreamCore(o =>
        {
            o.AccountId = "123456789012";
            o.Region = "eu-west-1";
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        StreamEngine engine = provider.GetRequiredService<StreamEngine>();

        Meter meter = Assert.Single(factory.Created);
        Assert.Equal("StreamCore", meter.Name);
        Assert.Same(factory, meter.Scope);
        Assert.Contains(new KeyValuePair<string, object?>("AccountId", "123456789012"), meter.Tags!);
        Assert.Contains(new KeyValuePair<string, object?>("Region", "eu-west-1"), meter.Tags!);

        long incoming = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "IncomingRecords")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref incoming, value));
        listener.Start();

        IKinesisClient client = provider.GetRequiredService<IKinesisClient>();
        CancellationToken ct = TestContext.Current.CancellationToken;
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 }, ct);
        await client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new MemoryStream([1]) }, ct);
        Assert.Equal(1, Interlocked.Read(ref incoming));
    }

    [Fact]
    public void Without_a_meter_factory_the_engine_creates_its_own_meter()
    {
        using var listener = new MeterListener();
        Meter? seen = null;
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == "StreamCore" && instrument.Meter.Tags?.Any(t => t is { Key: "AccountId", Value: "210987654321" }) == true)
            {
                seen = instrument.Meter;
            }
        };
        listener.Start();
        using var engine = new StreamEngine(new StreamEngineOptions { TimeProvider = new FakeTimeProvider(), AccountId = "210987654321" });
        Assert.NotNull(seen);
        Assert.Null(seen.Scope);
    }

    private sealed class RecordingMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            lock (Created)
            {
                Created.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            foreach (Meter meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
