using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Kinesis;

/// <summary>
/// Every request member's constraints, fuzzed through the Kinesis face: FsCheck picks an operation and a set of
/// invalid members (missing, out of range, wrong pattern, alone and combined), applies them to a valid request, and
/// checks that the call raises the documented error (a ValidationException naming every failed member, or the one
/// semantic error) and leaves the engine exactly as it was: a snapshot of everything a caller can observe, taken
/// before and after, is equal.
/// </summary>
public class ConstraintFuzzTests
{
    private const string MissingArn = "arn:aws:kinesis:us-east-1:000000000000:stream/missing";
    private const string TooBigHashKey = "340282366920938463463374607431768211456"; // 2^128

    /// <summary>One invalid member value. <see cref="Path"/> is set for a constraint failure AWS reports in a
    /// ValidationException together with others; otherwise the call fails with <see cref="Error"/> alone.</summary>
    public sealed record Mutation(string Member, string Label, Type Error, string? Path, Action<Fixture, object> Apply, bool Exclusive = false)
    {
        public bool Combinable => Path is not null;

        public override string ToString() => $"{Member}: {Label}";
    }

    public sealed record Operation(string Name, Func<Fixture, object> Valid, Func<IKinesisClient, object, Task> Call, Mutation[] Mutations)
    {
        public override string ToString() => Name;
    }

    public sealed record Case(Operation Operation, Mutation[] Mutations)
    {
        public override string ToString() => $"{Operation.Name}({string.Join("; ", Mutations.Select(m => m.ToString()))})";
    }

    /// <summary>An engine with two streams, records, tags, retention, monitoring, an encrypted stream and a consumer.</summary>
    public sealed class Fixture : IDisposable
    {
        private Fixture(TestEngine t) => T = t;

        public TestEngine T { get; }

        public string StreamArn { get; private set; } = "";

        public string ConsumerArn { get; private set; } = "";

        public string Iterator { get; private set; } = "";

        public static async Task<Fixture> CreateAsync()
        {
            var f = new Fixture(new TestEngine());
            IKinesisClient c = f.T.Client;
            await f.T.CreateAsync("s", 2);
            await f.T.CreateAsync("t", 1);
            await c.CreateStreamAsync(new CreateStreamRequest { StreamName = "e", ShardCount = 1 });
            await c.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "e", EncryptionType = EncryptionType.KMS, KeyId = "alias/aws/kinesis" });
            for (int i = 0; i < 12; i++)
            {
                await c.PutRecordAsync(new PutRecordRequest { StreamName = i % 3 == 0 ? "t" : "s", PartitionKey = "key-" + i, Data = TestEngine.Bytes("record " + i) });
                f.T.Clock.Advance(TimeSpan.FromMilliseconds(7));
            }

            await c.PutRecordAsync(new PutRecordRequest { StreamName = "e", PartitionKey = "k", Data = TestEngine.Bytes("secret") });
            await c.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new() { ["a"] = "1", ["team"] = "data" } });
            await c.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 48 });
            await c.EnableEnhancedMonitoringAsync(new EnableEnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["IncomingBytes"] });
            f.StreamArn = f.T.Engine.GetStream("s").Arn;
            f.ConsumerArn = (await c.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = f.StreamArn, ConsumerName = "app" })).Consumer!.ConsumerARN!;
            f.Iterator = await f.T.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
            return f;
        }

        public void Dispose() => T.Dispose();
    }

    // ------------------------------------------------------------------ the constraint table

    private static Mutation V<T>(string member, string label, string path, Action<T> apply, bool exclusive = false) =>
        new(member, label, typeof(ValidationException), path, (_, r) => apply((T)r), exclusive);

    private static Mutation V<T>(string member, string label, string path, Action<Fixture, T> apply) =>
        new(member, label, typeof(ValidationException), path, (f, r) => apply(f, (T)r));

    private static Mutation E<T, TError>(string member, string label, Action<T> apply)
        where TError : KinesisException =>
        new(member, label, typeof(TError), null, (_, r) => apply((T)r));

    private static Operation Op<T>(string name, Func<Fixture, T> valid, Func<IKinesisClient, T, Task> call, params Mutation[] mutations)
        where T : class =>
        new(name, f => valid(f), (c, r) => call(c, (T)r), mutations);

    private static readonly string Long129 = new('a', 129);

    /// <summary>The stream address members of a request addressed by name or ARN.</summary>
    private static Mutation[] Address<T>(bool withInUse = false)
        where T : StreamAddressedRequest
    {
        List<Mutation> list =
        [
            V<T>("streamName", "empty", "streamName", r => r.StreamName = ""),
            V<T>("streamName", "129 chars", "streamName", r => r.StreamName = Long129),
            V<T>("streamName", "space", "streamName", r => r.StreamName = "bad name"),
            E<T, ResourceNotFoundException>("streamName", "unknown", r => r.StreamName = "missing"),
            E<T, InvalidArgumentException>("streamName", "no address", r => r.StreamName = null),
            V<T>("streamARN", "not an ARN", "streamARN", r => r.StreamARN = "not-an-arn"),
            V<T>("streamARN", "empty", "streamARN", r => r.StreamARN = ""),
            V<T>("streamARN", "no name", "streamARN", r => r.StreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/"),
        ];
        return [.. list];
    }

    private static Mutation[] ArnOnly<T>(Action<T, string?> set, bool required)
        where T : class =>
    [
        required ? V<T>("streamARN", "null", "streamARN", r => set(r, null)) : E<T, InvalidArgumentException>("streamARN", "null", r => set(r, null)),
        V<T>("streamARN", "empty", "streamARN", r => set(r, "")),
        V<T>("streamARN", "not an ARN", "streamARN", r => set(r, "not-an-arn")),
        E<T, ResourceNotFoundException>("streamARN", "unknown", r => set(r, MissingArn)),
    ];

    private static Mutation[] ShardIdMember<T>(string path, Action<T, string?> set, bool required = true)
        where T : class =>
    [
        .. required ? new[] { V<T>(path, "null", path, r => set(r, null)) } : [],
        V<T>(path, "empty", path, r => set(r, "")),
        V<T>(path, "space", path, r => set(r, "bad id")),
        V<T>(path, "129 chars", path, r => set(r, Long129)),
    ];

    private static Mutation[] HashKeyMember<T>(string path, Action<T, string?> set)
        where T : class =>
    [
        V<T>(path, "empty", path, r => set(r, "")),
        V<T>(path, "leading zero", path, r => set(r, "01")),
        V<T>(path, "sign", path, r => set(r, "+1")),
        V<T>(path, "40 digits", path, r => set(r, TooBigHashKey + "0")),
        E<T, InvalidArgumentException>(path, "2^128", r => set(r, TooBigHashKey)),
    ];

    private static Mutation[] Consumer<T>(Action<T, string?> setArn, Action<T, string?> setStreamArn, Action<T, string?> setName)
        where T : class =>
    [
        V<T>("consumerARN", "empty", "consumerARN", r => setArn(r, "")),
        V<T>("consumerARN", "2049 chars", "consumerARN", r => setArn(r, new string('a', 2049))),
        V<T>("consumerARN", "a stream ARN", "consumerARN", r => setArn(r, "arn:aws:kinesis:us-east-1:000000000000:stream/s")),
        E<T, ResourceNotFoundException>("consumerARN", "unknown", r => setArn(r, "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/nobody:1")),
        E<T, InvalidArgumentException>("consumerARN", "no address", r => setArn(r, null)),
        V<T>("streamARN", "not an ARN", "streamARN", r => setStreamArn(r, "not-an-arn")),
        V<T>("consumerName", "space", "consumerName", r => setName(r, "bad name")),
        V<T>("consumerName", "empty", "consumerName", r => setName(r, "")),
    ];

    public static readonly Operation[] Operations =
    [
        Op("CreateStream", _ => new CreateStreamRequest { StreamName = "new", ShardCount = 1 }, (c, r) => c.CreateStreamAsync(r),
            V<CreateStreamRequest>("streamName", "null", "streamName", r => r.StreamName = null),
            V<CreateStreamRequest>("streamName", "empty", "streamName", r => r.StreamName = ""),
            V<CreateStreamRequest>("streamName", "129 chars", "streamName", r => r.StreamName = Long129),
            V<CreateStreamRequest>("streamName", "slash", "streamName", r => r.StreamName = "a/b"),
            E<CreateStreamRequest, ResourceInUseException>("streamName", "exists", r => r.StreamName = "s"),
            V<CreateStreamRequest>("capacity", "0 shards", "shardCount", r => r.ShardCount = 0),
            V<CreateStreamRequest>("capacity", "100001 shards", "shardCount", r => r.ShardCount = 100_001),
            V<CreateStreamRequest>("capacity", "no shard count", "shardCount", r => r.ShardCount = null),
            V<CreateStreamRequest>("capacity", "unknown mode", "streamModeDetails.streamMode", r => r.StreamModeDetails = new StreamModeDetails { StreamMode = "BOGUS" }),
            E<CreateStreamRequest, InvalidArgumentException>("capacity", "on-demand with a shard count", r => r.StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.ON_DEMAND }),
            E<CreateStreamRequest, LimitExceededException>("capacity", "over the shard quota", r => r.ShardCount = 19_999),
            V<CreateStreamRequest>("maxRecordSizeInKiB", "1023", "maxRecordSizeInKiB", r => r.MaxRecordSizeInKiB = 1023),
            V<CreateStreamRequest>("maxRecordSizeInKiB", "10241", "maxRecordSizeInKiB", r => r.MaxRecordSizeInKiB = 10241),
            V<CreateStreamRequest>("tags", "empty key", "tags", r => r.Tags = new() { [""] = "v" }),
            V<CreateStreamRequest>("tags", "257-char value", "tags", r => r.Tags = new() { ["k"] = new string('v', 257) }),
            E<CreateStreamRequest, InvalidArgumentException>("tags", "semicolon", r => r.Tags = new() { ["a;b"] = "v" })),

        Op("DeleteStream", _ => new DeleteStreamRequest { StreamName = "t" }, (c, r) => c.DeleteStreamAsync(r),
            [.. Address<DeleteStreamRequest>(), E<DeleteStreamRequest, ResourceInUseException>("streamName", "has consumers", r => r.StreamName = "s")]),

        Op("DescribeStream", _ => new DescribeStreamRequest { StreamName = "s" }, (c, r) => c.DescribeStreamAsync(r),
            [.. Address<DescribeStreamRequest>(),
            V<DescribeStreamRequest>("limit", "0", "limit", r => r.Limit = 0),
            V<DescribeStreamRequest>("limit", "10001", "limit", r => r.Limit = 10_001),
            .. ShardIdMember<DescribeStreamRequest>("exclusiveStartShardId", (r, v) => r.ExclusiveStartShardId = v, required: false)]),

        Op("DescribeStreamSummary", _ => new DescribeStreamSummaryRequest { StreamName = "s" }, (c, r) => c.DescribeStreamSummaryAsync(r),
            Address<DescribeStreamSummaryRequest>()),

        Op("ListStreams", _ => new ListStreamsRequest(), (c, r) => c.ListStreamsAsync(r),
            V<ListStreamsRequest>("limit", "0", "limit", r => r.Limit = 0),
            V<ListStreamsRequest>("limit", "10001", "limit", r => r.Limit = 10_001),
            V<ListStreamsRequest>("exclusiveStartStreamName", "empty", "exclusiveStartStreamName", r => r.ExclusiveStartStreamName = ""),
            V<ListStreamsRequest>("exclusiveStartStreamName", "129 chars", "exclusiveStartStreamName", r => r.ExclusiveStartStreamName = Long129),
            V<ListStreamsRequest>("nextToken", "empty", "nextToken", r => r.NextToken = ""),
            E<ListStreamsRequest, InvalidArgumentException>("nextToken", "garbage", r => r.NextToken = "garbage")),

        Op("ListShards", _ => new ListShardsRequest { StreamName = "s" }, (c, r) => c.ListShardsAsync(r),
            [.. Address<ListShardsRequest>(),
            V<ListShardsRequest>("maxResults", "0", "maxResults", r => r.MaxResults = 0),
            V<ListShardsRequest>("maxResults", "10001", "maxResults", r => r.MaxResults = 10_001),
            V<ListShardsRequest>("nextToken", "empty", "nextToken", r => r.NextToken = ""),
            E<ListShardsRequest, InvalidArgumentException>("nextToken", "with a stream name", r => r.NextToken = "token"),
            .. ShardIdMember<ListShardsRequest>("exclusiveStartShardId", (r, v) => r.ExclusiveStartShardId = v, required: false),
            V<ListShardsRequest>("shardFilter", "unknown type", "shardFilter.type", r => r.ShardFilter = new ShardFilter { Type = "BOGUS" }),
            V<ListShardsRequest>("shardFilter", "no type", "shardFilter.type", r => r.ShardFilter = new ShardFilter()),
            E<ListShardsRequest, InvalidArgumentException>("shardFilter", "AFTER_SHARD_ID without a shard", r => r.ShardFilter = new ShardFilter { Type = ShardFilterType.AFTER_SHARD_ID })]),

        Op("AddTagsToStream", _ => new AddTagsToStreamRequest { StreamName = "s", Tags = new() { ["b"] = "2" } }, (c, r) => c.AddTagsToStreamAsync(r),
            [.. Address<AddTagsToStreamRequest>(),
            V<AddTagsToStreamRequest>("tags", "null", "tags", r => r.Tags = null!),
            V<AddTagsToStreamRequest>("tags", "none", "tags", r => r.Tags = []),
            V<AddTagsToStreamRequest>("tags", "201", "tags", r => r.Tags = Enumerable.Range(0, 201).ToDictionary(i => "k" + i, i => "v")),
            V<AddTagsToStreamRequest>("tags", "empty key", "tags", r => r.Tags = new() { [""] = "v" }),
            V<AddTagsToStreamRequest>("tags", "257-char value", "tags", r => r.Tags = new() { ["k"] = new string('v', 257) }),
            E<AddTagsToStreamRequest, InvalidArgumentException>("tags", "semicolon", r => r.Tags = new() { ["k"] = "a;b" }),
            E<AddTagsToStreamRequest, InvalidArgumentException>("tags", "over 50 on the stream", r => r.Tags = Enumerable.Range(0, 49).ToDictionary(i => "k" + i, i => "v"))]),

        Op("RemoveTagsFromStream", _ => new RemoveTagsFromStreamRequest { StreamName = "s", TagKeys = ["a"] }, (c, r) => c.RemoveTagsFromStreamAsync(r),
            [.. Address<RemoveTagsFromStreamRequest>(),
            V<RemoveTagsFromStreamRequest>("tagKeys", "null", "tagKeys", r => r.TagKeys = null!),
            V<RemoveTagsFromStreamRequest>("tagKeys", "none", "tagKeys", r => r.TagKeys = []),
            V<RemoveTagsFromStreamRequest>("tagKeys", "51", "tagKeys", r => r.TagKeys = [.. Enumerable.Range(0, 51).Select(i => "k" + i)])]),

        Op("ListTagsForStream", _ => new ListTagsForStreamRequest { StreamName = "s" }, (c, r) => c.ListTagsForStreamAsync(r),
            [.. Address<ListTagsForStreamRequest>(),
            V<ListTagsForStreamRequest>("limit", "0", "limit", r => r.Limit = 0),
            V<ListTagsForStreamRequest>("limit", "51", "limit", r => r.Limit = 51),
            V<ListTagsForStreamRequest>("exclusiveStartTagKey", "empty", "exclusiveStartTagKey", r => r.ExclusiveStartTagKey = ""),
            V<ListTagsForStreamRequest>("exclusiveStartTagKey", "129 chars", "exclusiveStartTagKey", r => r.ExclusiveStartTagKey = Long129)]),

        Op("IncreaseStreamRetentionPeriod", _ => new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 72 }, (c, r) => c.IncreaseStreamRetentionPeriodAsync(r),
            [.. Address<IncreaseStreamRetentionPeriodRequest>(),
            V<IncreaseStreamRetentionPeriodRequest>("retentionPeriodHours", "null", "retentionPeriodHours", r => r.RetentionPeriodHours = null),
            E<IncreaseStreamRetentionPeriodRequest, InvalidArgumentException>("retentionPeriodHours", "23", r => r.RetentionPeriodHours = 23),
            E<IncreaseStreamRetentionPeriodRequest, InvalidArgumentException>("retentionPeriodHours", "8761", r => r.RetentionPeriodHours = 8761),
            E<IncreaseStreamRetentionPeriodRequest, InvalidArgumentException>("retentionPeriodHours", "below the current 48", r => r.RetentionPeriodHours = 24)]),

        Op("DecreaseStreamRetentionPeriod", _ => new DecreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 24 }, (c, r) => c.DecreaseStreamRetentionPeriodAsync(r),
            [.. Address<DecreaseStreamRetentionPeriodRequest>(),
            V<DecreaseStreamRetentionPeriodRequest>("retentionPeriodHours", "null", "retentionPeriodHours", r => r.RetentionPeriodHours = null),
            E<DecreaseStreamRetentionPeriodRequest, InvalidArgumentException>("retentionPeriodHours", "23", r => r.RetentionPeriodHours = 23),
            E<DecreaseStreamRetentionPeriodRequest, InvalidArgumentException>("retentionPeriodHours", "above the current 48", r => r.RetentionPeriodHours = 72)]),

        Op("StartStreamEncryption", _ => new StartStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = "alias/aws/kinesis" }, (c, r) => c.StartStreamEncryptionAsync(r),
            [.. Address<StartStreamEncryptionRequest>(),
            V<StartStreamEncryptionRequest>("encryptionType", "null", "encryptionType", r => r.EncryptionType = null),
            V<StartStreamEncryptionRequest>("encryptionType", "unknown", "encryptionType", r => r.EncryptionType = "BOGUS"),
            E<StartStreamEncryptionRequest, InvalidArgumentException>("encryptionType", "NONE", r => r.EncryptionType = EncryptionType.NONE),
            V<StartStreamEncryptionRequest>("keyId", "null", "keyId", r => r.KeyId = null),
            V<StartStreamEncryptionRequest>("keyId", "empty", "keyId", r => r.KeyId = ""),
            V<StartStreamEncryptionRequest>("keyId", "2049 chars", "keyId", r => r.KeyId = new string('k', 2049))]),

        Op("StopStreamEncryption", _ => new StopStreamEncryptionRequest { StreamName = "e", EncryptionType = EncryptionType.KMS, KeyId = "alias/aws/kinesis" }, (c, r) => c.StopStreamEncryptionAsync(r),
            [.. Address<StopStreamEncryptionRequest>(),
            V<StopStreamEncryptionRequest>("encryptionType", "null", "encryptionType", r => r.EncryptionType = null),
            V<StopStreamEncryptionRequest>("encryptionType", "unknown", "encryptionType", r => r.EncryptionType = "BOGUS"),
            E<StopStreamEncryptionRequest, InvalidArgumentException>("encryptionType", "NONE", r => r.EncryptionType = EncryptionType.NONE),
            V<StopStreamEncryptionRequest>("keyId", "null", "keyId", r => r.KeyId = null),
            V<StopStreamEncryptionRequest>("keyId", "empty", "keyId", r => r.KeyId = "")]),

        Op("UpdateMaxRecordSize", f => new UpdateMaxRecordSizeRequest { StreamARN = f.StreamArn, MaxRecordSizeInKiB = 2048 }, (c, r) => c.UpdateMaxRecordSizeAsync(r),
            [.. ArnOnly<UpdateMaxRecordSizeRequest>((r, v) => r.StreamARN = v, required: false),
            V<UpdateMaxRecordSizeRequest>("maxRecordSizeInKiB", "null", "maxRecordSizeInKiB", r => r.MaxRecordSizeInKiB = null),
            V<UpdateMaxRecordSizeRequest>("maxRecordSizeInKiB", "1023", "maxRecordSizeInKiB", r => r.MaxRecordSizeInKiB = 1023),
            V<UpdateMaxRecordSizeRequest>("maxRecordSizeInKiB", "10241", "maxRecordSizeInKiB", r => r.MaxRecordSizeInKiB = 10241)]),

        Op("PutRecord", _ => new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("x") }, (c, r) => c.PutRecordAsync(r),
            [.. Address<PutRecordRequest>(),
            V<PutRecordRequest>("partitionKey", "null", "partitionKey", r => r.PartitionKey = null),
            V<PutRecordRequest>("partitionKey", "empty", "partitionKey", r => r.PartitionKey = ""),
            V<PutRecordRequest>("partitionKey", "257 chars", "partitionKey", r => r.PartitionKey = new string('k', 257)),
            V<PutRecordRequest>("data", "null", "data", r => r.Data = null),
            V<PutRecordRequest>("data", "10 MiB + 1", "data", r => r.Data = new MemoryStream(new byte[(10 * 1024 * 1024) + 1])),
            E<PutRecordRequest, InvalidArgumentException>("data", "over the stream's 1 MiB", r => r.Data = new MemoryStream(new byte[1024 * 1024])),
            .. HashKeyMember<PutRecordRequest>("explicitHashKey", (r, v) => r.ExplicitHashKey = v),
            V<PutRecordRequest>("sequenceNumberForOrdering", "empty", "sequenceNumberForOrdering", r => r.SequenceNumberForOrdering = ""),
            V<PutRecordRequest>("sequenceNumberForOrdering", "letters", "sequenceNumberForOrdering", r => r.SequenceNumberForOrdering = "abc"),
            V<PutRecordRequest>("sequenceNumberForOrdering", "leading zero", "sequenceNumberForOrdering", r => r.SequenceNumberForOrdering = "01"),
            E<PutRecordRequest, InvalidArgumentException>("sequenceNumberForOrdering", "not a sequence number", r => r.SequenceNumberForOrdering = "12")]),

        Op("PutRecords", _ => new PutRecordsRequest { StreamName = "s", Records = [new() { PartitionKey = "k", Data = TestEngine.Bytes("x") }, new() { PartitionKey = "j", Data = TestEngine.Bytes("y") }] }, (c, r) => c.PutRecordsAsync(r),
            [.. Address<PutRecordsRequest>(),
            V<PutRecordsRequest>("records", "null", "records", r => r.Records = null!, exclusive: true),
            V<PutRecordsRequest>("records", "none", "records", r => r.Records = [], exclusive: true),
            V<PutRecordsRequest>("records", "501", "records", r => r.Records.AddRange(Enumerable.Range(0, 499).Select(_ => new PutRecordsRequestEntry { PartitionKey = "k", Data = TestEngine.Bytes("z") }))),
            E<PutRecordsRequest, InvalidArgumentException>("records", "over 10 MiB in total", r => r.Records.AddRange(Enumerable.Range(0, 11).Select(_ => new PutRecordsRequestEntry { PartitionKey = "k", Data = new MemoryStream(new byte[1000 * 1000]) }))),
            V<PutRecordsRequest>("records.1.partitionKey", "null", "records.1.member.partitionKey", r => r.Records[0].PartitionKey = null),
            V<PutRecordsRequest>("records.1.partitionKey", "empty", "records.1.member.partitionKey", r => r.Records[0].PartitionKey = ""),
            V<PutRecordsRequest>("records.1.partitionKey", "257 chars", "records.1.member.partitionKey", r => r.Records[0].PartitionKey = new string('k', 257)),
            V<PutRecordsRequest>("records.2.data", "null", "records.2.member.data", r => r.Records[1].Data = null),
            .. HashKeyMember<PutRecordsRequest>("records.2.member.explicitHashKey", (r, v) => r.Records[1].ExplicitHashKey = v)]),

        Op("GetShardIterator", _ => new GetShardIteratorRequest { StreamName = "s", ShardId = "shardId-000000000000", ShardIteratorType = ShardIteratorType.TRIM_HORIZON }, (c, r) => c.GetShardIteratorAsync(r),
            [.. Address<GetShardIteratorRequest>(),
            .. ShardIdMember<GetShardIteratorRequest>("shardId", (r, v) => r.ShardId = v),
            E<GetShardIteratorRequest, ResourceNotFoundException>("shardId", "no such shard", r => r.ShardId = "shardId-9"),
            E<GetShardIteratorRequest, ResourceNotFoundException>("shardId", "index too big", r => r.ShardId = "2147483648"),
            V<GetShardIteratorRequest>("shardIteratorType", "null", "shardIteratorType", r => r.ShardIteratorType = null),
            V<GetShardIteratorRequest>("shardIteratorType", "unknown", "shardIteratorType", r => r.ShardIteratorType = "BOGUS"),
            E<GetShardIteratorRequest, InvalidArgumentException>("shardIteratorType", "AT_TIMESTAMP without a timestamp", r => r.ShardIteratorType = ShardIteratorType.AT_TIMESTAMP),
            E<GetShardIteratorRequest, InvalidArgumentException>("shardIteratorType", "AT_SEQUENCE_NUMBER without one", r => r.ShardIteratorType = ShardIteratorType.AT_SEQUENCE_NUMBER),
            V<GetShardIteratorRequest>("startingSequenceNumber", "empty", "startingSequenceNumber", r => r.StartingSequenceNumber = ""),
            V<GetShardIteratorRequest>("startingSequenceNumber", "leading zero", "startingSequenceNumber", r => r.StartingSequenceNumber = "01"),
            E<GetShardIteratorRequest, InvalidArgumentException>("startingSequenceNumber", "with TRIM_HORIZON", r => r.StartingSequenceNumber = "12")]),

        Op("GetRecords", f => new GetRecordsRequest { ShardIterator = f.Iterator }, (c, r) => c.GetRecordsAsync(r),
            V<GetRecordsRequest>("shardIterator", "null", "shardIterator", r => r.ShardIterator = null),
            V<GetRecordsRequest>("shardIterator", "empty", "shardIterator", r => r.ShardIterator = ""),
            V<GetRecordsRequest>("shardIterator", "513 chars", "shardIterator", r => r.ShardIterator = new string('A', 513)),
            E<GetRecordsRequest, InvalidArgumentException>("shardIterator", "garbage", r => r.ShardIterator = "garbage"),
            V<GetRecordsRequest>("limit", "0", "limit", r => r.Limit = 0),
            V<GetRecordsRequest>("limit", "10001", "limit", r => r.Limit = 10_001),
            V<GetRecordsRequest>("streamARN", "not an ARN", "streamARN", r => r.StreamARN = "not-an-arn"),
            E<GetRecordsRequest, InvalidArgumentException>("streamARN", "another stream", r => r.StreamARN = MissingArn)),

        Op("SplitShard", _ => new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "1000" }, (c, r) => c.SplitShardAsync(r),
            [.. Address<SplitShardRequest>(),
            .. ShardIdMember<SplitShardRequest>("shardToSplit", (r, v) => r.ShardToSplit = v),
            E<SplitShardRequest, ResourceNotFoundException>("shardToSplit", "no such shard", r => r.ShardToSplit = "9"),
            E<SplitShardRequest, ResourceNotFoundException>("shardToSplit", "index too big", r => r.ShardToSplit = "2147483648"),
            V<SplitShardRequest>("newStartingHashKey", "null", "newStartingHashKey", r => r.NewStartingHashKey = null),
            .. HashKeyMember<SplitShardRequest>("newStartingHashKey", (r, v) => r.NewStartingHashKey = v),
            E<SplitShardRequest, InvalidArgumentException>("newStartingHashKey", "outside the shard", r => r.NewStartingHashKey = "1")]),

        Op("MergeShards", _ => new MergeShardsRequest { StreamName = "s", ShardToMerge = "0", AdjacentShardToMerge = "1" }, (c, r) => c.MergeShardsAsync(r),
            [.. Address<MergeShardsRequest>(),
            .. ShardIdMember<MergeShardsRequest>("shardToMerge", (r, v) => r.ShardToMerge = v),
            E<MergeShardsRequest, ResourceNotFoundException>("shardToMerge", "no such shard", r => r.ShardToMerge = "9"),
            .. ShardIdMember<MergeShardsRequest>("adjacentShardToMerge", (r, v) => r.AdjacentShardToMerge = v),
            E<MergeShardsRequest, InvalidArgumentException>("adjacentShardToMerge", "not adjacent (itself)", r => r.AdjacentShardToMerge = "0")]),

        Op("UpdateShardCount", _ => new UpdateShardCountRequest { StreamName = "s", TargetShardCount = 3, ScalingType = "UNIFORM_SCALING" }, (c, r) => c.UpdateShardCountAsync(r),
            [.. Address<UpdateShardCountRequest>(),
            V<UpdateShardCountRequest>("targetShardCount", "null", "targetShardCount", r => r.TargetShardCount = null),
            V<UpdateShardCountRequest>("targetShardCount", "0", "targetShardCount", r => r.TargetShardCount = 0),
            V<UpdateShardCountRequest>("targetShardCount", "100001", "targetShardCount", r => r.TargetShardCount = 100_001),
            E<UpdateShardCountRequest, LimitExceededException>("targetShardCount", "more than double", r => r.TargetShardCount = 5),
            V<UpdateShardCountRequest>("scalingType", "null", "scalingType", r => r.ScalingType = null),
            V<UpdateShardCountRequest>("scalingType", "unknown", "scalingType", r => r.ScalingType = "BOGUS")]),

        Op("UpdateStreamMode", f => new UpdateStreamModeRequest { StreamARN = f.StreamArn, StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.ON_DEMAND } }, (c, r) => c.UpdateStreamModeAsync(r),
            [.. ArnOnly<UpdateStreamModeRequest>((r, v) => r.StreamARN = v, required: true),
            V<UpdateStreamModeRequest>("streamModeDetails", "null", "streamModeDetails.streamMode", r => r.StreamModeDetails = null),
            V<UpdateStreamModeRequest>("streamModeDetails", "unknown mode", "streamModeDetails.streamMode", r => r.StreamModeDetails = new StreamModeDetails { StreamMode = "BOGUS" })]),

        Op("RegisterStreamConsumer", f => new RegisterStreamConsumerRequest { StreamARN = f.StreamArn, ConsumerName = "app2" }, (c, r) => c.RegisterStreamConsumerAsync(r),
            [.. ArnOnly<RegisterStreamConsumerRequest>((r, v) => r.StreamARN = v, required: true),
            V<RegisterStreamConsumerRequest>("consumerName", "null", "consumerName", r => r.ConsumerName = null),
            V<RegisterStreamConsumerRequest>("consumerName", "empty", "consumerName", r => r.ConsumerName = ""),
            V<RegisterStreamConsumerRequest>("consumerName", "space", "consumerName", r => r.ConsumerName = "bad name"),
            V<RegisterStreamConsumerRequest>("consumerName", "129 chars", "consumerName", r => r.ConsumerName = Long129),
            E<RegisterStreamConsumerRequest, ResourceInUseException>("consumerName", "registered", r => r.ConsumerName = "app")]),

        Op("DeregisterStreamConsumer", f => new DeregisterStreamConsumerRequest { ConsumerARN = f.ConsumerArn }, (c, r) => c.DeregisterStreamConsumerAsync(r),
            Consumer<DeregisterStreamConsumerRequest>((r, v) => r.ConsumerARN = v, (r, v) => r.StreamARN = v, (r, v) => r.ConsumerName = v)),

        Op("DescribeStreamConsumer", f => new DescribeStreamConsumerRequest { ConsumerARN = f.ConsumerArn }, (c, r) => c.DescribeStreamConsumerAsync(r),
            Consumer<DescribeStreamConsumerRequest>((r, v) => r.ConsumerARN = v, (r, v) => r.StreamARN = v, (r, v) => r.ConsumerName = v)),

        Op("ListStreamConsumers", f => new ListStreamConsumersRequest { StreamARN = f.StreamArn }, (c, r) => c.ListStreamConsumersAsync(r),
            [.. ArnOnly<ListStreamConsumersRequest>((r, v) => r.StreamARN = v, required: true),
            V<ListStreamConsumersRequest>("maxResults", "0", "maxResults", r => r.MaxResults = 0),
            V<ListStreamConsumersRequest>("maxResults", "10001", "maxResults", r => r.MaxResults = 10_001),
            V<ListStreamConsumersRequest>("nextToken", "empty", "nextToken", r => r.NextToken = ""),
            E<ListStreamConsumersRequest, InvalidArgumentException>("nextToken", "garbage", r => r.NextToken = "garbage")]),

        Op("SubscribeToShard", f => new SubscribeToShardRequest { ConsumerARN = f.ConsumerArn, ShardId = "shardId-000000000000", StartingPosition = new StartingPosition { Type = ShardIteratorType.TRIM_HORIZON } }, (c, r) => c.SubscribeToShardAsync(r),
            [V<SubscribeToShardRequest>("consumerARN", "null", "consumerARN", r => r.ConsumerARN = null),
            V<SubscribeToShardRequest>("consumerARN", "empty", "consumerARN", r => r.ConsumerARN = ""),
            V<SubscribeToShardRequest>("consumerARN", "no creation time", "consumerARN", r => r.ConsumerARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/app"),
            E<SubscribeToShardRequest, ResourceNotFoundException>("consumerARN", "unknown", r => r.ConsumerARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/nobody:1"),
            .. ShardIdMember<SubscribeToShardRequest>("shardId", (r, v) => r.ShardId = v),
            E<SubscribeToShardRequest, ResourceNotFoundException>("shardId", "no such shard", r => r.ShardId = "shardId-9"),
            V<SubscribeToShardRequest>("startingPosition", "null", "startingPosition", r => r.StartingPosition = null),
            V<SubscribeToShardRequest>("startingPosition", "unknown type", "startingPosition.type", r => r.StartingPosition = new StartingPosition { Type = "BOGUS" }),
            V<SubscribeToShardRequest>("startingPosition", "bad sequence number", "startingPosition.sequenceNumber", r => r.StartingPosition = new StartingPosition { Type = ShardIteratorType.AT_SEQUENCE_NUMBER, SequenceNumber = "01" }),
            E<SubscribeToShardRequest, InvalidArgumentException>("startingPosition", "AT_SEQUENCE_NUMBER without one", r => r.StartingPosition = new StartingPosition { Type = ShardIteratorType.AT_SEQUENCE_NUMBER })]),

        Op("EnableEnhancedMonitoring", _ => new EnableEnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["OutgoingBytes"] }, (c, r) => c.EnableEnhancedMonitoringAsync(r),
            [.. Address<EnableEnhancedMonitoringRequest>(), .. Metrics<EnableEnhancedMonitoringRequest>((r, v) => r.ShardLevelMetrics = v!)]),

        Op("DisableEnhancedMonitoring", _ => new DisableEnhancedMonitoringRequest { StreamName = "s", ShardLevelMetrics = ["IncomingBytes"] }, (c, r) => c.DisableEnhancedMonitoringAsync(r),
            [.. Address<DisableEnhancedMonitoringRequest>(), .. Metrics<DisableEnhancedMonitoringRequest>((r, v) => r.ShardLevelMetrics = v!)]),
    ];

    private static Mutation[] Metrics<T>(Action<T, List<string>?> set)
        where T : class =>
    [
        V<T>("shardLevelMetrics", "null", "shardLevelMetrics", r => set(r, null)),
        V<T>("shardLevelMetrics", "none", "shardLevelMetrics", r => set(r, [])),
        V<T>("shardLevelMetrics", "8", "shardLevelMetrics", r => set(r, [.. Enumerable.Repeat("IncomingBytes", 8)])),
        V<T>("shardLevelMetrics", "unknown", "shardLevelMetrics.1.member", r => set(r, ["BOGUS"])),
    ];

    // ------------------------------------------------------------------ generation

    /// <summary>An operation and, per member, at most one invalid value; at most one that fails alone.</summary>
    private static Gen<Case> Cases =>
        from operation in Gen.Elements(Operations)
        from picks in Gen.ArrayOf(Gen.Choose(-2, 20), operation.Mutations.Select(m => m.Member).Distinct().Count())
        let chosen = Choose(operation, picks)
        where chosen.Length > 0
        select new Case(operation, chosen);

    private static Mutation[] Choose(Operation operation, int[] picks)
    {
        string[] members = [.. operation.Mutations.Select(m => m.Member).Distinct()];
        var chosen = new List<Mutation>();
        for (int i = 0; i < members.Length; i++)
        {
            Mutation[] options = [.. operation.Mutations.Where(m => m.Member == members[i])];
            if (picks[i] >= 0 && picks[i] % 3 == 0)
            {
                chosen.Add(options[picks[i] / 3 % options.Length]); // each member is invalid with probability ~1/3
            }
        }

        // At most one value that fails on its own (the error it gets depends on which check runs first), and an
        // exclusive value (one that removes other members, such as a null list) alone with the address.
        Mutation? lone = chosen.FirstOrDefault(m => !m.Combinable);
        chosen.RemoveAll(m => !m.Combinable && m != lone);
        if (chosen.FirstOrDefault(m => m.Exclusive) is { } exclusive)
        {
            chosen.RemoveAll(m => m != exclusive && m.Member is not ("streamName" or "streamARN"));
        }

        return [.. chosen];
    }

    private static async Task CheckAsync(Case c)
    {
        using Fixture f = await Fixture.CreateAsync();
        object request = c.Operation.Valid(f);
        foreach (Mutation m in c.Mutations)
        {
            m.Apply(f, request);
        }

        string before = await EngineSnapshot.TakeAsync(f.T.Client);
        Exception? thrown = null;
        try
        {
            await c.Operation.Call(f.T.Client, request);
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        Mutation[] combinable = [.. c.Mutations.Where(m => m.Combinable)];
        Type expected = combinable.Length > 0 ? typeof(ValidationException) : c.Mutations.Single().Error;
        Assert.True(thrown is not null, $"{c}: accepted, expected {expected.Name}");
        Assert.True(thrown.GetType() == expected, $"{c}: {thrown.GetType().Name} ({thrown.Message}), expected {expected.Name}");
        foreach (Mutation m in combinable)
        {
            Assert.True(thrown.Message.Contains($" at '{m.Path}' failed to satisfy constraint: ", StringComparison.Ordinal), $"{c}: '{m.Path}' missing from: {thrown.Message}");
        }

        Assert.Equal(before, await EngineSnapshot.TakeAsync(f.T.Client));
    }

    [Property(MaxTest = 400)]
    public Property Every_rejected_call_raises_the_documented_error_and_changes_nothing() =>
        Prop.ForAll(Cases.ToArbitrary(), c => CheckAsync(c).GetAwaiter().GetResult());

    [Property(MaxTest = 20_000, Explicit = true)]
    [Trait("Category", "Stress")]
    public Property Stress_every_rejected_call_raises_the_documented_error_and_changes_nothing() =>
        Prop.ForAll(Cases.ToArbitrary(), c => CheckAsync(c).GetAwaiter().GetResult());

    /// <summary>Each single invalid value on its own, exhaustively: the table's every row is exercised in every run.</summary>
    [Fact]
    public async Task Every_invalid_value_alone_is_rejected_and_changes_nothing()
    {
        foreach (Operation operation in Operations)
        {
            foreach (Mutation m in operation.Mutations)
            {
                await CheckAsync(new Case(operation, [m]));
            }
        }
    }

    /// <summary>The harness itself: every operation's base request is valid, so only the invalid values fail.</summary>
    [Fact]
    public async Task Every_base_request_is_accepted()
    {
        foreach (Operation operation in Operations)
        {
            using Fixture f = await Fixture.CreateAsync();
            await operation.Call(f.T.Client, operation.Valid(f));
        }

        Assert.Equal(29, Operations.Length); // every operation of IKinesisClient but DescribeLimits, which has no members
    }
}
