using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Throughput;

public class ThroughputLimitTests
{
    private static TestEngine Limited(Action<ThroughputLimits>? configure = null) => new(o =>
    {
        o.Throughput = new ThroughputLimits();
        configure?.Invoke(o.Throughput);
    });

    private static Task<PutRecordResponse> PutAsync(TestEngine t, int bytes = 1) =>
        t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new MemoryStream(new byte[bytes]) });

    [Fact]
    public async Task The_1000th_record_in_a_second_passes_and_the_1001st_fails()
    {
        using TestEngine t = Limited();
        await t.CreateAsync("s", 1);
        for (int i = 0; i < 1000; i++)
        {
            await PutAsync(t);
        }

        var ex = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => PutAsync(t));
        Assert.Equal("Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.", ex.Message);
        t.Clock.Advance(TimeSpan.FromMilliseconds(999));
        await PutAsync(t); // 999 ms refilled 999 records' worth
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 0; i < 1000; i++)
        {
            await PutAsync(t);
        }

        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => PutAsync(t));
    }

    [Fact]
    public async Task A_shard_takes_1_MiB_per_second()
    {
        using TestEngine t = Limited();
        await t.CreateAsync("s", 2);
        for (int i = 0; i < 10; i++)
        {
            await PutAsync(t, 100_000); // 10 x (100,000 + 1) bytes fit in 1,048,576
        }

        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => PutAsync(t, 100_000));
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "other", ExplicitHashKey = "0", Data = new MemoryStream(new byte[100_000]) }); // the other shard has its own budget
    }

    [Fact]
    public async Task PutRecords_reports_throttled_records_one_by_one_and_stores_the_rest()
    {
        using TestEngine t = Limited();
        await t.CreateAsync("s", 1);
        int stored = 0, throttled = 0;
        for (int call = 0; call < 3; call++)
        {
            PutRecordsResponse r = await t.Client.PutRecordsAsync(new PutRecordsRequest
            {
                StreamName = "s",
                Records = [.. Enumerable.Range(0, 400).Select(i => new PutRecordsRequestEntry { PartitionKey = "k" + i, Data = TestEngine.Bytes("x") })],
            });
            stored += r.Records.Count(e => e.ErrorCode is null);
            throttled += r.FailedRecordCount!.Value;
            Assert.All(r.Records.Where(e => e.ErrorCode is not null), e => Assert.Equal("ProvisionedThroughputExceededException", e.ErrorCode));
        }

        Assert.Equal((1000, 200), (stored, throttled));
        Assert.Equal(1000, (await t.DrainAsync(await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON))).Count);
    }

    [Fact]
    public async Task GetRecords_allows_five_calls_per_second_per_shard()
    {
        using TestEngine t = Limited();
        await t.CreateAsync("s", 1);
        string iterator = await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON);
        for (int i = 0; i < 5; i++)
        {
            await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
        }

        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }));
        t.Clock.Advance(TimeSpan.FromMilliseconds(200));
        await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
    }

    [Fact]
    public async Task A_10_MiB_response_throttles_the_shard_for_five_seconds()
    {
        using TestEngine t = Limited(l => l.ShardWriteBytesPerSecond = 64 * 1024 * 1024);
        await t.CreateAsync("s", 1);
        for (int i = 0; i < 11; i++)
        {
            await PutAsync(t, 1_000_000);
        }

        string iterator = await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON);
        GetRecordsResponse big = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
        Assert.Equal(10, big.Records.Count);
        t.Clock.Advance(TimeSpan.FromMilliseconds(4_999));
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = big.NextShardIterator }));
        t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Single((await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = big.NextShardIterator })).Records);
    }

    [Fact]
    public async Task Control_operations_are_held_to_their_calls_per_second()
    {
        using TestEngine t = Limited();
        await t.Client.DescribeLimitsAsync(new DescribeLimitsRequest());
        var ex = await Assert.ThrowsAsync<LimitExceededException>(() => t.Client.DescribeLimitsAsync(new DescribeLimitsRequest()));
        Assert.Equal("Rate exceeded for DescribeLimits on account 000000000000: at most 1 calls per second.", ex.Message);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        await t.Client.DescribeLimitsAsync(new DescribeLimitsRequest());
        for (int i = 0; i < 5; i++)
        {
            await t.CreateAsync("s" + i, 1);
        }

        await Assert.ThrowsAsync<LimitExceededException>(() => t.CreateAsync("s5", 1));
        Assert.Equal(5, t.Engine.ListStreamNames().Count);
    }

    [Fact]
    public async Task Subscriptions_are_paced_at_2_MiB_per_second_per_consumer_and_shard()
    {
        using TestEngine t = Limited(l => l.ShardWriteBytesPerSecond = 64 * 1024 * 1024);
        await t.CreateAsync("s", 1);
        string streamArn = t.Engine.GetStream("s").Arn;
        string consumer = (await t.Client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = streamArn, ConsumerName = "c" })).Consumer!.ConsumerARN!;
        for (int i = 0; i < 6; i++)
        {
            await PutAsync(t, (1024 * 1024) - 1); // the largest record a 1 MiB stream takes with a one-byte key
            t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        SubscribeToShardResponse response = await t.Client.SubscribeToShardAsync(new SubscribeToShardRequest
        {
            ConsumerARN = consumer,
            ShardId = "0",
            StartingPosition = new StreamCore.Kinesis.StartingPosition { Type = ShardIteratorType.TRIM_HORIZON },
        });
        await using IAsyncEnumerator<SubscribeToShardEvent> events = response.EventStream!.GetAsyncEnumerator(TestContext.Current.CancellationToken);

        // Each ~1 MiB record sits in its own storage segment, so each event carries one. The first two spend the
        // 2 MiB of credit; the third waits for the budget to refill on the engine's clock. (An async iterator runs
        // synchronously to its first pending await, so when MoveNextAsync returns, the subscription is waiting.)
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        ValueTask<bool> third = events.MoveNextAsync();
        Assert.False(third.IsCompleted);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await third.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Single(events.Current.Records);
    }

    [Fact]
    public async Task Limits_are_off_by_default()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        PutRecordsResponse r = await t.Client.PutRecordsAsync(new PutRecordsRequest
        {
            StreamName = "s",
            Records = [.. Enumerable.Range(0, 500).Select(i => new PutRecordsRequestEntry { PartitionKey = "k", Data = new MemoryStream(new byte[10_000]) })],
        });
        Assert.Equal(0, r.FailedRecordCount);
        for (int i = 0; i < 10; i++)
        {
            await t.Client.DescribeLimitsAsync(new DescribeLimitsRequest());
        }
    }
}
