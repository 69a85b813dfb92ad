using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Producing;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Producing;

public class ProducerRegistrationTests
{
    [Fact]
    public async Task AddKinesisProducer_writes_through_the_containers_client_and_flushes_on_disposal()
    {
        var clock = new FakeTimeProvider(TestEngine.Start);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddStreamCore().AddKinesisProducer("orders", o => o.RecordMaxBufferedTime = TimeSpan.FromSeconds(5));
        ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        IKinesisClient client = provider.GetRequiredService<IKinesisClient>();
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "orders", ShardCount = 1 });
        KinesisProducer producer = provider.GetRequiredService<KinesisProducer>();
        Assert.Same(producer, provider.GetRequiredKeyedService<KinesisProducer>("orders"));
        ValueTask<UserRecordResult> pending = producer.AddAsync("k", StreamContents.Bytes("x"));
        await provider.DisposeAsync(); // flushes before the deadline
        Assert.Equal(new ShardId(0), (await pending).ShardId);
    }

    [Fact]
    public async Task Over_the_embedded_engine_it_writes_by_the_event_bus_until_faults_or_limits_would_apply()
    {
        var clock = new FakeTimeProvider(TestEngine.Start);
        ServiceProvider provider = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddStreamCore()
            .AddKinesisProducer("orders", o => o.RecordMaxBufferedTime = TimeSpan.FromSeconds(5)).BuildServiceProvider();
        await using (provider)
        {
            await provider.GetRequiredService<IKinesisClient>().CreateStreamAsync(new CreateStreamRequest { StreamName = "orders", ShardCount = 2 });
            KinesisProducer producer = provider.GetRequiredService<KinesisProducer>();
            var sink = Assert.IsType<global::StreamCore.Connectors.EmbeddedEngineRecordSink>(producer.Sink);

            ValueTask<UserRecordResult> first = producer.AddAsync("k", StreamContents.Bytes("fast"));
            await producer.FlushAsync();
            Assert.Equal(1, (await first).Attempts);
            Assert.True(sink.LastWriteOnEventBus);

            // A fault rule makes the next writes go through the client, where the rule applies: one failed attempt, then stored.
            StreamEngine engine = provider.GetRequiredService<StreamEngine>();
            engine.Faults.Add(new FaultRule { Operation = "PutRecords", Count = 1, Error = () => new ProvisionedThroughputExceededException("Rate exceeded.") });
            ValueTask<UserRecordResult> second = producer.AddAsync("k", StreamContents.Bytes("through the client"));
            Task flushed = producer.FlushAsync();
            while (!flushed.IsCompleted)
            {
                clock.Advance(TimeSpan.FromMilliseconds(100)); // the retry's backoff runs on the fake clock
                await Task.Yield();
            }

            await flushed;
            Assert.Equal(2, (await second).Attempts);
            Assert.False(sink.LastWriteOnEventBus);

            engine.Faults.Clear();
            ValueTask<UserRecordResult> third = producer.AddAsync("k", StreamContents.Bytes("fast again"));
            await producer.FlushAsync();
            Assert.Equal(1, (await third).Attempts);
            Assert.True(sink.LastWriteOnEventBus);
            IKinesisClient client = provider.GetRequiredService<IKinesisClient>();
            int stored = 0;
            foreach (Shard shard in (await client.ListShardsAsync(new ListShardsRequest { StreamName = "orders" })).Shards)
            {
                string iterator = (await client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "orders", ShardId = shard.ShardId, ShardIteratorType = ShardIteratorType.TRIM_HORIZON })).ShardIterator!;
                stored += (await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator })).Records.Count;
            }

            Assert.Equal(3, stored); // each once: the failed attempt stored nothing
        }
    }

    [Fact]
    public void Options_are_validated_at_start()
    {
        ServiceProvider provider = new ServiceCollection().AddStreamCore().AddKinesisProducer("s", o => o.CollectionMaxCount = 501).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("CollectionMaxCount", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new KinesisProducerOptions { RecordTtl = TimeSpan.FromMilliseconds(99) }.Validate());
    }

    [Fact]
    public async Task Metrics_carry_the_KPL_names_on_the_StreamCore_meter()
    {
        using var t = new TestEngine();
        await t.CreateAsync("metrics-only", 1);
        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "StreamCore")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // Other tests' producers publish on the same meter at the same time: count this stream's measurements only.
        static bool Ours(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "StreamName" && (string?)tag.Value == "metrics-only")
                {
                    return true;
                }
            }

            return false;
        }

        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => { if (Ours(tags)) { lock (seen) { seen[i.Name] = seen.GetValueOrDefault(i.Name) + v; } } });
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => { if (Ours(tags)) { lock (seen) { seen[i.Name] = seen.GetValueOrDefault(i.Name) + 1; } } });
        listener.Start();
        await using (var producer = new KinesisProducer(t.Client, "metrics-only", new KinesisProducerOptions { TimeProvider = t.Clock }))
        {
            for (int i = 0; i < 10; i++)
            {
                _ = producer.AddAsync("k" + i, StreamContents.Bytes("r" + i));
            }

            await producer.FlushAsync();
            listener.RecordObservableInstruments();
        }

        Assert.Equal(10, seen["UserRecordsReceived"]);
        Assert.Equal(10, seen["UserRecordsPut"]);
        Assert.Equal(1, seen["KinesisRecordsPut"]);
        Assert.Equal(10, seen["UserRecordsPerKinesisRecord"]);
        Assert.Equal(1, seen["KinesisRecordsPerPutRecordsRequest"]);
        Assert.True(seen.ContainsKey("BufferingTime"));
        Assert.True(seen.ContainsKey("RetriesPerRecord"));
        Assert.True(seen.ContainsKey("UserRecordsPending"));
    }
}
