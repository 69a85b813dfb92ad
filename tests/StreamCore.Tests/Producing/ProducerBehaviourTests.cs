using StreamCore.Connectors;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Producing;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Producing;

/// <summary>Deadlines, limits, retries, expiry, back-pressure and reshards, on a fake clock.</summary>
public class ProducerBehaviourTests
{
    private static async Task<int> CountAsync(TestEngine t, string stream = "s") => (await StreamContents.ReadAllAsync(t, stream)).Count;

    [Fact]
    public async Task A_record_waits_for_RecordMaxBufferedTime_then_goes()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock });
        ValueTask<UserRecordResult> pending = producer.AddAsync("k", StreamContents.Bytes("x"));
        t.Clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.False(pending.IsCompleted);
        Assert.Equal(0, await CountAsync(t));
        t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        UserRecordResult result = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new ShardId(0), result.ShardId);
        Assert.Equal(1, await CountAsync(t));
    }

    [Fact]
    public async Task CollectionMaxCount_sends_without_waiting_for_the_deadline()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, AggregationEnabled = false, CollectionMaxCount = 10 });
        var results = Enumerable.Range(0, 25).Select(i => producer.AddAsync("k", StreamContents.Bytes("r" + i)).AsTask()).ToList();
        await Task.WhenAll(results.Take(20)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(20, await CountAsync(t));
        Assert.All(results.Skip(20), r => Assert.False(r.IsCompleted));
    }

    [Fact]
    public async Task AggregationMaxSize_and_CollectionMaxSize_cut_aggregates_and_calls()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        var calls = new List<int>();
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, AggregationMaxSize = 10_000, CollectionMaxSize = 52_224 });
        var results = Enumerable.Range(0, 600).Select(i => producer.AddAsync("k" + i, new byte[1000]).AsTask()).ToList();

        // ~9 user records per 10 KB aggregate and 5 aggregates per 52 KB call: 540 are out before any deadline.
        await Task.WhenAll(results.Take(500)).WaitAsync(TimeSpan.FromSeconds(10));
        UserRecordResult[] done = [.. results.Where(r => r.IsCompletedSuccessfully).Select(r => r.Result)];
        Assert.All(done, r => Assert.True(r.IsAggregated));
        Assert.InRange(done.GroupBy(r => r.SequenceNumber).Max(g => g.Count()), 8, 10);
        Assert.Contains(results, r => !r.IsCompleted);
        await StreamContents.RunAsync(t, producer.FlushAsync());
        Assert.Equal(600, await CountAsync(t));
    }

    [Fact]
    public async Task Partial_failures_and_throttling_are_retried_until_each_record_is_stored_once()
    {
        using var t = new TestEngine(o => o.Throughput = new ThroughputLimits { ShardWriteRecordsPerSecond = 50 });
        await t.CreateAsync("s", 2);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", PerRecord = true, Probability = 0.3, Seed = 7 });
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", Count = 3, Error = () => new ProvisionedThroughputExceededException("Rate exceeded for stream s under account 000000000000.") });
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, AggregationEnabled = false, RecordTtl = TimeSpan.FromMinutes(10) });
        var results = Enumerable.Range(0, 400).Select(i => producer.AddAsync("k" + i, StreamContents.Bytes("r" + i)).AsTask()).ToList();
        UserRecordResult[] all = await StreamContents.RunAsync(t, Task.WhenAll(results), TimeSpan.FromMilliseconds(100));
        Assert.Contains(all, r => r.Attempts > 1);
        List<StoredUserRecord> stored = await StreamContents.ReadAllAsync(t, "s");
        Assert.Equal(Enumerable.Range(0, 400).Select(i => "r" + i).Order(), stored.Select(s => s.Data).Order());
    }

    [Fact]
    public async Task Aggregates_are_retried_whole_and_stored_once()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 4);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", PerRecord = true, Probability = 0.5, Seed = 3 });
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, AggregationMaxSize = 1000 });
        var results = Enumerable.Range(0, 1000).Select(i => producer.AddAsync("k" + i, StreamContents.Bytes("r" + i)).AsTask()).ToList();
        await StreamContents.RunAsync(t, Task.WhenAll(results));
        List<StoredUserRecord> stored = await StreamContents.ReadAllAsync(t, "s");
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => "r" + i).Order(), stored.Select(s => s.Data).Order());
    }

    [Fact]
    public async Task A_record_not_stored_within_RecordTtl_fails_as_Expired_with_the_last_error()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", PerRecord = true, Error = () => new ProvisionedThroughputExceededException("Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.") });
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, RecordTtl = TimeSpan.FromSeconds(2) });
        Task<UserRecordResult> pending = producer.AddAsync("k", StreamContents.Bytes("x")).AsTask();
        var error = await Assert.ThrowsAsync<UserRecordFailedException>(() => StreamContents.RunAsync(t, pending, TimeSpan.FromMilliseconds(100)));
        Assert.Equal("Expired", error.ErrorCode);
        Assert.Contains("ProvisionedThroughputExceededException", error.Message);
        Assert.True(error.Attempts > 1);
        Assert.Equal(0, producer.OutstandingRecordCount);
    }

    [Fact]
    public async Task FailIfThrottled_fails_a_throttled_record_at_once_and_a_bad_stream_is_not_retried()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", PerRecord = true, Count = 1, Error = () => new ProvisionedThroughputExceededException("Rate exceeded.") });
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, FailIfThrottled = true });
        Task<UserRecordResult> first = producer.AddAsync("k", StreamContents.Bytes("x")).AsTask();
        await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<UserRecordFailedException>(() => first);
        Assert.Equal("ProvisionedThroughputExceededException", error.ErrorCode);
        Assert.Equal(1, error.Attempts);

        await t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "s" });
        t.Clock.Advance(TimeSpan.FromMinutes(1));
        Task<UserRecordResult> gone = producer.AddAsync("k", StreamContents.Bytes("y")).AsTask();
        await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ResourceNotFoundException", (await Assert.ThrowsAsync<UserRecordFailedException>(() => gone)).ErrorCode);
    }

    [Fact]
    public async Task When_full_AddAsync_waits_and_resumes_or_fails_fast()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await using (var waiting = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, MaxOutstandingRecords = 3 }))
        {
            t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", Count = 1 });
            var first = Enumerable.Range(0, 3).Select(i => waiting.AddAsync("k", StreamContents.Bytes("a" + i)).AsTask()).ToList();
            Task<UserRecordResult> blocked = waiting.AddAsync("k", StreamContents.Bytes("b")).AsTask();
            await Task.Delay(50);
            Assert.False(blocked.IsCompleted); // the first call failed; the three wait for their retry
            Assert.Equal(3, waiting.OutstandingRecordCount);
            await StreamContents.RunAsync(t, Task.WhenAll(first));
            await StreamContents.RunAsync(t, blocked);
        }

        Assert.Equal(4, await CountAsync(t));

        await using var failing = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, MaxOutstandingRecords = 2, FullMode = ProducerFullMode.Fail });
        _ = failing.AddAsync("k", StreamContents.Bytes("c0"));
        _ = failing.AddAsync("k", StreamContents.Bytes("c1"));
        await Assert.ThrowsAsync<ProducerBufferFullException>(() => failing.AddAsync("k", StreamContents.Bytes("c2")).AsTask());
        await failing.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await StreamContents.RunAsync(t, failing.AddAsync("k", StreamContents.Bytes("c3")).AsTask()); // room again
        Assert.Equal(0, failing.OutstandingRecordCount);
    }

    [Fact]
    public async Task FlushAsync_and_DisposeAsync_lose_nothing()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 3);
        var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock });
        // The ValueTasks themselves: their status is the record's own (an AsTask wrapper completes a moment later).
        var first = Enumerable.Range(0, 300).Select(i => producer.AddAsync("k" + i, StreamContents.Bytes("f" + i))).ToList();
        await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(first.Skip(1), r => Assert.True(r.IsCompletedSuccessfully)); // the first waited for the shard map: an async wrapper
        var second = Enumerable.Range(0, 300).Select(i => producer.AddAsync("k" + i, StreamContents.Bytes("d" + i))).ToList();
        await producer.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.All(second, r => Assert.True(r.IsCompletedSuccessfully));
        foreach (ValueTask<UserRecordResult> result in first.Concat(second))
        {
            await result;
        }

        await Assert.ThrowsAsync<ObjectDisposedException>(() => producer.AddAsync("k", StreamContents.Bytes("late")).AsTask());
        Assert.Equal(600, await CountAsync(t));
    }

    [Fact]
    public async Task FlushAsync_returns_only_once_every_earlier_record_has_its_result_while_sends_settle_concurrently()
    {
        // Many small PutRecords calls in flight at once settle on several threads: a flush woken by the last of them
        // must not return while another is still handing out its results.
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 4);
        var sink = new ThreadHoppingSink(new DataStreamRecordSink(stream));
        await using var producer = new KinesisProducer(sink, new KinesisProducerOptions { TimeProvider = t.Clock, CollectionMaxCount = 250, AggregationEnabled = false }, null, null);
        var pending = new ValueTask<UserRecordResult>[2000];
        for (int round = 0; round < 40; round++)
        {
            for (int i = 0; i < pending.Length; i++)
            {
                pending[i] = producer.AddAsync("k" + (i % 37), StreamContents.Bytes(round + "/" + i));
            }

            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            int notFinal = pending.Count(p => !p.IsCompleted);
            Assert.True(notFinal == 0, $"round {round}: {notFinal} records had no result when FlushAsync returned");
            foreach (ValueTask<UserRecordResult> result in pending)
            {
                await result;
            }
        }

        Assert.Equal(40 * 2000, await CountAsync(t)); // user records, de-aggregated
    }

    /// <summary>A sink whose every call continues on the thread pool, so that many calls settle at once on several threads.</summary>
    private sealed class ThreadHoppingSink(RecordSink inner) : RecordSink
    {
        public override string StreamName => inner.StreamName;

        public override Task<SinkStreamDescription> DescribeAsync(CancellationToken cancellationToken) => inner.DescribeAsync(cancellationToken);

        public override async ValueTask PutRecordsAsync(ReadOnlyMemory<SinkRecord> records, Memory<SinkResult> results, CancellationToken cancellationToken)
        {
            await Task.Yield();
            await inner.PutRecordsAsync(records, results, cancellationToken);
        }
    }

    [Fact]
    public async Task StrictOrdering_keeps_each_keys_order_under_retries()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", PerRecord = true, Probability = 0.4, Seed = 11 });
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, StrictOrdering = true, AggregationEnabled = false, CollectionMaxCount = 20 });
        var results = Enumerable.Range(0, 400).Select(i => producer.AddAsync("k" + (i % 7), StreamContents.Bytes($"{i % 7}:{i}")).AsTask()).ToList();
        await StreamContents.RunAsync(t, Task.WhenAll(results));
        List<StoredUserRecord> stored = await StreamContents.ReadAllAsync(t, "s");
        Assert.Equal(400, stored.Count);
        foreach (IGrouping<string, StoredUserRecord> key in stored.GroupBy(s => s.PartitionKey))
        {
            int[] order = [.. key.Select(s => int.Parse(s.Data.Split(':')[1]))];
            Assert.Equal(order.Order(), order);
        }
    }

    [Fact]
    public async Task A_reshard_under_load_refreshes_the_shard_map_and_every_user_record_is_read_once()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        var recorder = new StreamCore.Aggregation.RecordDeaggregator();
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, AggregationMaxSize = 2000 });
        var results = new List<Task<UserRecordResult>>();
        for (int i = 0; i < 3000; i++)
        {
            results.Add(producer.AddAsync("k" + i, StreamContents.Bytes("r" + i)).AsTask());
            if (i == 1000)
            {
                await t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = (UInt128.MaxValue / 4).ToString() });
            }

            if (i == 2000)
            {
                await t.Client.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "s", TargetShardCount = 4, ScalingType = ScalingType.UNIFORM_SCALING });
            }
        }

        UserRecordResult[] all = await StreamContents.RunAsync(t, Task.WhenAll(results));
        List<StoredUserRecord> stored = await StreamContents.ReadAllAsync(t, "s", recorder);
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => "r" + i).Order(), stored.Select(s => s.Data).Order());
        Assert.Contains(all, r => r.ShardId.Index >= 2); // records reached the children: the map was refreshed
    }
}
