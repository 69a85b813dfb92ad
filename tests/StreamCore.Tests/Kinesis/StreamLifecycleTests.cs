using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Kinesis;

public class StreamLifecycleTests
{
    [Fact]
    public async Task CreateStream_makes_an_active_stream_with_the_AWS_layout()
    {
        using var t = new TestEngine();
        await t.CreateAsync("orders", 3);
        StreamDescription d = (await t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "orders" })).StreamDescription!;
        Assert.Equal(StreamStatus.ACTIVE, d.StreamStatus);
        Assert.Equal("arn:aws:kinesis:us-east-1:000000000000:stream/orders", d.StreamARN);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"], d.Shards.Select(s => s.ShardId));
        Assert.Equal("113427455640312821154458202477256070485", d.Shards[1].HashKeyRange!.StartingHashKey);
        Assert.Equal(24, d.RetentionPeriodHours);
        Assert.Equal(EncryptionType.NONE, d.EncryptionType);
        Assert.Equal(StreamMode.PROVISIONED, d.StreamModeDetails!.StreamMode);
        Assert.False(d.HasMoreShards);
        Assert.Equal(TestEngine.Start.UtcDateTime, d.StreamCreationTimestamp);
        Assert.Single(d.EnhancedMonitoring);
        Assert.Null(d.Shards[0].SequenceNumberRange!.EndingSequenceNumber);
    }

    [Fact]
    public async Task On_demand_streams_start_with_four_shards()
    {
        using var t = new TestEngine();
        await t.Client.CreateStreamAsync(new CreateStreamRequest { StreamName = "od", StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.ON_DEMAND } });
        StreamDescriptionSummary s = (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "od" })).StreamDescriptionSummary!;
        Assert.Equal(4, s.OpenShardCount);
        Assert.Equal(StreamMode.ON_DEMAND, s.StreamModeDetails!.StreamMode);
        Assert.Equal(1, (await t.Client.DescribeLimitsAsync(new DescribeLimitsRequest())).OnDemandStreamCount);
    }

    [Fact]
    public async Task Creating_a_stream_twice_is_ResourceInUse()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        var ex = await Assert.ThrowsAsync<ResourceInUseException>(() => t.CreateAsync("s", 2));
        Assert.Equal("Stream s under account 000000000000 already exists.", ex.Message);
        Assert.Equal("ResourceInUseException", ex.ErrorCode);
    }

    [Theory]
    [InlineData("bad name", "1 validation error detected: Value 'bad name' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")]
    [InlineData("", "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1")]
    public async Task A_bad_stream_name_is_a_ValidationException_in_AWS_format(string name, string message)
    {
        using var t = new TestEngine();
        var ex = await Assert.ThrowsAsync<ValidationException>(() => t.CreateAsync(name, 1));
        Assert.Equal(message, ex.Message);
        Assert.Empty(t.Engine.ListStreamNames());
    }

    [Fact]
    public async Task Several_failures_are_reported_together()
    {
        using var t = new TestEngine();
        var ex = await Assert.ThrowsAsync<ValidationException>(() => t.Client.CreateStreamAsync(new CreateStreamRequest { StreamName = new string('a', 129), ShardCount = 0 }));
        Assert.StartsWith("2 validation errors detected: ", ex.Message);
        Assert.Contains("at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1", ex.Message);
    }

    [Fact]
    public async Task Provisioned_without_ShardCount_and_on_demand_with_it_are_rejected()
    {
        using var t = new TestEngine();
        var missing = await Assert.ThrowsAsync<ValidationException>(() => t.Client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s" }));
        Assert.Contains("Value null at 'shardCount' failed to satisfy constraint: Member must not be null", missing.Message);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.CreateStreamAsync(new CreateStreamRequest
        {
            StreamName = "s",
            ShardCount = 2,
            StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.ON_DEMAND },
        }));
        Assert.Empty(t.Engine.ListStreamNames());
    }

    [Fact]
    public async Task The_shard_quota_is_enforced_and_DescribeLimits_reports_it()
    {
        using var t = new TestEngine(o => o.ShardLimit = 5);
        await t.CreateAsync("a", 3);
        await Assert.ThrowsAsync<LimitExceededException>(() => t.CreateAsync("b", 3));
        DescribeLimitsResponse limits = await t.Client.DescribeLimitsAsync(new DescribeLimitsRequest());
        Assert.Equal(5, limits.ShardLimit);
        Assert.Equal(3, limits.OpenShardCount);
        Assert.Equal(50, limits.OnDemandStreamCountLimit);
        Assert.Equal(["a"], t.Engine.ListStreamNames());
    }

    [Fact]
    public async Task Status_moves_from_CREATING_to_ACTIVE_on_the_clock()
    {
        using var t = new TestEngine(o => o.StatusTransitionDelay = TimeSpan.FromMilliseconds(500));
        await t.CreateAsync("s", 2);
        StreamDescription creating = (await t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s" })).StreamDescription!;
        Assert.Equal(StreamStatus.CREATING, creating.StreamStatus);
        Assert.Empty(creating.Shards);
        var put = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("x") }));
        Assert.Equal("Stream s under account 000000000000 not found.", put.Message);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON));
        var tag = await Assert.ThrowsAsync<ResourceInUseException>(() => t.Client.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new() { ["a"] = "b" } }));
        Assert.Equal("Stream s under account 000000000000 not ACTIVE, instead in state CREATING", tag.Message);

        t.Clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(DataStreamStatus.Creating, t.Engine.GetStream("s").Status);
        t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(DataStreamStatus.Active, t.Engine.GetStream("s").Status);
        Assert.Equal(2, (await t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s" })).StreamDescription!.Shards.Count);
    }

    [Fact]
    public async Task DeleteStream_goes_through_DELETING_then_the_stream_is_gone()
    {
        using var t = new TestEngine(o => o.StatusTransitionDelay = TimeSpan.FromSeconds(1));
        await t.CreateAsync("s", 1);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        await t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "s" });
        Assert.Equal(StreamStatus.DELETING, (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" })).StreamDescriptionSummary!.StreamStatus);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        var ex = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s" }));
        Assert.Equal("Stream s under account 000000000000 not found.", ex.Message);
        await t.CreateAsync("s", 1); // the name is free again
    }

    [Fact]
    public async Task Deleting_a_missing_stream_is_ResourceNotFound()
    {
        using var t = new TestEngine();
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "nope" }));
    }

    [Fact]
    public async Task Streams_are_addressed_by_name_or_ARN()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        const string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
        Assert.Equal("s", (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = arn })).StreamDescriptionSummary!.StreamName);
        Assert.Equal("s", (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s", StreamARN = arn })).StreamDescriptionSummary!.StreamName);

        var neither = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest()));
        Assert.Equal("Stream arn and stream name can't be empty at the same time", neither.Message);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "other", StreamARN = arn }));
        var otherAccount = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = "arn:aws:kinesis:us-east-1:123456789012:stream/s" }));
        Assert.Equal("Stream s under account 123456789012 not found.", otherAccount.Message);
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = "not-an-arn" }));
    }

    [Fact]
    public async Task DescribeStream_pages_shards()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 250);
        StreamDescription first = (await t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s" })).StreamDescription!;
        Assert.Equal(100, first.Shards.Count);
        Assert.True(first.HasMoreShards);
        StreamDescription limited = (await t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s", Limit = 7, ExclusiveStartShardId = "shardId-000000000244" })).StreamDescription!;
        Assert.Equal(5, limited.Shards.Count);
        Assert.False(limited.HasMoreShards);
        Assert.Equal("shardId-000000000245", limited.Shards[0].ShardId);
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s", Limit = 0 }));
    }

    [Fact]
    public async Task ListStreams_pages_in_name_order_with_tokens_that_expire()
    {
        using var t = new TestEngine();
        foreach (string name in new[] { "c", "a", "e", "b", "d" })
        {
            await t.CreateAsync(name, 1);
        }

        ListStreamsResponse page1 = await t.Client.ListStreamsAsync(new ListStreamsRequest { Limit = 2 });
        Assert.Equal(["a", "b"], page1.StreamNames);
        Assert.True(page1.HasMoreStreams);
        Assert.Equal("arn:aws:kinesis:us-east-1:000000000000:stream/a", page1.StreamSummaries[0].StreamARN);
        ListStreamsResponse page2 = await t.Client.ListStreamsAsync(new ListStreamsRequest { Limit = 2, NextToken = page1.NextToken });
        Assert.Equal(["c", "d"], page2.StreamNames);
        ListStreamsResponse byName = await t.Client.ListStreamsAsync(new ListStreamsRequest { ExclusiveStartStreamName = "c" });
        Assert.Equal(["d", "e"], byName.StreamNames);
        Assert.False(byName.HasMoreStreams);
        Assert.Null(byName.NextToken);

        t.Clock.Advance(TimeSpan.FromSeconds(301));
        await Assert.ThrowsAsync<ExpiredNextTokenException>(() => t.Client.ListStreamsAsync(new ListStreamsRequest { NextToken = page2.NextToken }));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.ListStreamsAsync(new ListStreamsRequest { NextToken = "bm90IGEgdG9rZW4=" }));
    }
}
