using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Model;

/// <summary>
/// Counterexamples the model-based test (<see cref="EngineModelTests"/>) found and shrank, kept as focused tests.
/// Each names the shrunk sequence it came from.
/// </summary>
public class ModelRegressionTests
{
    /// <summary>Shrunk: [SplitShard, Advance 25 h, IncreaseStreamRetentionPeriod to 36 h].</summary>
    [Fact]
    public async Task A_closed_shard_that_aged_out_stays_gone_when_retention_is_increased()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        stream.Append("k", "before the split"u8);
        stream.SplitShard(new ShardId(0), UInt128.MaxValue / 2);
        t.Clock.Advance(TimeSpan.FromHours(25)); // the parent, closed 25 h ago, has aged out; the sweep released it
        Assert.Equal([1, 2], stream.Shards.Select(s => s.ShardId.Index));

        await t.Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 36 });

        Assert.Equal([1, 2], stream.Shards.Select(s => s.ShardId.Index));
        Assert.Throws<ResourceNotFoundException>(() => stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON));

        // Decreasing again must not release the parent a second time: the memory accounting stays sound.
        await t.Client.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 24 });
        t.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(t.Engine.RetainedBytes >= 0);
    }

    /// <summary>Shrunk: [GetShardIterator, DeleteStream, CreateStream (same name, same millisecond), GetRecords].</summary>
    [Fact]
    public async Task An_iterator_of_a_deleted_stream_never_reads_a_stream_created_again_with_its_name_in_the_same_millisecond()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("old") });
        string iterator = await t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
        await t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "s" });
        await t.CreateAsync("s", 1); // no time passes on the fake clock: same creation millisecond
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("new") });

        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }));
    }
}
