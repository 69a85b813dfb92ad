using System.Globalization;
using StreamCore.Hashing;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Engine;

public class ReshardingTests
{
    private static UInt128 U(string s) => UInt128.Parse(s, CultureInfo.InvariantCulture);

    private static async Task<List<Shard>> ShardsAsync(TestEngine t, string stream = "s", ShardFilterType? filter = null) =>
        (await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = stream, ShardFilter = filter is null ? null : new ShardFilter { Type = filter } })).Shards;

    private static List<(string Start, string End)> OpenLayout(List<Shard> shards) =>
        [.. shards.Where(s => s.SequenceNumberRange!.EndingSequenceNumber is null).Select(s => (s.HashKeyRange!.StartingHashKey!, s.HashKeyRange.EndingHashKey!))];

    private static List<(string, string)> Uniform(int n) =>
        [.. ShardLayout.Uniform(n).Select(r => (r.StartingHashKey.ToString(CultureInfo.InvariantCulture), r.EndingHashKey.ToString(CultureInfo.InvariantCulture)))];

    [Theory]
    [InlineData("2", "1", "2")]
    [InlineData("170141183460469231731687303715884105728", "170141183460469231731687303715884105727", "170141183460469231731687303715884105728")]
    public async Task SplitShard_makes_two_children_and_closes_the_parent(string key, string firstEnd, string secondStart)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = key });
        List<Shard> shards = await ShardsAsync(t);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"], shards.Select(s => s.ShardId));
        Assert.NotNull(shards[0].SequenceNumberRange!.EndingSequenceNumber);
        Assert.Equal(("0", firstEnd), (shards[1].HashKeyRange!.StartingHashKey, shards[1].HashKeyRange!.EndingHashKey));
        Assert.Equal((secondStart, "340282366920938463463374607431768211455"), (shards[2].HashKeyRange!.StartingHashKey, shards[2].HashKeyRange!.EndingHashKey));
        Assert.All(shards.Skip(1), s => Assert.Equal("shardId-000000000000", s.ParentShardId));
        Assert.All(shards.Skip(1), s => Assert.Null(s.AdjacentParentShardId));
        Assert.True(SequenceNumber.Parse(shards[1].SequenceNumberRange!.StartingSequenceNumber!) > SequenceNumber.Parse(shards[0].SequenceNumberRange!.EndingSequenceNumber!));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("340282366920938463463374607431768211455")]
    public async Task A_split_must_leave_each_child_two_hash_keys(string key)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        var ex = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = key }));
        Assert.Equal($"NewStartingHashKey {key} used in SplitShard() on shard shardId-000000000000 in stream s under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's EndingHashKey 340282366920938463463374607431768211455.", ex.Message);
        Assert.Single(await ShardsAsync(t));
    }

    [Fact]
    public async Task Merges_need_adjacent_open_shards_in_order()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 3);
        var nonAdjacent = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.MergeShardsAsync(new MergeShardsRequest { StreamName = "s", ShardToMerge = "shardId-000000000000", AdjacentShardToMerge = "shardId-000000000002" }));
        Assert.Equal("Shards shardId-000000000000 and shardId-000000000002 in stream s under account 000000000000 are not an adjacent pair of shards eligible for merging", nonAdjacent.Message);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.MergeShardsAsync(new MergeShardsRequest { StreamName = "s", ShardToMerge = "shardId-000000000001", AdjacentShardToMerge = "shardId-000000000000" }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.MergeShardsAsync(new MergeShardsRequest { StreamName = "s", ShardToMerge = "shardId-000000000001", AdjacentShardToMerge = "shardId-000000000009" }));
        Assert.Equal(3, (await ShardsAsync(t)).Count);

        await t.Client.MergeShardsAsync(new MergeShardsRequest { StreamName = "s", ShardToMerge = "shardId-000000000000", AdjacentShardToMerge = "shardId-000000000001" });
        List<Shard> shards = await ShardsAsync(t);
        Shard child = shards.Single(s => s.ShardId == "shardId-000000000003");
        Assert.Equal("shardId-000000000000", child.ParentShardId);
        Assert.Equal("shardId-000000000001", child.AdjacentParentShardId);
        Assert.Equal(("0", "226854911280625642308916404954512140969"), (child.HashKeyRange!.StartingHashKey, child.HashKeyRange.EndingHashKey));

        var closed = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "12345" }));
        Assert.Equal("Shard shardId-000000000000 in stream s under account 000000000000 has already been merged or split, and thus is not eligible for merging or splitting.", closed.Message);
    }

    [Fact]
    public async Task UpdateShardCount_doubles_and_halves_through_single_level_splits_and_merges()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        UpdateShardCountResponse r = await t.Client.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "s", TargetShardCount = 2, ScalingType = ScalingType.UNIFORM_SCALING });
        Assert.Equal((1, 2, "s"), (r.CurrentShardCount, r.TargetShardCount, r.StreamName));
        List<Shard> shards = await ShardsAsync(t);
        Assert.Equal(Uniform(2), OpenLayout(shards));
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], shards.Where(s => s.SequenceNumberRange!.EndingSequenceNumber is null).Select(s => s.ShardId));

        await t.Client.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "s", TargetShardCount = 4, ScalingType = ScalingType.UNIFORM_SCALING });
        shards = await ShardsAsync(t);
        Assert.Equal(Uniform(4), OpenLayout(shards));
        Assert.Equal(7, shards.Count); // 0 -> 1,2 -> 3,4 (from 1) and 5,6 (from 2): no intermediate shards
        Assert.Equal(["shardId-000000000001", "shardId-000000000001", "shardId-000000000002", "shardId-000000000002"], shards.Skip(3).Select(s => s.ParentShardId));

        await t.Client.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "s", TargetShardCount = 2, ScalingType = ScalingType.UNIFORM_SCALING });
        shards = await ShardsAsync(t);
        Assert.Equal(Uniform(2), OpenLayout(shards));
        Assert.Equal(9, shards.Count);
        Assert.Equal(("shardId-000000000003", "shardId-000000000004"), (shards[7].ParentShardId, shards[7].AdjacentParentShardId));
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(5, 3)]
    [InlineData(6, 3)]
    [InlineData(3, 6)]
    [InlineData(7, 13)]
    public async Task UpdateShardCount_reaches_the_uniform_layout_for_any_target(int from, int to)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", from);
        await t.Client.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "s", TargetShardCount = to, ScalingType = ScalingType.UNIFORM_SCALING });
        List<Shard> shards = await ShardsAsync(t);
        Assert.Equal(Uniform(to), OpenLayout(shards));
        Assert.All(shards.Where(s => s.SequenceNumberRange!.EndingSequenceNumber is not null), closed =>
            Assert.Contains(shards, c => c.ParentShardId == closed.ShardId || c.AdjacentParentShardId == closed.ShardId));
    }

    [Fact]
    public async Task UpdateShardCount_limits_are_enforced()
    {
        using var t = new TestEngine(o => o.ShardLimit = 100);
        await t.CreateAsync("s", 4);
        UpdateShardCountRequest To(int n) => new() { StreamName = "s", TargetShardCount = n, ScalingType = ScalingType.UNIFORM_SCALING };
        await Assert.ThrowsAsync<LimitExceededException>(() => t.Client.UpdateShardCountAsync(To(9)));
        await Assert.ThrowsAsync<LimitExceededException>(() => t.Client.UpdateShardCountAsync(To(1)));
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "s", TargetShardCount = 4, ScalingType = "SIDEWAYS" }));
        for (int i = 0; i < 10; i++)
        {
            await t.Client.UpdateShardCountAsync(To(i % 2 == 0 ? 8 : 4));
            t.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var daily = await Assert.ThrowsAsync<LimitExceededException>(() => t.Client.UpdateShardCountAsync(To(8)));
        Assert.Contains("at most 10 scalings per rolling 24 hours", daily.Message);
        t.Clock.Advance(TimeSpan.FromHours(24));
        await t.Client.UpdateShardCountAsync(To(8));
    }

    [Fact]
    public async Task The_shard_quota_covers_splits()
    {
        using var t = new TestEngine(o => o.ShardLimit = 2);
        await t.CreateAsync("s", 2);
        await Assert.ThrowsAsync<LimitExceededException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "0", NewStartingHashKey = "1000" }));
        Assert.Equal(2, (await ShardsAsync(t)).Count);
    }

    [Fact]
    public async Task One_reshard_at_a_time_and_reads_and_writes_continue_while_UPDATING()
    {
        using var t = new TestEngine(o => o.StatusTransitionDelay = TimeSpan.FromSeconds(1));
        await t.CreateAsync("s", 1);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        await t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "0", NewStartingHashKey = "1000" });
        Assert.Equal(DataStreamStatus.Updating, t.Engine.GetStream("s").Status);
        var busy = await Assert.ThrowsAsync<ResourceInUseException>(() => t.Client.MergeShardsAsync(new MergeShardsRequest { StreamName = "s", ShardToMerge = "0", AdjacentShardToMerge = "1" }));
        Assert.Equal("Stream s under account 000000000000 not ACTIVE, instead in state UPDATING", busy.Message);
        PutRecordResponse during = await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("during") });
        Assert.Equal("shardId-000000000000", during.ShardId); // the old shard until the switch
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        PutRecordResponse after = await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("after") });
        Assert.NotEqual("shardId-000000000000", after.ShardId);
        Assert.True(SequenceNumber.Parse(after.SequenceNumber!) > SequenceNumber.Parse(during.SequenceNumber!));
    }

    [Fact]
    public async Task Reading_a_closed_shard_to_its_end_reports_its_children()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("before") });
        string iterator = await t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
        await t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "0", NewStartingHashKey = "170141183460469231731687303715884105728" });
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("after") });

        GetRecordsResponse last = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
        Assert.Equal(["before"], last.Records.Select(r => TestEngine.Text(r.Data)));
        Assert.Null(last.NextShardIterator);
        Assert.Equal(0, last.MillisBehindLatest);
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], last.ChildShards.Select(c => c.ShardId));
        Assert.All(last.ChildShards, c => Assert.Equal(["shardId-000000000000"], c.ParentShards));

        string fresh = await t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.LATEST); // still readable
        GetRecordsResponse end = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = fresh });
        Assert.Empty(end.Records);
        Assert.Null(end.NextShardIterator);
        Assert.NotEmpty(end.ChildShards);
    }

    [Fact]
    public async Task Closed_shards_disappear_once_their_data_has_aged_out_and_filters_see_lineage()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        t.Clock.Advance(TimeSpan.FromHours(1));
        await t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "0", NewStartingHashKey = "1000" });
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], (await ShardsAsync(t, filter: ShardFilterType.AT_LATEST)).Select(s => s.ShardId));
        Assert.Equal(["shardId-000000000000"], (await ShardsAsync(t, filter: ShardFilterType.AT_TRIM_HORIZON)).Select(s => s.ShardId));
        Assert.Equal(3, (await ShardsAsync(t, filter: ShardFilterType.FROM_TRIM_HORIZON)).Count);
        var fromStart = new ShardFilter { Type = ShardFilterType.FROM_TIMESTAMP, Timestamp = TestEngine.Start.UtcDateTime };
        Assert.Equal(3, (await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = fromStart })).Shards.Count);
        var atStart = new ShardFilter { Type = ShardFilterType.AT_TIMESTAMP, Timestamp = TestEngine.Start.UtcDateTime };
        Assert.Equal(["shardId-000000000000"], (await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = atStart })).Shards.Select(s => s.ShardId));

        t.Clock.Advance(TimeSpan.FromHours(24));
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], (await ShardsAsync(t)).Select(s => s.ShardId));
        Assert.Equal(2, (await t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s" })).StreamDescription!.Shards.Count);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON));
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], (await ShardsAsync(t, filter: ShardFilterType.AT_TRIM_HORIZON)).Select(s => s.ShardId));
    }

    [Fact]
    public async Task Capacity_mode_switches_and_provisioned_only_operations()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        string arn = t.Engine.GetStream("s").Arn;
        await t.Client.UpdateStreamModeAsync(new UpdateStreamModeRequest { StreamARN = arn, StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.ON_DEMAND } });
        Assert.Equal(StreamMode.ON_DEMAND, (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = arn })).StreamDescriptionSummary!.StreamModeDetails!.StreamMode);
        Assert.Equal(2, (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = arn })).StreamDescriptionSummary!.OpenShardCount);
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "0", NewStartingHashKey = "1000" }));
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "s", TargetShardCount = 4, ScalingType = ScalingType.UNIFORM_SCALING }));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.UpdateStreamModeAsync(new UpdateStreamModeRequest { StreamARN = arn, StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.ON_DEMAND } }));
        await t.Client.UpdateStreamModeAsync(new UpdateStreamModeRequest { StreamARN = arn, StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.PROVISIONED } });
        await Assert.ThrowsAsync<LimitExceededException>(() => t.Client.UpdateStreamModeAsync(new UpdateStreamModeRequest { StreamARN = arn, StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.ON_DEMAND } }));
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.UpdateStreamModeAsync(new UpdateStreamModeRequest { StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.ON_DEMAND } }));
    }
}
