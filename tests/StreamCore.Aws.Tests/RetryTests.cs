using StreamCore.Aws.Kinesis;
using StreamCore.Aws.Tests.Support;
using StreamCore.Errors;
using StreamCore.Kinesis;

namespace StreamCore.Aws.Tests;

/// <summary>The standard retry mode against a StreamCore server with fault injection and throughput limits on.</summary>
public sealed class RetryTests
{
    private static RemoteKinesisClient Client(ServerFixture server, Action<RemoteKinesisClientOptions>? configure, out Func<int> attempts)
    {
        CountingHandler? counter = null;
        RemoteKinesisClient client = server.CreateClient(
            o =>
            {
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(1); // the backoff's shape is the mode's; its scale is the test's
                o.Random = new Random(11);
                configure?.Invoke(o);
            },
            inner => counter = new CountingHandler(inner));
        attempts = () => counter!.Attempts;
        return client;
    }

    [Fact]
    public async Task A_PutRecords_loop_under_throttling_stores_every_record_exactly_once()
    {
        await using ServerFixture server = await ServerFixture.StartAsync(
            o => o.Throughput = new ThroughputLimits { ShardWriteRecordsPerSecond = 1000, EnforceControlPlaneRates = false }, fakeClock: true);
        server.Engine.Faults.Add(new FaultRule
        {
            Operation = "PutRecords",
            Probability = 0.4,
            Seed = 3,
            Error = () => new ProvisionedThroughputExceededException("Rate exceeded for stream s under account 000000000000."),
        });
        server.Engine.Faults.Add(new FaultRule { PerRecord = true, Probability = 0.1, Seed = 5 });
        using RemoteKinesisClient client = Client(server, null, out Func<int> attempts);
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 2 });

        const int total = 5000;
        var pending = new Queue<int>(Enumerable.Range(0, total));
        int calls = 0;
        int throttledRecords = 0;
        int throttledCalls = 0;
        while (pending.Count > 0)
        {
            int[] ids = [.. Enumerable.Range(0, Math.Min(500, pending.Count)).Select(_ => pending.Dequeue())];
            var request = new PutRecordsRequest { StreamName = "s" };
            request.Records.AddRange(ids.Select(id => new PutRecordsRequestEntry { PartitionKey = "p" + id, Data = new MemoryStream(BitConverter.GetBytes(id)) }));
            calls++;
            PutRecordsResponse response;
            try
            {
                response = await client.PutRecordsAsync(request);
            }
            catch (ProvisionedThroughputExceededException)
            {
                throttledCalls++; // three attempts throttled in a row: nothing was written; the loop sends them again
                foreach (int id in ids)
                {
                    pending.Enqueue(id);
                }

                continue;
            }

            for (int i = 0; i < ids.Length; i++)
            {
                if (response.Records[i].ErrorCode is not null)
                {
                    Assert.Contains(response.Records[i].ErrorCode, new[] { "ProvisionedThroughputExceededException", "InternalFailure" });
                    throttledRecords++;
                    pending.Enqueue(ids[i]);
                }
            }

            if (response.FailedRecordCount > 0)
            {
                server.Clock!.Advance(TimeSpan.FromMilliseconds(250)); // the shards' write budgets refill on the server's clock
            }
        }

        Assert.True(throttledRecords > 0, "the throughput limits and per-record faults never refused a record");
        Assert.True(attempts() > calls, "whole-call throttling was never retried by the client");

        // Every record is in the stream exactly once.
        var seen = new List<int>();
        foreach (string shard in new[] { "shardId-000000000000", "shardId-000000000001" })
        {
            string? iterator = (await client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "s", ShardId = shard, ShardIteratorType = ShardIteratorType.TRIM_HORIZON })).ShardIterator;
            while (iterator is not null)
            {
                GetRecordsResponse page = await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
                seen.AddRange(page.Records.Select(r => BitConverter.ToInt32(r.Data!.ToArray())));
                iterator = page.Records.Count == 0 ? null : page.NextShardIterator;
                server.Clock!.Advance(TimeSpan.FromMilliseconds(250)); // GetRecords' 5 calls per second per shard
            }
        }

        Assert.Equal(Enumerable.Range(0, total), seen.Order());
        _ = throttledCalls;
    }

    [Fact]
    public async Task A_validation_error_is_not_retried_and_costs_no_quota()
    {
        await using ServerFixture server = await ServerFixture.StartAsync();
        using RemoteKinesisClient client = Client(server, null, out Func<int> attempts);
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 });
        int before = attempts();
        int quota = client.RetryQuota;

        await Assert.ThrowsAsync<ValidationException>(() => client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "", Data = new MemoryStream([1]) }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "missing" }));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = "not-an-iterator" }));

        Assert.Equal(before + 3, attempts());
        Assert.Equal(quota, client.RetryQuota);
    }

    [Fact]
    public async Task Transient_failures_are_retried_up_to_MaxAttempts_and_successes_refill_the_quota()
    {
        await using ServerFixture server = await ServerFixture.StartAsync();
        using RemoteKinesisClient client = Client(server, null, out Func<int> attempts);
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 });

        server.Engine.Faults.Add(new FaultRule { Operation = "DescribeStreamSummary", Count = 2 }); // InternalFailure, HTTP 500
        int before = attempts();
        Assert.Equal("s", (await client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" })).StreamDescriptionSummary!.StreamName);
        Assert.Equal(before + 3, attempts());
        Assert.Equal(500, client.RetryQuota); // two retries took 10 tokens; the success gave them back

        server.Engine.Faults.Add(new FaultRule { Operation = "DescribeStreamSummary" }); // always
        before = attempts();
        InternalFailureException failure = await Assert.ThrowsAsync<InternalFailureException>(() => client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" }));
        Assert.Equal("Internal Service Failure", failure.Message);
        Assert.Equal(before + 3, attempts()); // the standard mode's 3 attempts
        Assert.Equal(490, client.RetryQuota);
    }

    [Fact]
    public async Task An_empty_retry_quota_stops_retries()
    {
        await using ServerFixture server = await ServerFixture.StartAsync();
        using RemoteKinesisClient client = Client(server, o => o.RetryQuota = 5, out Func<int> attempts);
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 });
        server.Engine.Faults.Add(new FaultRule { Operation = "ListShards" });

        int before = attempts();
        await Assert.ThrowsAsync<InternalFailureException>(() => client.ListShardsAsync(new ListShardsRequest { StreamName = "s" }));
        Assert.Equal(before + 2, attempts()); // one retry: 5 tokens, then the quota is empty
        Assert.Equal(0, client.RetryQuota);

        before = attempts();
        await Assert.ThrowsAsync<InternalFailureException>(() => client.ListShardsAsync(new ListShardsRequest { StreamName = "s" }));
        Assert.Equal(before + 1, attempts());
    }
}
