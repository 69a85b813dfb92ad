namespace StreamCore.Delivery;

/// <summary>CreateDeliveryStream input: a name, a source and exactly one destination.</summary>
public sealed class CreateDeliveryStreamRequest : FirehoseRequest
{
    /// <summary>1-64 characters of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>DirectPut (default) or KinesisStreamAsSource.</summary>
    public DeliveryStreamType? DeliveryStreamType { get; set; }

    /// <summary>The DirectPut source's settings.</summary>
    public DirectPutSourceConfiguration? DirectPutSourceConfiguration { get; set; }

    /// <summary>The data stream read, for KinesisStreamAsSource.</summary>
    public KinesisStreamSourceConfiguration? KinesisStreamSourceConfiguration { get; set; }

    /// <summary>Server-side encryption (DirectPut only).</summary>
    public DeliveryStreamEncryptionConfigurationInput? DeliveryStreamEncryptionConfigurationInput { get; set; }

    /// <summary>An S3 destination.</summary>
    public S3DestinationConfiguration? S3DestinationConfiguration { get; set; }

    /// <summary>An extended S3 destination.</summary>
    public ExtendedS3DestinationConfiguration? ExtendedS3DestinationConfiguration { get; set; }

    /// <summary>An Elasticsearch destination.</summary>
    public ElasticsearchDestinationConfiguration? ElasticsearchDestinationConfiguration { get; set; }

    /// <summary>An OpenSearch destination.</summary>
    public ElasticsearchDestinationConfiguration? AmazonopensearchserviceDestinationConfiguration { get; set; }

    /// <summary>1-50 tags.</summary>
    public List<Tag>? Tags { get; set; }
}

/// <summary>CreateDeliveryStream output.</summary>
public sealed class CreateDeliveryStreamResponse : FirehoseResponse
{
    /// <summary>The new delivery stream's ARN.</summary>
    public string? DeliveryStreamARN { get; set; }
}

/// <summary>DeleteDeliveryStream input.</summary>
public sealed class DeleteDeliveryStreamRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>Delete even when Firehose could not release the stream's KMS grant.</summary>
    public bool? AllowForceDelete { get; set; }
}

/// <summary>DeleteDeliveryStream output.</summary>
public sealed class DeleteDeliveryStreamResponse : FirehoseResponse;

/// <summary>DescribeDeliveryStream input.</summary>
public sealed class DescribeDeliveryStreamRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>1-10000 destinations to describe.</summary>
    public int? Limit { get; set; }

    /// <summary>Describe the destinations after this one.</summary>
    public string? ExclusiveStartDestinationId { get; set; }
}

/// <summary>A delivery stream's source.</summary>
public sealed class SourceDescription
{
    /// <summary>A DirectPut source.</summary>
    public DirectPutSourceDescription? DirectPutSourceDescription { get; set; }

    /// <summary>A Kinesis data stream source.</summary>
    public KinesisStreamSourceDescription? KinesisStreamSourceDescription { get; set; }
}

/// <summary>A DirectPut source.</summary>
public sealed class DirectPutSourceDescription
{
    /// <summary>The throughput hint.</summary>
    public int? ThroughputHintInMBs { get; set; }
}

/// <summary>A Kinesis data stream source.</summary>
public sealed class KinesisStreamSourceDescription
{
    /// <summary>The stream's ARN.</summary>
    public string? KinesisStreamARN { get; set; }

    /// <summary>The role.</summary>
    public string? RoleARN { get; set; }

    /// <summary>When Firehose started reading the stream.</summary>
    public DateTime? DeliveryStartTimestamp { get; set; }
}

/// <summary>A delivery stream's server-side encryption, with its status.</summary>
public sealed class DeliveryStreamEncryptionConfiguration
{
    /// <summary>The customer managed key, if any.</summary>
    public string? KeyARN { get; set; }

    /// <summary>The kind of key.</summary>
    public KeyType? KeyType { get; set; }

    /// <summary>ENABLED, ENABLING, DISABLED, DISABLING, ...</summary>
    public DeliveryStreamEncryptionStatus? Status { get; set; }

    /// <summary>Why enabling or disabling failed.</summary>
    public FailureDescription? FailureDescription { get; set; }
}

/// <summary>One destination of a delivery stream.</summary>
public sealed class DestinationDescription
{
    /// <summary>Its id, <c>destinationId-000000000001</c>.</summary>
    public string? DestinationId { get; set; }

    /// <summary>The S3 view of the destination.</summary>
    public S3DestinationDescription? S3DestinationDescription { get; set; }

    /// <summary>The extended S3 view of the destination.</summary>
    public ExtendedS3DestinationDescription? ExtendedS3DestinationDescription { get; set; }

    /// <summary>An Elasticsearch destination.</summary>
    public ElasticsearchDestinationDescription? ElasticsearchDestinationDescription { get; set; }

    /// <summary>An OpenSearch destination.</summary>
    public ElasticsearchDestinationDescription? AmazonopensearchserviceDestinationDescription { get; set; }
}

/// <summary>A delivery stream as DescribeDeliveryStream returns it.</summary>
public sealed class DeliveryStreamDescription
{
    /// <summary>Its name.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>Its ARN.</summary>
    public string? DeliveryStreamARN { get; set; }

    /// <summary>Its status.</summary>
    public DeliveryStreamStatus? DeliveryStreamStatus { get; set; }

    /// <summary>Why it failed, if it did.</summary>
    public FailureDescription? FailureDescription { get; set; }

    /// <summary>Its encryption.</summary>
    public DeliveryStreamEncryptionConfiguration? DeliveryStreamEncryptionConfiguration { get; set; }

    /// <summary>Its source type.</summary>
    public DeliveryStreamType? DeliveryStreamType { get; set; }

    /// <summary>Its configuration version (a decimal string, from 1).</summary>
    public string? VersionId { get; set; }

    /// <summary>When it was created.</summary>
    public DateTime? CreateTimestamp { get; set; }

    /// <summary>When its destination was last updated.</summary>
    public DateTime? LastUpdateTimestamp { get; set; }

    /// <summary>Its source.</summary>
    public SourceDescription? Source { get; set; }

    /// <summary>Its destinations.</summary>
    public List<DestinationDescription>? Destinations { get; set; }

    /// <summary>Whether more destinations follow.</summary>
    public bool? HasMoreDestinations { get; set; }
}

/// <summary>DescribeDeliveryStream output.</summary>
public sealed class DescribeDeliveryStreamResponse : FirehoseResponse
{
    /// <summary>The delivery stream.</summary>
    public DeliveryStreamDescription? DeliveryStreamDescription { get; set; }
}

/// <summary>ListDeliveryStreams input.</summary>
public sealed class ListDeliveryStreamsRequest : FirehoseRequest
{
    /// <summary>1-10000 names (default 10).</summary>
    public int? Limit { get; set; }

    /// <summary>Only streams of this type; default all.</summary>
    public DeliveryStreamType? DeliveryStreamType { get; set; }

    /// <summary>List the names after this one.</summary>
    public string? ExclusiveStartDeliveryStreamName { get; set; }
}

/// <summary>ListDeliveryStreams output.</summary>
public sealed class ListDeliveryStreamsResponse : FirehoseResponse
{
    /// <summary>The names, in order.</summary>
    public List<string>? DeliveryStreamNames { get; set; }

    /// <summary>Whether more names follow.</summary>
    public bool? HasMoreDeliveryStreams { get; set; }
}

/// <summary>ListTagsForDeliveryStream input.</summary>
public sealed class ListTagsForDeliveryStreamRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>List the tags after this key.</summary>
    public string? ExclusiveStartTagKey { get; set; }

    /// <summary>1-50 tags (default 50).</summary>
    public int? Limit { get; set; }
}

/// <summary>ListTagsForDeliveryStream output.</summary>
public sealed class ListTagsForDeliveryStreamResponse : FirehoseResponse
{
    /// <summary>The tags, by key.</summary>
    public List<Tag>? Tags { get; set; }

    /// <summary>Whether more tags follow.</summary>
    public bool? HasMoreTags { get; set; }
}

/// <summary>TagDeliveryStream input.</summary>
public sealed class TagDeliveryStreamRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>1-50 tags to add or replace.</summary>
    public List<Tag>? Tags { get; set; }
}

/// <summary>TagDeliveryStream output.</summary>
public sealed class TagDeliveryStreamResponse : FirehoseResponse;

/// <summary>UntagDeliveryStream input.</summary>
public sealed class UntagDeliveryStreamRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>1-50 keys to remove.</summary>
    public List<string>? TagKeys { get; set; }
}

/// <summary>UntagDeliveryStream output.</summary>
public sealed class UntagDeliveryStreamResponse : FirehoseResponse;

/// <summary>StartDeliveryStreamEncryption input.</summary>
public sealed class StartDeliveryStreamEncryptionRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>The key to use; default an AWS owned key.</summary>
    public DeliveryStreamEncryptionConfigurationInput? DeliveryStreamEncryptionConfigurationInput { get; set; }
}

/// <summary>StartDeliveryStreamEncryption output.</summary>
public sealed class StartDeliveryStreamEncryptionResponse : FirehoseResponse;

/// <summary>StopDeliveryStreamEncryption input.</summary>
public sealed class StopDeliveryStreamEncryptionRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }
}

/// <summary>StopDeliveryStreamEncryption output.</summary>
public sealed class StopDeliveryStreamEncryptionResponse : FirehoseResponse;

/// <summary>UpdateDestination input: applies only when the version id is current.</summary>
public sealed class UpdateDestinationRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>The version the caller last saw (DescribeDeliveryStream's VersionId).</summary>
    public string? CurrentDeliveryStreamVersionId { get; set; }

    /// <summary>The destination, <c>destinationId-000000000001</c>.</summary>
    public string? DestinationId { get; set; }

    /// <summary>Changes to an S3 destination.</summary>
    public S3DestinationUpdate? S3DestinationUpdate { get; set; }

    /// <summary>Changes to an extended S3 destination.</summary>
    public ExtendedS3DestinationUpdate? ExtendedS3DestinationUpdate { get; set; }

    /// <summary>Changes to an Elasticsearch destination.</summary>
    public ElasticsearchDestinationUpdate? ElasticsearchDestinationUpdate { get; set; }

    /// <summary>Changes to an OpenSearch destination.</summary>
    public ElasticsearchDestinationUpdate? AmazonopensearchserviceDestinationUpdate { get; set; }
}

/// <summary>UpdateDestination output.</summary>
public sealed class UpdateDestinationResponse : FirehoseResponse;
