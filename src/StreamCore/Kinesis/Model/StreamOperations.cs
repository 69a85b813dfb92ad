namespace StreamCore.Kinesis;

/// <summary>CreateStream input.</summary>
public sealed class CreateStreamRequest : KinesisRequest
{
    /// <summary>The name, unique in the account and region.</summary>
    public string? StreamName { get; set; }

    /// <summary>Shards of a provisioned stream; omit for on-demand.</summary>
    public int? ShardCount { get; set; }

    /// <summary>The capacity mode; default PROVISIONED.</summary>
    public StreamModeDetails? StreamModeDetails { get; set; }

    /// <summary>Tags to apply.</summary>
    public Dictionary<string, string> Tags { get; set; } = [];

    /// <summary>The largest record, 1024-10240 KiB; default 1024.</summary>
    public int? MaxRecordSizeInKiB { get; set; }
}

/// <summary>CreateStream output (empty).</summary>
public sealed class CreateStreamResponse : KinesisResponse
{
}

/// <summary>DeleteStream input.</summary>
public sealed class DeleteStreamRequest : StreamAddressedRequest
{
    /// <summary>Delete even when consumers are registered.</summary>
    public bool? EnforceConsumerDeletion { get; set; }
}

/// <summary>DeleteStream output (empty).</summary>
public sealed class DeleteStreamResponse : KinesisResponse
{
}

/// <summary>DescribeStream input.</summary>
public sealed class DescribeStreamRequest : StreamAddressedRequest
{
    /// <summary>Shards per page, 1-10000 (more than 100 counts as 100).</summary>
    public int? Limit { get; set; }

    /// <summary>List shards after this one.</summary>
    public string? ExclusiveStartShardId { get; set; }
}

/// <summary>DescribeStream output.</summary>
public sealed class DescribeStreamResponse : KinesisResponse
{
    /// <summary>The stream.</summary>
    public StreamDescription? StreamDescription { get; set; }
}

/// <summary>A stream's description with a page of shards.</summary>
public sealed class StreamDescription
{
    /// <summary>The name.</summary>
    public string? StreamName { get; set; }

    /// <summary>The ARN.</summary>
    public string? StreamARN { get; set; }

    /// <summary>The status.</summary>
    public StreamStatus? StreamStatus { get; set; }

    /// <summary>The capacity mode.</summary>
    public StreamModeDetails? StreamModeDetails { get; set; }

    /// <summary>A page of shards (empty while CREATING).</summary>
    public List<Shard> Shards { get; set; } = [];

    /// <summary>Whether more shards follow; page with ExclusiveStartShardId.</summary>
    public bool? HasMoreShards { get; set; }

    /// <summary>Retention in hours.</summary>
    public int? RetentionPeriodHours { get; set; }

    /// <summary>When the stream was created (UTC).</summary>
    public DateTime? StreamCreationTimestamp { get; set; }

    /// <summary>The enabled shard-level metrics.</summary>
    public List<EnhancedMetrics> EnhancedMonitoring { get; set; } = [];

    /// <summary>NONE or KMS.</summary>
    public EncryptionType? EncryptionType { get; set; }

    /// <summary>The KMS key, when encrypted.</summary>
    public string? KeyId { get; set; }
}

/// <summary>DescribeStreamSummary input.</summary>
public sealed class DescribeStreamSummaryRequest : StreamAddressedRequest
{
}

/// <summary>DescribeStreamSummary output.</summary>
public sealed class DescribeStreamSummaryResponse : KinesisResponse
{
    /// <summary>The stream.</summary>
    public StreamDescriptionSummary? StreamDescriptionSummary { get; set; }
}

/// <summary>A stream's description without shards.</summary>
public sealed class StreamDescriptionSummary
{
    /// <summary>The name.</summary>
    public string? StreamName { get; set; }

    /// <summary>The ARN.</summary>
    public string? StreamARN { get; set; }

    /// <summary>The status.</summary>
    public StreamStatus? StreamStatus { get; set; }

    /// <summary>The capacity mode.</summary>
    public StreamModeDetails? StreamModeDetails { get; set; }

    /// <summary>Retention in hours.</summary>
    public int? RetentionPeriodHours { get; set; }

    /// <summary>When the stream was created (UTC).</summary>
    public DateTime? StreamCreationTimestamp { get; set; }

    /// <summary>The enabled shard-level metrics.</summary>
    public List<EnhancedMetrics> EnhancedMonitoring { get; set; } = [];

    /// <summary>NONE or KMS.</summary>
    public EncryptionType? EncryptionType { get; set; }

    /// <summary>The KMS key, when encrypted.</summary>
    public string? KeyId { get; set; }

    /// <summary>Open shards.</summary>
    public int? OpenShardCount { get; set; }

    /// <summary>Registered enhanced fan-out consumers.</summary>
    public int? ConsumerCount { get; set; }

    /// <summary>The largest record in KiB.</summary>
    public int? MaxRecordSizeInKiB { get; set; }
}

/// <summary>ListStreams input.</summary>
public sealed class ListStreamsRequest : KinesisRequest
{
    /// <summary>Streams per page, 1-10000 (more than 100 counts as 100).</summary>
    public int? Limit { get; set; }

    /// <summary>List streams after this name.</summary>
    public string? ExclusiveStartStreamName { get; set; }

    /// <summary>The token of the previous page.</summary>
    public string? NextToken { get; set; }
}

/// <summary>ListStreams output.</summary>
public sealed class ListStreamsResponse : KinesisResponse
{
    /// <summary>Stream names in order.</summary>
    public List<string> StreamNames { get; set; } = [];

    /// <summary>Whether more streams follow.</summary>
    public bool? HasMoreStreams { get; set; }

    /// <summary>The token of the next page.</summary>
    public string? NextToken { get; set; }

    /// <summary>A summary per stream.</summary>
    public List<StreamSummary> StreamSummaries { get; set; } = [];
}

/// <summary>A stream in a ListStreams page.</summary>
public sealed class StreamSummary
{
    /// <summary>The name.</summary>
    public string? StreamName { get; set; }

    /// <summary>The ARN.</summary>
    public string? StreamARN { get; set; }

    /// <summary>The status.</summary>
    public StreamStatus? StreamStatus { get; set; }

    /// <summary>The capacity mode.</summary>
    public StreamModeDetails? StreamModeDetails { get; set; }

    /// <summary>When the stream was created (UTC).</summary>
    public DateTime? StreamCreationTimestamp { get; set; }
}

/// <summary>A ListShards filter.</summary>
public sealed class ShardFilter
{
    /// <summary>The kind of filter.</summary>
    public ShardFilterType? Type { get; set; }

    /// <summary>For AFTER_SHARD_ID.</summary>
    public string? ShardId { get; set; }

    /// <summary>For AT_TIMESTAMP and FROM_TIMESTAMP.</summary>
    public DateTime? Timestamp { get; set; }
}

/// <summary>ListShards input.</summary>
public sealed class ListShardsRequest : StreamAddressedRequest
{
    /// <summary>The token of the previous page (then give no stream name).</summary>
    public string? NextToken { get; set; }

    /// <summary>List shards after this one.</summary>
    public string? ExclusiveStartShardId { get; set; }

    /// <summary>Shards per page, 1-10000 (more than 1000 counts as 1000).</summary>
    public int? MaxResults { get; set; }

    /// <summary>Tells streams of the same name apart.</summary>
    public DateTime? StreamCreationTimestamp { get; set; }

    /// <summary>Which shards to list.</summary>
    public ShardFilter? ShardFilter { get; set; }
}

/// <summary>ListShards output.</summary>
public sealed class ListShardsResponse : KinesisResponse
{
    /// <summary>A page of shards.</summary>
    public List<Shard> Shards { get; set; } = [];

    /// <summary>The token of the next page; valid 300 seconds.</summary>
    public string? NextToken { get; set; }
}

/// <summary>AddTagsToStream input.</summary>
public sealed class AddTagsToStreamRequest : StreamAddressedRequest
{
    /// <summary>Tags to add or overwrite.</summary>
    public Dictionary<string, string> Tags { get; set; } = [];
}

/// <summary>AddTagsToStream output (empty).</summary>
public sealed class AddTagsToStreamResponse : KinesisResponse
{
}

/// <summary>RemoveTagsFromStream input.</summary>
public sealed class RemoveTagsFromStreamRequest : StreamAddressedRequest
{
    /// <summary>Keys to remove; unknown keys are ignored.</summary>
    public List<string> TagKeys { get; set; } = [];
}

/// <summary>RemoveTagsFromStream output (empty).</summary>
public sealed class RemoveTagsFromStreamResponse : KinesisResponse
{
}

/// <summary>ListTagsForStream input.</summary>
public sealed class ListTagsForStreamRequest : StreamAddressedRequest
{
    /// <summary>List tags after this key.</summary>
    public string? ExclusiveStartTagKey { get; set; }

    /// <summary>Tags per page, 1-50.</summary>
    public int? Limit { get; set; }
}

/// <summary>ListTagsForStream output.</summary>
public sealed class ListTagsForStreamResponse : KinesisResponse
{
    /// <summary>Tags in key order.</summary>
    public List<Tag> Tags { get; set; } = [];

    /// <summary>Whether more tags follow.</summary>
    public bool? HasMoreTags { get; set; }
}

/// <summary>IncreaseStreamRetentionPeriod input.</summary>
public sealed class IncreaseStreamRetentionPeriodRequest : StreamAddressedRequest
{
    /// <summary>The new retention, 24-8760 hours, not below the current one.</summary>
    public int? RetentionPeriodHours { get; set; }
}

/// <summary>IncreaseStreamRetentionPeriod output (empty).</summary>
public sealed class IncreaseStreamRetentionPeriodResponse : KinesisResponse
{
}

/// <summary>DecreaseStreamRetentionPeriod input.</summary>
public sealed class DecreaseStreamRetentionPeriodRequest : StreamAddressedRequest
{
    /// <summary>The new retention, 24-8760 hours, not above the current one.</summary>
    public int? RetentionPeriodHours { get; set; }
}

/// <summary>DecreaseStreamRetentionPeriod output (empty).</summary>
public sealed class DecreaseStreamRetentionPeriodResponse : KinesisResponse
{
}

/// <summary>StartStreamEncryption input.</summary>
public sealed class StartStreamEncryptionRequest : StreamAddressedRequest
{
    /// <summary>Must be KMS.</summary>
    public EncryptionType? EncryptionType { get; set; }

    /// <summary>The KMS key: GUID, ARN, alias ARN, alias name or <c>alias/aws/kinesis</c>.</summary>
    public string? KeyId { get; set; }
}

/// <summary>StartStreamEncryption output (empty).</summary>
public sealed class StartStreamEncryptionResponse : KinesisResponse
{
}

/// <summary>StopStreamEncryption input.</summary>
public sealed class StopStreamEncryptionRequest : StreamAddressedRequest
{
    /// <summary>Must be KMS.</summary>
    public EncryptionType? EncryptionType { get; set; }

    /// <summary>The key currently used.</summary>
    public string? KeyId { get; set; }
}

/// <summary>StopStreamEncryption output (empty).</summary>
public sealed class StopStreamEncryptionResponse : KinesisResponse
{
}

/// <summary>DescribeLimits input (empty).</summary>
public sealed class DescribeLimitsRequest : KinesisRequest
{
}

/// <summary>DescribeLimits output.</summary>
public sealed class DescribeLimitsResponse : KinesisResponse
{
    /// <summary>The account's shard quota.</summary>
    public int? ShardLimit { get; set; }

    /// <summary>Open shards in the account.</summary>
    public int? OpenShardCount { get; set; }

    /// <summary>On-demand streams in the account.</summary>
    public int? OnDemandStreamCount { get; set; }

    /// <summary>The account's on-demand stream quota.</summary>
    public int? OnDemandStreamCountLimit { get; set; }
}

/// <summary>UpdateMaxRecordSize input.</summary>
public sealed class UpdateMaxRecordSizeRequest : KinesisRequest
{
    /// <summary>The stream's ARN.</summary>
    public string? StreamARN { get; set; }

    /// <summary>The largest record, 1024-10240 KiB.</summary>
    public int? MaxRecordSizeInKiB { get; set; }
}

/// <summary>UpdateMaxRecordSize output (empty).</summary>
public sealed class UpdateMaxRecordSizeResponse : KinesisResponse
{
}
