using System.Globalization;

namespace StreamCore.Errors;

/// <summary>
/// Kinesis's error texts, in one place for both faces. Formats follow the texts recorded from AWS (see the
/// reference, sections 1-5).
/// </summary>
internal static class ErrorMessages
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static ResourceNotFoundException StreamNotFound(string stream, string account) =>
        new($"Stream {stream} under account {account} not found.");

    public static ResourceInUseException StreamNotActive(string stream, string account, string status) =>
        new($"Stream {stream} under account {account} not ACTIVE, instead in state {status}");

    public static ResourceInUseException StreamExists(string stream, string account) =>
        new($"Stream {stream} under account {account} already exists.");

    /// <summary>
    /// A shard id that does not parse (as given), or, in SplitShard and MergeShards, a shard that does not exist
    /// (normalized: <c>shardId-5</c> is reported as <c>shardId-000000000005</c>) [kinesalite's AWS-recorded tests].
    /// </summary>
    public static ResourceNotFoundException ShardNotFound(string shard, string stream, string account) =>
        new($"Could not find shard {shard} in stream {stream} under account {account}.");

    /// <summary>
    /// GetShardIterator, GetRecords and SubscribeToShard on a shard that does not exist, including one of a stream
    /// that does not exist (any more): AWS's text, with the shard id normalized and no final period.
    /// </summary>
    public static ResourceNotFoundException ShardDoesNotExist(ShardId shard, string stream, string account) =>
        new($"Shard {shard} in stream {stream} under account {account} does not exist");

    public static InvalidArgumentException BothAddressesEmpty() =>
        new("Stream arn and stream name can't be empty at the same time");

    public static InvalidArgumentException AddressMismatch(string name, string arn) =>
        new($"StreamName {name} and StreamARN {arn} do not refer to the same stream. Provide either, or both naming the same stream.");

    public static InvalidArgumentException ExplicitHashKeyOutOfRange(string value) =>
        new($"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {value}");

    public static InvalidArgumentException ExclusiveMinimumSequenceNumberInvalid(string value, string stream, string account) =>
        new($"ExclusiveMinimumSequenceNumber {value} used in PutRecord on stream {stream} under account {account} is invalid.");

    public static ProvisionedThroughputExceededException MemoryCapReached(string shard, string stream, string account, long cap, string policy) =>
        new($"Rate exceeded for shard {shard} in stream {stream} under account {account}. The engine's retained memory reached its cap of {cap.ToString(Inv)} bytes (MemoryLimitPolicy.{policy}) and nothing more can be trimmed; retry after retention frees memory, or raise StreamEngineOptions.MaxRetainedBytes.");

    public static InvalidArgumentException RecordTooLarge(int size, int maxKiB) =>
        new($"Record size {size.ToString(Inv)} bytes (data plus partition key) exceeds the stream's maximum record size of {(maxKiB * 1024).ToString(Inv)} bytes ({maxKiB.ToString(Inv)} KiB).");

    public static InvalidArgumentException InvalidShardIterator() => new("Invalid ShardIterator.");

    public static ExpiredIteratorException IteratorExpired(DateTimeOffset createdAt, DateTimeOffset now) =>
        new($"Iterator expired. The iterator was created at time {AwsDate(createdAt)} while right now it is {AwsDate(now)} which is further in the future than the tolerated delay of 300000 milliseconds.");

    public static InvalidArgumentException IteratorTypeNeedsSequenceNumber(string type, bool hasSequenceNumber) =>
        new("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
            + $"Request specified {type} and {(hasSequenceNumber ? "also a" : "no")} StartingSequenceNumber.");

    public static InvalidArgumentException TimestampMissing() =>
        new("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.");

    public static InvalidArgumentException TimestampInFuture(long timestampMs, long nowMs) =>
        new($"The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: {timestampMs.ToString(Inv)}, currentTimestampInMillis: {nowMs.ToString(Inv)}");

    public static InvalidArgumentException SequenceNumberWrongShard(ShardId encoded, ShardId used) =>
        new($"Invalid StartingSequenceNumber. It encodes {encoded}, while it was used in a call to a shard with {used}");

    public static InvalidArgumentException SequenceNumberWrongStream(string value, string shard, string stream, string account) =>
        new($"StartingSequenceNumber {value} used in GetShardIterator on shard {shard} in stream {stream} under account {account} is invalid because it did not come from this stream.");

    public static InvalidArgumentException SequenceNumberInvalid(string value, string shard, string stream, string account) =>
        new($"StartingSequenceNumber {value} used in GetShardIterator on shard {shard} in stream {stream} under account {account} is invalid.");

    /// <summary>The account's open-shard quota, in AWS's words (recorded by kinesalite's tests against AWS).</summary>
    public static LimitExceededException ShardLimit(string account, string region, int open, int limit, int requested) =>
        new($"This request would exceed the shard limit for the account {account} in {region}. Current shard count for the account: {open.ToString(Inv)}. Limit: {limit.ToString(Inv)}. "
            + $"Number of additional shards that would have resulted from this request: {requested.ToString(Inv)}. "
            + "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.");

    public static InvalidArgumentException RetentionTooShort(int hours) =>
        new($"Minimum allowed retention period is 24 hours. Requested retention period ({hours.ToString(Inv)} hours) is too short.");

    public static InvalidArgumentException RetentionTooLong(int hours) =>
        new($"Maximum allowed retention period is 8760 hours. Requested retention period ({hours.ToString(Inv)} hours) is too long.");

    public static InvalidArgumentException RetentionIncreaseBelowCurrent(int hours, string stream, int current) =>
        new($"Requested retention period ({hours.ToString(Inv)} hours) for stream {stream} can not be shorter than existing retention period ({current.ToString(Inv)} hours). Use DecreaseRetentionPeriod API.");

    public static InvalidArgumentException RetentionDecreaseAboveCurrent(int hours, string stream, int current) =>
        new($"Requested retention period ({hours.ToString(Inv)} hours) for stream {stream} can not be longer than existing retention period ({current.ToString(Inv)} hours). Use IncreaseRetentionPeriod API.");

    /// <summary>Formats a date as the Java <c>Date.toString()</c> AWS prints: <c>Www Mmm dd HH:MM:SS UTC yyyy</c>.</summary>
    public static string AwsDate(DateTimeOffset t) =>
        t.UtcDateTime.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", Inv);
}
