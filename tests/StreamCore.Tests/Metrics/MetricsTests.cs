using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Metrics;

public class MetricsTests
{
    /// <summary>Collects the measurements of one engine's meter (engines are told apart by their account id tag).</summary>
    private sealed class Collector : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Collector(string accountId)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "StreamCore" && instrument.Meter.Tags?.Any(t => t.Key == "AccountId" && (string?)t.Value == accountId) == true)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
                Measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => (string?)t.Value))));
            _listener.Start();
        }

        public ConcurrentBag<(string Name, long Value, Dictionary<string, string?> Tags)> Measurements { get; } = [];

        public long Sum(string name) => Measurements.Where(m => m.Name == name).Sum(m => m.Value);

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task Writes_and_reads_are_measured_per_stream_and_per_shard_with_enhanced_monitoring()
    {
        using var t = new TestEngine(o => o.AccountId = "111111111111");
        using var metrics = new Collector("111111111111");
        await t.CreateAsync("s", 2);
        await t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s", Records = [.. Enumerable.Range(0, 10).Select(i => new PutRecordsRequestEntry { PartitionKey = "k" + i, Data = new MemoryStream(new byte[100]) })] });
        Assert.Equal(10, metrics.Sum("IncomingRecords"));
        Assert.True(metrics.Sum("IncomingBytes") >= 1000);
        Assert.All(metrics.Measurements, m => Assert.Equal("s", m.Tags["StreamName"]));
        Assert.DoesNotContain(metrics.Measurements, m => m.Tags.ContainsKey("ShardId"));

        EnableEnhancedMonitoringResponse enabled = await t.Client.EnableEnhancedMonitoringAsync(new EnableEnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["IncomingRecords", "IteratorAgeMilliseconds"] });
        Assert.Empty(enabled.CurrentShardLevelMetrics);
        Assert.Equal(["IncomingRecords", "IteratorAgeMilliseconds"], enabled.DesiredShardLevelMetrics);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", ExplicitHashKey = "0", Data = new MemoryStream(new byte[10]) });
        Assert.Contains(metrics.Measurements, m => m.Name == "IncomingRecords" && m.Tags.GetValueOrDefault("ShardId") == "shardId-000000000000");
        Assert.Contains(metrics.Measurements, m => m.Name == "IncomingBytes" && !m.Tags.ContainsKey("ShardId"));

        List<string> read = await t.DrainAsync(await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON));
        Assert.Equal(read.Count, metrics.Sum("OutgoingRecords"));
        Assert.Contains(metrics.Measurements, m => m.Name == "IteratorAgeMilliseconds" && m.Tags.ContainsKey("ShardId"));

        using ShardReader reader = t.Engine.GetStream("s").OpenReader(new ShardId(1), ShardPosition.TrimHorizon);
        Assert.True(reader.TryRead(out RecordBatch batch));
        Assert.Equal(read.Count + batch.Count, metrics.Sum("OutgoingRecords"));
    }

    [Fact]
    public async Task Enhanced_monitoring_expands_ALL_and_shows_in_describe()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        EnableEnhancedMonitoringResponse all = await t.Client.EnableEnhancedMonitoringAsync(new EnableEnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["ALL"] });
        Assert.Equal(7, all.DesiredShardLevelMetrics.Count);
        Assert.Equal(7, (await t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s" })).StreamDescription!.EnhancedMonitoring[0].ShardLevelMetrics.Count);
        DisableEnhancedMonitoringResponse some = await t.Client.DisableEnhancedMonitoringAsync(new DisableEnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["IncomingBytes", "OutgoingBytes"] });
        Assert.Equal(7, some.CurrentShardLevelMetrics.Count);
        Assert.Equal(5, some.DesiredShardLevelMetrics.Count);
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.EnableEnhancedMonitoringAsync(new EnableEnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["Nonsense"] }));
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.EnableEnhancedMonitoringAsync(new EnableEnhancedMonitoringRequest { StreamName = "s" }));
    }

    [Fact]
    public async Task Throttling_and_subscriptions_are_measured()
    {
        using var t = new TestEngine(o =>
        {
            o.AccountId = "222222222222";
            o.Throughput = new ThroughputLimits { ShardWriteRecordsPerSecond = 2 };
        });
        using var metrics = new Collector("222222222222");
        await t.CreateAsync("s", 1);
        PutRecordsResponse r = await t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s", Records = [.. Enumerable.Range(0, 5).Select(i => new PutRecordsRequestEntry { PartitionKey = "k", Data = TestEngine.Bytes("x") })] });
        Assert.Equal(3, r.FailedRecordCount);
        Assert.Equal(3, metrics.Sum("WriteProvisionedThroughputExceeded"));

        string consumer = (await t.Client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = t.Engine.GetStream("s").Arn, ConsumerName = "c" })).Consumer!.ConsumerARN!;
        SubscribeToShardResponse sub = await t.Client.SubscribeToShardAsync(new SubscribeToShardRequest { ConsumerARN = consumer, ShardId = "0", StartingPosition = new StreamCore.Kinesis.StartingPosition { Type = ShardIteratorType.TRIM_HORIZON } });
        await Assert.ThrowsAsync<ResourceInUseException>(() => t.Client.SubscribeToShardAsync(new SubscribeToShardRequest { ConsumerARN = consumer, ShardId = "0", StartingPosition = new StreamCore.Kinesis.StartingPosition { Type = ShardIteratorType.LATEST } }));
        await using IAsyncEnumerator<SubscribeToShardEvent> events = sub.EventStream!.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, metrics.Sum("SubscribeToShard.Success"));
        Assert.Equal(1, metrics.Sum("SubscribeToShard.RateExceeded"));
        Assert.Equal(2, metrics.Sum("SubscribeToShardEvent.Records"));
    }
}
