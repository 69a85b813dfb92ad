using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Kinesis;

/// <summary>
/// Error texts and rules of the Kinesis face checked against AWS's recorded behaviour (kinesalite's test suite, run
/// against AWS, and AWS's API reference).
/// </summary>
public class KinesisFidelityTests
{
    private const string Account = "000000000000";

    private static string Item(string? value, string path, string constraint) =>
        $"Value {(value is null ? "null" : $"'{value}'")} at '{path}' failed to satisfy constraint: Member must {constraint}";

    private static string Errors(params string[] items) =>
        $"{items.Length} validation error{(items.Length == 1 ? "" : "s")} detected: {string.Join("; ", items)}";

    private const string NamePattern = "satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
    private const string MinLength1 = "have length greater than or equal to 1";

    [Fact]
    public async Task An_empty_member_fails_its_pattern_and_its_length_and_every_member_is_reported_in_one_message()
    {
        using var t = new TestEngine();

        // kinesalite test/putRecord.js "should return ValidationException for empty StreamName" (exact text from AWS).
        var put = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordAsync(new PutRecordRequest
        {
            StreamName = "", PartitionKey = "", Data = new MemoryStream(), ExplicitHashKey = "", SequenceNumberForOrdering = "",
        }));
        Assert.Equal(
            Errors(
                Item("", "sequenceNumberForOrdering", "satisfy regular expression pattern: 0|([1-9]\\d{0,128})"),
                Item("", "partitionKey", MinLength1),
                Item("", "explicitHashKey", "satisfy regular expression pattern: 0|([1-9]\\d{0,38})"),
                Item("", "streamName", NamePattern),
                Item("", "streamName", MinLength1)),
            put.Message);

        // kinesalite test/putRecord.js "no StreamName": the address is reported with the other members.
        var none = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordAsync(new PutRecordRequest()));
        Assert.Equal(Errors(Item(null, "partitionKey", "not be null"), Item(null, "data", "not be null")), none.Message);

        var split = await Assert.ThrowsAsync<ValidationException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "", ShardToSplit = "", NewStartingHashKey = "" }));
        Assert.Equal(
            Errors(
                Item("", "newStartingHashKey", "satisfy regular expression pattern: 0|([1-9]\\d{0,38})"),
                Item("", "streamName", NamePattern),
                Item("", "streamName", MinLength1),
                Item("", "shardToSplit", NamePattern),
                Item("", "shardToSplit", MinLength1)),
            split.Message);

        var iterator = await Assert.ThrowsAsync<ValidationException>(() => t.Client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "", ShardId = "", ShardIteratorType = "", StartingSequenceNumber = "" }));
        Assert.Equal(
            Errors(
                Item("", "shardId", NamePattern),
                Item("", "shardId", MinLength1),
                Item("", "shardIteratorType", "satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"),
                Item("", "startingSequenceNumber", "satisfy regular expression pattern: 0|([1-9]\\d{0,128})"),
                Item("", "streamName", NamePattern),
                Item("", "streamName", MinLength1)),
            iterator.Message);

        var records = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "", Records = [] }));
        Assert.Equal(Errors(Item("[]", "records", MinLength1), Item("", "streamName", NamePattern), Item("", "streamName", MinLength1)), records.Message);

        var describe = await Assert.ThrowsAsync<ValidationException>(() => t.Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "", Limit = 0, ExclusiveStartShardId = "" }));
        Assert.Equal(
            Errors(
                Item("0", "limit", "have value greater than or equal to 1"),
                Item("", "exclusiveStartShardId", NamePattern),
                Item("", "exclusiveStartShardId", MinLength1),
                Item("", "streamName", NamePattern),
                Item("", "streamName", MinLength1)),
            describe.Message);
    }

    [Fact]
    public async Task Tag_keys_and_values_out_of_length_are_reported_at_tags_with_the_other_members()
    {
        using var t = new TestEngine();
        var ex = await Assert.ThrowsAsync<ValidationException>(() => t.Client.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "", Tags = new() { ["k"] = new string('v', 257) } }));
        Assert.Equal(
            $"3 validation errors detected: Value '{{k={new string('v', 257)}}}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]; "
            + $"{Item("", "streamName", NamePattern)}; {Item("", "streamName", MinLength1)}",
            ex.Message);
        var key = await Assert.ThrowsAsync<ValidationException>(() => t.Client.CreateStreamAsync(new CreateStreamRequest { StreamName = "n", ShardCount = 1, Tags = new() { [""] = "v" } }));
        Assert.Equal("1 validation error detected: Value '{=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]", key.Message);
        Assert.Empty(t.Engine.ListStreamNames());
    }

    [Fact]
    public async Task A_consumer_ARN_is_checked_against_the_models_pattern()
    {
        using var t = new TestEngine();
        const string Pattern = "satisfy regular expression pattern: ^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+";
        var ex = await Assert.ThrowsAsync<ValidationException>(() => t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/app" }));
        Assert.Equal(Errors(Item("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/app", "consumerARN", Pattern)), ex.Message);
        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/app:1" }));
        Assert.NotNull(missing.Message);
    }

    [Fact]
    public async Task An_empty_StreamName_is_a_ValidationException_and_only_a_missing_address_is_InvalidArgument()
    {
        using var t = new TestEngine();
        var empty = await Assert.ThrowsAsync<ValidationException>(() => t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "" }));
        Assert.Equal(Errors(Item("", "streamName", NamePattern), Item("", "streamName", MinLength1)), empty.Message);
        var missing = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest()));
        Assert.Equal("Stream arn and stream name can't be empty at the same time", missing.Message);
    }

    [Fact]
    public async Task Too_many_records_and_bad_entries_are_reported_together()
    {
        using var t = new TestEngine();
        var request = new PutRecordsRequest { StreamName = "s", Records = [.. Enumerable.Range(0, 501).Select(_ => new PutRecordsRequestEntry { PartitionKey = "", Data = new MemoryStream() })] };
        var ex = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordsAsync(request));
        Assert.StartsWith("10 validation errors detected: ", ex.Message); // the list size, then entries, capped at ten
        Assert.Contains("at 'records' failed to satisfy constraint: Member must have length less than or equal to 500", ex.Message);
        Assert.Contains(Item("", "records.9.member.partitionKey", MinLength1), ex.Message);
        Assert.DoesNotContain("records.10.member", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("01")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData(" 1")]
    [InlineData("1e3")]
    [InlineData("3402823669209384634633746074317682114550")] // 40 digits
    public async Task A_malformed_ExplicitHashKey_is_a_ValidationException(string hashKey)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        var put = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", ExplicitHashKey = hashKey, Data = TestEngine.Bytes("x") }));
        Assert.Equal(Errors(Item(hashKey, "explicitHashKey", "satisfy regular expression pattern: 0|([1-9]\\d{0,38})")), put.Message);
        var puts = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s", Records = [new() { PartitionKey = "k", ExplicitHashKey = hashKey, Data = TestEngine.Bytes("x") }] }));
        Assert.Equal(Errors(Item(hashKey, "records.1.member.explicitHashKey", "satisfy regular expression pattern: 0|([1-9]\\d{0,38})")), puts.Message);
        var split = await Assert.ThrowsAsync<ValidationException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "0", NewStartingHashKey = hashKey }));
        Assert.Contains(Item(hashKey, "newStartingHashKey", "satisfy regular expression pattern: 0|([1-9]\\d{0,38})"), split.Message);
    }

    [Theory]
    [InlineData("340282366920938463463374607431768211456")] // 2^128
    [InlineData("999999999999999999999999999999999999999")] // 39 nines: matches the pattern
    public async Task Only_a_well_formed_ExplicitHashKey_above_the_range_is_InvalidArgument(string hashKey)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        var ex = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", ExplicitHashKey = hashKey, Data = TestEngine.Bytes("x") }));
        Assert.Equal($"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {hashKey}", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("01")]
    [InlineData("-5")]
    public async Task A_SequenceNumberForOrdering_that_is_not_a_number_is_a_ValidationException(string ordering)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        var ex = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", SequenceNumberForOrdering = ordering, Data = TestEngine.Bytes("x") }));
        Assert.Equal(Errors(Item(ordering, "sequenceNumberForOrdering", "satisfy regular expression pattern: 0|([1-9]\\d{0,128})")), ex.Message);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("26227199374822427428162556223570313216")] // kinesalite's "large date" value, recorded from AWS
    [InlineData("49039857307708443467467104868809893875799651909875269632")] // version 0 (0x2000...0000, kinesalite)
    public async Task A_number_that_is_no_sequence_number_is_InvalidArgument_with_AWS_text(string ordering)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        var ex = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", SequenceNumberForOrdering = ordering, Data = TestEngine.Bytes("x") }));
        Assert.Equal($"ExclusiveMinimumSequenceNumber {ordering} used in PutRecord on stream s under account {Account} is invalid.", ex.Message);
        Assert.Empty(await t.DrainAsync(await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON)));
    }

    [Fact]
    public async Task A_missing_shard_is_reported_with_its_normalized_id_in_AWS_words()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        var known = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.IteratorAsync("s", "shardId-5", ShardIteratorType.LATEST));
        Assert.Equal($"Shard shardId-000000000005 in stream s under account {Account} does not exist", known.Message);

        // kinesalite test/getShardIterator.js: an unknown stream with a parsable shard id is still "Shard ... does not exist".
        var unknownStream = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.IteratorAsync("nope", "a-00002147483647", ShardIteratorType.LATEST));
        Assert.Equal($"Shard shardId-002147483647 in stream nope under account {Account} does not exist", unknownStream.Message);

        // ... and an id that does not parse is reported as given, before the stream is looked up.
        var unparsable = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.IteratorAsync("nope", "2147483648", ShardIteratorType.LATEST));
        Assert.Equal($"Could not find shard 2147483648 in stream nope under account {Account}.", unparsable.Message);

        // SplitShard and MergeShards keep "Could not find shard", with the id normalized (kinesalite test/splitShard.js).
        var split = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-5", NewStartingHashKey = "5" }));
        Assert.Equal($"Could not find shard shardId-000000000005 in stream s under account {Account}.", split.Message);
        var merge = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.MergeShardsAsync(new MergeShardsRequest { StreamName = "s", ShardToMerge = "0", AdjacentShardToMerge = "7" }));
        Assert.Equal($"Could not find shard shardId-000000000007 in stream s under account {Account}.", merge.Message);
        var splitUnparsable = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "nope", ShardToSplit = "2.14E4", NewStartingHashKey = "5" }));
        Assert.Equal($"Could not find shard 2.14E4 in stream nope under account {Account}.", splitUnparsable.Message);
    }

    [Fact]
    public async Task An_iterator_of_a_deleted_stream_names_its_shard_as_not_existing()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        string iterator0 = await t.IteratorAsync("s", "0", ShardIteratorType.LATEST);
        string iterator1 = await t.IteratorAsync("s", "1", ShardIteratorType.LATEST);
        await t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "s" });
        t.Clock.Advance(TimeSpan.FromSeconds(1));

        var gone = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator0 }));
        Assert.Equal($"Shard shardId-000000000000 in stream s under account {Account} does not exist", gone.Message);

        await t.CreateAsync("s", 1); // a new stream of the same name: the old iterators still name no shard of it
        var recreated = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator1 }));
        Assert.Equal($"Shard shardId-000000000001 in stream s under account {Account} does not exist", recreated.Message);
        var sameIndex = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator0 }));
        Assert.Equal($"Shard shardId-000000000000 in stream s under account {Account} does not exist", sameIndex.Message);
    }

    [Fact]
    public async Task The_shard_quota_names_the_open_count_the_limit_and_the_requested_shards()
    {
        using var t = new TestEngine(o => o.ShardLimit = 5);
        await t.CreateAsync("a", 3);
        const string Tail = "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.";

        var create = await Assert.ThrowsAsync<LimitExceededException>(() => t.CreateAsync("b", 3));
        Assert.Equal($"This request would exceed the shard limit for the account {Account} in us-east-1. Current shard count for the account: 3. Limit: 5. Number of additional shards that would have resulted from this request: 3. {Tail}", create.Message);

        await t.CreateAsync("b", 2);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        var split = await Assert.ThrowsAsync<LimitExceededException>(() => t.Client.SplitShardAsync(new SplitShardRequest { StreamName = "a", ShardToSplit = "0", NewStartingHashKey = "1000" }));
        Assert.Equal($"This request would exceed the shard limit for the account {Account} in us-east-1. Current shard count for the account: 5. Limit: 5. Number of additional shards that would have resulted from this request: 1. {Tail}", split.Message);
    }
}
