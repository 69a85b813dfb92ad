using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Faults;

public class FaultInjectionTests
{
    private static Task<PutRecordResponse> PutAsync(TestEngine t, string data, string? hashKey = null) =>
        t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", ExplicitHashKey = hashKey, Data = TestEngine.Bytes(data) });

    [Fact]
    public async Task An_injected_error_fails_the_call_and_changes_nothing()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecord", Count = 2, Error = () => new ProvisionedThroughputExceededException("Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.") });
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => PutAsync(t, "a"));
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => PutAsync(t, "b"));
        await PutAsync(t, "c"); // the rule fired its two times
        Assert.Equal(["c"], await t.DrainAsync(await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON)));
    }

    [Fact]
    public async Task Injected_failures_of_control_operations_change_no_state()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        t.Engine.Faults.Add(new FaultRule { Operation = "CreateStream" });
        t.Engine.Faults.Add(new FaultRule { Operation = "DeleteStream" });
        t.Engine.Faults.Add(new FaultRule { Operation = "SplitShard" });
        await Assert.ThrowsAsync<InternalFailureException>(() => t.CreateAsync("other", 1));
        await Assert.ThrowsAsync<InternalFailureException>(() => t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "s" }));
        await Assert.ThrowsAsync<InternalFailureException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "0", NewStartingHashKey = "1000" }));
        Assert.Equal(["s"], t.Engine.ListStreamNames());
        Assert.Single(t.Engine.GetStream("s").Shards);
        t.Engine.Faults.Clear();
        await t.CreateAsync("other", 1);
    }

    [Fact]
    public async Task Rules_match_by_stream_and_shard()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        await t.CreateAsync("quiet", 1);
        await PutAsync(t, "low", "0");
        await PutAsync(t, "high", "340282366920938463463374607431768211455");
        t.Engine.Faults.Add(new FaultRule { Operation = "GetRecords", StreamName = "s", ShardId = new ShardId(0), Error = () => new KMSThrottlingException("Rate exceeded for KMS.") });
        await Assert.ThrowsAsync<KMSThrottlingException>(() => t.DrainAsync(t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON).Result));
        Assert.Equal(["high"], await t.DrainAsync(await t.IteratorAsync("s", "1", ShardIteratorType.TRIM_HORIZON)));
        Assert.Empty(await t.DrainAsync(await t.IteratorAsync("quiet", "0", ShardIteratorType.TRIM_HORIZON)));
    }

    [Fact]
    public async Task Probability_draws_repeat_for_the_same_seed()
    {
        async Task<string> PatternAsync()
        {
            using var t = new TestEngine();
            await t.CreateAsync("s", 1);
            t.Engine.Faults.Add(new FaultRule { Operation = "PutRecord", Probability = 0.3, Seed = 42 });
            var pattern = new System.Text.StringBuilder();
            for (int i = 0; i < 60; i++)
            {
                try
                {
                    await PutAsync(t, "x");
                    pattern.Append('.');
                }
                catch (InternalFailureException)
                {
                    pattern.Append('X');
                }
            }

            return pattern.ToString();
        }

        string first = await PatternAsync();
        Assert.Equal(first, await PatternAsync());
        Assert.InRange(first.Count(c => c == 'X'), 8, 30);
    }

    [Fact]
    public async Task Per_record_faults_fail_single_PutRecords_entries_and_store_the_rest()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        t.Engine.Faults.Add(new FaultRule { PerRecord = true, ShardId = new ShardId(1), Error = () => new ProvisionedThroughputExceededException("Rate exceeded for shard shardId-000000000001 in stream s under account 000000000000.") });
        t.Engine.Faults.Add(new FaultRule { PerRecord = true, ShardId = new ShardId(0), Count = 1 });
        PutRecordsResponse response = await t.Client.PutRecordsAsync(new PutRecordsRequest
        {
            StreamName = "s",
            Records =
            [
                new PutRecordsRequestEntry { PartitionKey = "k", ExplicitHashKey = "0", Data = TestEngine.Bytes("low-1") },
                new PutRecordsRequestEntry { PartitionKey = "k", ExplicitHashKey = "340282366920938463463374607431768211455", Data = TestEngine.Bytes("high") },
                new PutRecordsRequestEntry { PartitionKey = "k", ExplicitHashKey = "0", Data = TestEngine.Bytes("low-2") },
            ],
        });
        Assert.Equal(2, response.FailedRecordCount);
        Assert.Equal("InternalFailure", response.Records[0].ErrorCode);
        Assert.Equal("Internal Service Failure", response.Records[0].ErrorMessage);
        Assert.Equal("ProvisionedThroughputExceededException", response.Records[1].ErrorCode);
        Assert.Equal("shardId-000000000000", response.Records[2].ShardId);
        Assert.Equal(["low-2"], await t.DrainAsync(await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON)));
        Assert.Empty(await t.DrainAsync(await t.IteratorAsync("s", "1", ShardIteratorType.TRIM_HORIZON)));
    }

    [Fact]
    public async Task Any_Kinesis_error_can_be_injected()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        string iterator = await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON);
        t.Engine.Faults.Add(new FaultRule { Operation = "GetRecords", Count = 1, Error = () => new ExpiredIteratorException("Iterator expired.") });
        t.Engine.Faults.Add(new FaultRule { Operation = "DescribeStreamSummary", Count = 1, Error = () => new KMSNotFoundException("Key not found.") });
        await Assert.ThrowsAsync<ExpiredIteratorException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }));
        var kms = await Assert.ThrowsAsync<KMSNotFoundException>(() => t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" }));
        Assert.Equal("KMSNotFoundException", kms.ErrorCode);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Engine.Faults.Add(new FaultRule { Probability = 0 }));
        await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
    }
}
