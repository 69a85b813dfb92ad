using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Kinesis;

public class ListShardsTests
{
    [Fact]
    public async Task Lists_every_shard_and_pages_with_NextToken()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 5);
        ListShardsResponse all = await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s" });
        Assert.Equal(5, all.Shards.Count);
        Assert.Null(all.NextToken);

        ListShardsResponse p1 = await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", MaxResults = 2 });
        ListShardsResponse p2 = await t.Client.ListShardsAsync(new ListShardsRequest { NextToken = p1.NextToken, MaxResults = 2 });
        ListShardsResponse p3 = await t.Client.ListShardsAsync(new ListShardsRequest { NextToken = p2.NextToken, MaxResults = 2 });
        Assert.Equal(all.Shards.Select(s => s.ShardId), p1.Shards.Concat(p2.Shards).Concat(p3.Shards).Select(s => s.ShardId));
        Assert.Null(p3.NextToken);
    }

    [Fact]
    public async Task NextToken_excludes_StreamName_and_one_of_them_is_required()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 3);
        ListShardsResponse p1 = await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", MaxResults = 1 });
        var both = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", NextToken = p1.NextToken }));
        Assert.Equal("NextToken and StreamName cannot be provided together.", both.Message);
        var neither = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.ListShardsAsync(new ListShardsRequest()));
        Assert.Equal("Either NextToken or StreamName should be provided.", neither.Message);
        t.Clock.Advance(TimeSpan.FromSeconds(300));
        Assert.Single((await t.Client.ListShardsAsync(new ListShardsRequest { NextToken = p1.NextToken, MaxResults = 1 })).Shards);
        t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<ExpiredNextTokenException>(() => t.Client.ListShardsAsync(new ListShardsRequest { NextToken = p1.NextToken }));
    }

    [Fact]
    public async Task Filters_and_exclusive_start_select_shards()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 4);
        ListShardsResponse after = await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AFTER_SHARD_ID, ShardId = "shardId-000000000001" } });
        Assert.Equal(["shardId-000000000002", "shardId-000000000003"], after.Shards.Select(s => s.ShardId));
        ListShardsResponse start = await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ExclusiveStartShardId = "shardId-000000000002" });
        Assert.Equal(["shardId-000000000003"], start.Shards.Select(s => s.ShardId));
        Assert.Equal(4, (await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AT_LATEST } })).Shards.Count);
        Assert.Equal(4, (await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AT_TRIM_HORIZON } })).Shards.Count);
        Assert.Equal(4, (await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AT_TIMESTAMP, Timestamp = TestEngine.Start.UtcDateTime } })).Shards.Count);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AT_TIMESTAMP } }));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AFTER_SHARD_ID } }));
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = "SIDEWAYS" } }));
    }
}
