using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Kinesis;

public class StreamSettingsTests
{
    [Fact]
    public async Task Tags_are_added_overwritten_listed_in_key_order_and_removed()
    {
        using var t = new TestEngine();
        await t.Client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1, Tags = new() { ["team"] = "core" } });
        await t.Client.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new() { ["env"] = "test", ["team"] = "data", ["b"] = "1" } });
        ListTagsForStreamResponse all = await t.Client.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "s" });
        Assert.Equal(["b=1", "env=test", "team=data"], all.Tags.Select(x => $"{x.Key}={x.Value}"));
        Assert.False(all.HasMoreTags);
        ListTagsForStreamResponse page = await t.Client.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "s", ExclusiveStartTagKey = "b", Limit = 1 });
        Assert.Equal(["env"], page.Tags.Select(x => x.Key));
        Assert.True(page.HasMoreTags);
        await t.Client.RemoveTagsFromStreamAsync(new RemoveTagsFromStreamRequest { StreamName = "s", TagKeys = ["env", "unknown"] });
        Assert.Equal(["b", "team"], (await t.Client.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "s" })).Tags.Select(x => x.Key));
    }

    [Fact]
    public async Task More_than_50_tags_or_bad_characters_change_nothing()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await t.Client.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = Enumerable.Range(0, 50).ToDictionary(i => "k" + i, i => "v") });
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new() { ["one-more"] = "v" } }));
        await t.Client.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new() { ["k0"] = "overwrite is fine" } });
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new() { ["k1"] = "a;b" } }));
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = [] }));
        List<Tag> tags = (await t.Client.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "s" })).Tags;
        Assert.Equal(50, tags.Count);
        Assert.Equal("v", tags.Single(x => x.Key == "k1").Value);
    }

    [Fact]
    public async Task Retention_changes_follow_AWS_rules_and_texts()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await t.Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 48 });
        var shorter = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 30 }));
        Assert.Equal("Requested retention period (30 hours) for stream s can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API.", shorter.Message);
        var longer = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 72 }));
        Assert.Equal("Requested retention period (72 hours) for stream s can not be longer than existing retention period (48 hours). Use IncreaseRetentionPeriod API.", longer.Message);
        var tooShort = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 23 }));
        Assert.Equal("Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.", tooShort.Message);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 8761 }));
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s" }));
        await t.Client.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 24 });
        await t.Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 8760 });
        Assert.Equal(8760, t.Engine.GetStream("s").RetentionPeriodHours);
    }

    [Fact]
    public async Task Encryption_start_and_stop_go_through_UPDATING_and_show_in_describe_and_writes()
    {
        using var t = new TestEngine(o => o.StatusTransitionDelay = TimeSpan.FromSeconds(1));
        await t.CreateAsync("s", 1);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        await t.Client.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = "alias/aws/kinesis" });
        Assert.Equal(DataStreamStatus.Updating, t.Engine.GetStream("s").Status);
        await Assert.ThrowsAsync<ResourceInUseException>(() => t.Client.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = "alias/aws/kinesis" }));
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        StreamDescriptionSummary s = (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" })).StreamDescriptionSummary!;
        Assert.Equal(EncryptionType.KMS, s.EncryptionType);
        Assert.Equal("alias/aws/kinesis", s.KeyId);
        PutRecordResponse put = await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("x") });
        Assert.Equal(EncryptionType.KMS, put.EncryptionType);

        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.StopStreamEncryptionAsync(new StopStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.NONE, KeyId = "alias/aws/kinesis" }));
        await t.Client.StopStreamEncryptionAsync(new StopStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = "alias/aws/kinesis" });
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(EncryptionType.NONE, (await t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s" })).StreamDescription!.EncryptionType);
    }

    [Fact]
    public async Task UpdateMaxRecordSize_changes_the_largest_record_accepted()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        string arn = t.Engine.GetStream("s").Arn;
        byte[] twoMiB = new byte[2 * 1024 * 1024];
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new MemoryStream(twoMiB) }));
        await t.Client.UpdateMaxRecordSizeAsync(new UpdateMaxRecordSizeRequest { StreamARN = arn, MaxRecordSizeInKiB = 4096 });
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new MemoryStream(twoMiB) });
        Assert.Equal(4096, (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = arn })).StreamDescriptionSummary!.MaxRecordSizeInKiB);
        var range = await Assert.ThrowsAsync<ValidationException>(() => t.Client.UpdateMaxRecordSizeAsync(new UpdateMaxRecordSizeRequest { StreamARN = arn, MaxRecordSizeInKiB = 1023 }));
        Assert.Contains("Member must have value greater than or equal to 1024", range.Message);
    }
}
