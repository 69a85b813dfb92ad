using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StreamCore.Consuming;
using StreamCore.Producing;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Consuming;

/// <summary>The worker's behaviour beyond the shared scenarios: aggregates, shard end, metrics, registration.</summary>
public sealed class ConsumerBehaviourTests
{
    private static KinesisConsumerOptions Options(TestEngine t, ILeaseStore store, string worker, Func<IShardRecordProcessor> factory) => new()
    {
        ApplicationName = "behaviour-app",
        WorkerId = worker,
        LeaseStore = store,
        InitialPosition = InitialPosition.TrimHorizon,
        TimeProvider = t.Clock,
        ProcessorFactory = factory,
    };

    [Fact]
    public async Task Aggregated_records_arrive_de_aggregated_and_a_subsequence_checkpoint_resumes_inside_the_aggregate()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        await using (var producer = new KinesisProducer(stream, new KinesisProducerOptions { TimeProvider = t.Clock }))
        {
            for (int i = 0; i < 5; i++)
            {
                _ = producer.AddAsync("k" + i, Encoding.UTF8.GetBytes("user-" + i));
            }

            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        var store = new InMemoryLeaseStore();
        var log = new ScenarioLog();
        await using (var first = new KinesisConsumer(stream, Options(t, store, "first", () => new RecordingProcessor("first", log)
        {
            CheckpointEachBatch = false,
            CheckpointOnShutdown = false,
            OnBatch = async input =>
            {
                Assert.All(input.Records, r => Assert.True(r.IsAggregated));
                await input.Checkpointer.CheckpointAsync(input.Records[1]);
                throw new InvalidOperationException("crash after checkpointing user record 1");
            },
        })))
        {
            await first.StartAsync();
            await Pump.UntilAsync(t, () => store.GetLeaseAsync("shardId-000000000000", default).AsTask().Result?.CheckpointSubSequenceNumber == 1, "the subsequence checkpoint");
        }

        Lease lease = (await store.GetLeaseAsync("shardId-000000000000", default))!;
        Assert.Equal(1, lease.CheckpointSubSequenceNumber);
        await using var second = new KinesisConsumer(stream, Options(t, store, "second", () => new RecordingProcessor("second", log)));
        await second.StartAsync();
        await Pump.UntilAsync(t, () => log.Records.Count >= 3, "the rest of the aggregate");
        Assert.Equal(["user-2", "user-3", "user-4"], log.Data);
        Assert.Equal([2L, 3L, 4L], log.Records.Select(r => r.SubSequenceNumber));
        Assert.Single(log.Records.Select(r => r.SequenceNumber).Distinct());
        Assert.Contains(log.Events, e => e == $"second initialize shardId-000000000000 {lease.Checkpoint}/1");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Aggregates_de_aggregate_and_plain_records_pass_as_they_are_on_a_plain_and_on_an_encrypted_stream(bool encrypted)
    {
        // Storage tags payloads that begin as aggregates at append (the worker skips the payloads of untagged records);
        // on an encrypted stream the tag sees ciphertext, so there the worker must still check every decrypted payload.
        using var t = new TestEngine(o => o.KeyProvider = new InMemoryKmsKeyProvider());
        await t.CreateAsync("s", 1);
        DataStream stream = t.Engine.GetStream("s");
        stream.Append("k", "before"u8);
        if (encrypted)
        {
            await t.Client.StartStreamEncryptionAsync(new StreamCore.Kinesis.StartStreamEncryptionRequest { StreamName = "s", EncryptionType = StreamCore.Kinesis.EncryptionType.KMS, KeyId = InMemoryKmsKeyProvider.AwsManagedKinesisAlias });
        }

        await using (var producer = new KinesisProducer(stream, new KinesisProducerOptions { TimeProvider = t.Clock }))
        {
            for (int i = 0; i < 5; i++)
            {
                _ = producer.AddAsync("k" + i, Encoding.UTF8.GetBytes("user-" + i));
            }

            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        // Begins with the KPL magic but has no valid digest: a plain record, delivered as it is.
        byte[] lookalike = [0xF3, 0x89, 0x9A, 0xC2, .. Encoding.UTF8.GetBytes("not an aggregate, only its magic")];
        stream.Append("k", lookalike);
        stream.Append("k", "after"u8);

        var log = new ScenarioLog();
        await using var consumer = new KinesisConsumer(stream, Options(t, new InMemoryLeaseStore(), "w", () => new RecordingProcessor("w", log)));
        await consumer.StartAsync();
        await Pump.UntilAsync(t, () => log.Records.Count >= 8, "every user record");
        Assert.Equal(["before", "user-0", "user-1", "user-2", "user-3", "user-4", Encoding.UTF8.GetString(lookalike), "after"], log.Data);
        Assert.Equal([0L, 0L, 1L, 2L, 3L, 4L, 0L, 0L], log.Records.Select(r => r.SubSequenceNumber));
        Assert.Equal(4, log.Records.Select(r => r.SequenceNumber).Distinct().Count());
    }

    [Fact]
    public async Task A_shard_end_without_a_shard_end_checkpoint_holds_the_children_back_until_the_processor_checkpoints()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        stream.Append("k", "parent"u8);
        stream.SplitShard(new ShardId(0), UInt128.MaxValue / 2);
        stream.Append("k", "child"u8);
        var store = new InMemoryLeaseStore();
        var log = new ScenarioLog();
        int endCalls = 0;
        await using var consumer = new KinesisConsumer(stream, Options(t, store, "w", () => new EndProcessor(log, () => Interlocked.Increment(ref endCalls) >= 3)));
        await consumer.StartAsync();
        await Pump.UntilAsync(t, () => Volatile.Read(ref endCalls) >= 2, "the shard-ended callback is called again", TimeSpan.FromMilliseconds(250));
        Assert.DoesNotContain("child", log.Data);
        await Pump.UntilAsync(t, () => log.Data.Contains("child"), "the child is processed once the parent checkpointed SHARD_END", TimeSpan.FromSeconds(1));
        Assert.Equal(["parent", "child"], log.Data.ToArray());
        Assert.Equal(Lease.ShardEnd, (await store.GetLeaseAsync("shardId-000000000000", default))?.Checkpoint ?? Lease.ShardEnd);
    }

    private sealed class EndProcessor(ScenarioLog log, Func<bool> checkpointNow) : IShardRecordProcessor
    {
        public ValueTask InitializeAsync(InitializationInput input, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken)
        {
            foreach (ConsumerRecord record in input.Records)
            {
                log.Records.Enqueue(new Seen("w", input.ShardId, record.SequenceNumber, 0, record.PartitionKey, Encoding.UTF8.GetString(record.Data.Span)));
            }

            await input.Checkpointer.CheckpointAsync(cancellationToken);
        }

        public ValueTask LeaseLostAsync(LeaseLostInput input, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken)
        {
            if (checkpointNow())
            {
                await input.Checkpointer.CheckpointAsync(cancellationToken);
            }
        }

        public ValueTask ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Metrics_have_the_kcl_names_on_the_streamcore_meter()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("metered", 2);
        var totals = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "StreamCore")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "StreamName" && (string?)tag.Value == "metered")
                {
                    lock (totals)
                    {
                        totals[instrument.Name] = totals.GetValueOrDefault(instrument.Name) + value;
                    }
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        listener.Start();
        for (int i = 0; i < 50; i++)
        {
            stream.Append("k" + i, new byte[10]);
        }

        var log = new ScenarioLog();
        await using var consumer = new KinesisConsumer(stream, Options(t, new InMemoryLeaseStore(), "w", () => new RecordingProcessor("w", log)));
        await consumer.StartAsync();
        await Pump.UntilAsync(t, () => log.Count >= 50, "the records are processed");

        // The processor sees the 50th record before the worker records the batch's ProcessTask.Time (after the
        // processor returns): wait on the metrics themselves, not on the record.
        bool Recorded()
        {
            lock (totals)
            {
                return totals.GetValueOrDefault("RecordsProcessed") >= 50 && totals.ContainsKey("ProcessTask.Time") && totals.ContainsKey("MillisBehindLatest");
            }
        }

        await Pump.UntilAsync(t, Recorded, "the batches' metrics are recorded");
        listener.RecordObservableInstruments(); // once: a gauge's measurements add up in totals
        lock (totals)
        {
            Assert.Equal(50, totals["RecordsProcessed"]);
            Assert.Equal(500, totals["DataBytesProcessed"]);
            Assert.Equal(2, totals["TakenLeases"]);
            Assert.Equal(2, totals["LeasesHeld"]);
            Assert.Equal(2, totals["CurrentLeases"]);
            Assert.True(totals.ContainsKey("MillisBehindLatest") && totals.ContainsKey("ProcessTask.Time"));
        }
    }

    [Fact]
    public async Task Registered_consumers_start_and_stop_with_the_host_and_bad_options_fail_at_start()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestEngine.Start);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddStreamCore();
        services.AddSingleton<ILeaseStore>(new InMemoryLeaseStore());
        services.AddSingleton<ScenarioLog>();
        services.AddSingleton("registered");
        services.AddKinesisConsumer<InjectedProcessor>("registered-app", o =>
        {
            o.StreamName = "s";
            o.InitialPosition = InitialPosition.TrimHorizon;
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        StreamEngine engine = provider.GetRequiredService<StreamEngine>();
        DataStream stream = engine.CreateStream("s", 2);
        stream.Append("k", "hello"u8);
        KinesisConsumerHostedService hosted = Assert.Single(provider.GetServices<IHostedService>().OfType<KinesisConsumerHostedService>());
        await hosted.StartAsync(default);
        KinesisConsumer consumer = provider.GetRequiredService<KinesisConsumer>();
        Assert.Equal(2, consumer.HeldShardIds.Count);
        ScenarioLog log = provider.GetRequiredService<ScenarioLog>();
        for (int i = 0; i < 200 && log.Count == 0; i++)
        {
            await Task.Delay(5);
            clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        Assert.Equal(["hello"], log.Data);
        await hosted.StopAsync(default);
        Assert.Empty(consumer.HeldShardIds);

        var bad = new ServiceCollection();
        bad.AddStreamCore();
        bad.AddKinesisConsumer<InjectedProcessor>("x", o => o.StreamName = "s");
        bad.AddKinesisConsumer<InjectedProcessor>("ok-app", o => { });
        await using ServiceProvider badProvider = bad.BuildServiceProvider();
        var failure = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => badProvider.GetRequiredKeyedService<KinesisConsumer>("x"));
        Assert.Contains("ApplicationName 'x' is not valid", failure.Message, StringComparison.Ordinal);
        var noStream = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => badProvider.GetRequiredKeyedService<KinesisConsumer>("ok-app"));
        Assert.Contains("StreamName is required", noStream.Message, StringComparison.Ordinal);
    }

    public sealed class InjectedProcessor(ScenarioLog log, string name) : IShardRecordProcessor
    {
        private readonly RecordingProcessor _inner = new(name, log);

        public ValueTask InitializeAsync(InitializationInput input, CancellationToken cancellationToken) => _inner.InitializeAsync(input, cancellationToken);

        public ValueTask ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken) => _inner.ProcessRecordsAsync(input, cancellationToken);

        public ValueTask LeaseLostAsync(LeaseLostInput input, CancellationToken cancellationToken) => _inner.LeaseLostAsync(input, cancellationToken);

        public ValueTask ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken) => _inner.ShardEndedAsync(input, cancellationToken);

        public ValueTask ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken) => _inner.ShutdownRequestedAsync(input, cancellationToken);
    }
}
