using System.Net;
using StreamCore.Kinesis;

namespace StreamCore.EventSources;

/// <summary>
/// An event source mapping as Lambda describes it (<c>Amazon.Lambda.Model.EventSourceMappingConfiguration</c>), the
/// members of the Get, Create, Update and Delete responses and of a List item. A mapping echoes every default
/// (BatchSize 100, MaximumBatchingWindowInSeconds 0, ParallelizationFactor 1, MaximumRecordAgeInSeconds -1,
/// MaximumRetryAttempts -1, BisectBatchOnFunctionError false, TumblingWindowInSeconds 0, FunctionResponseTypes []).
/// </summary>
public abstract class EventSourceMappingDescription
{
    /// <summary>The mapping's identifier (a UUID).</summary>
    public string? UUID { get; set; }

    /// <summary>The mapping's ARN, <c>arn:aws:lambda:{region}:{account}:event-source-mapping:{uuid}</c>.</summary>
    public string? EventSourceMappingArn { get; set; }

    /// <summary>Where a shard without a checkpoint starts.</summary>
    public EventSourcePosition? StartingPosition { get; set; }

    /// <summary>With AT_TIMESTAMP, the time to start at (UTC).</summary>
    public DateTime? StartingPositionTimestamp { get; set; }

    /// <summary>Most records per batch (1-10,000).</summary>
    public int? BatchSize { get; set; }

    /// <summary>Longest time to gather records before invoking, in seconds (0-300).</summary>
    public int? MaximumBatchingWindowInSeconds { get; set; }

    /// <summary>Batches per shard processed at once (1-10).</summary>
    public int? ParallelizationFactor { get; set; }

    /// <summary>The stream's or stream consumer's ARN.</summary>
    public string? EventSourceArn { get; set; }

    /// <summary>The filters records must match to be delivered.</summary>
    public FilterCriteria? FilterCriteria { get; set; }

    /// <summary>The function's ARN.</summary>
    public string? FunctionArn { get; set; }

    /// <summary>When the mapping was last changed, or its state changed (UTC).</summary>
    public DateTime? LastModified { get; set; }

    /// <summary>The result of the last invocation: <c>No records processed</c>, <c>OK</c>, or <c>PROBLEM: …</c>.</summary>
    public string? LastProcessingResult { get; set; }

    /// <summary>Creating, Enabling, Enabled, Disabling, Disabled, Updating or Deleting.</summary>
    public string? State { get; set; }

    /// <summary>Who made the last change: <c>User action</c>, or what the service did and why.</summary>
    public string? StateTransitionReason { get; set; }

    /// <summary>Where records of discarded batches go.</summary>
    public DestinationConfig? DestinationConfig { get; set; }

    /// <summary>Records older than this are discarded, in seconds: -1 (never) or 60-604,800.</summary>
    public int? MaximumRecordAgeInSeconds { get; set; }

    /// <summary>Whether a failed batch is split in two and retried.</summary>
    public bool? BisectBatchOnFunctionError { get; set; }

    /// <summary>Retries of a failed batch before it is discarded: -1 (until the records expire) to 10,000.</summary>
    public int? MaximumRetryAttempts { get; set; }

    /// <summary>The tumbling window's length in seconds (0-900; 0 is off).</summary>
    public int? TumblingWindowInSeconds { get; set; }

    /// <summary>Empty, or <c>ReportBatchItemFailures</c>.</summary>
    public List<string>? FunctionResponseTypes { get; set; }

    /// <summary>The KMS key that encrypts the filter criteria.</summary>
    public string? KMSKeyArn { get; set; }

    /// <summary>An error with the filter criteria, when there is one.</summary>
    public FilterCriteriaError? FilterCriteriaError { get; set; }

    /// <summary>Which metrics the mapping emits.</summary>
    public EventSourceMappingMetricsConfig? MetricsConfig { get; set; }
}

/// <summary>A mapping, as listed and described (<c>Amazon.Lambda.Model.EventSourceMappingConfiguration</c>).</summary>
public sealed class EventSourceMappingConfiguration : EventSourceMappingDescription
{
}

/// <summary>Where a shard without a checkpoint starts: TRIM_HORIZON, LATEST or AT_TIMESTAMP.</summary>
public sealed class EventSourcePosition : ConstantClass
{
    /// <summary>At the oldest record the stream retains.</summary>
    public static readonly EventSourcePosition TRIM_HORIZON = new("TRIM_HORIZON");

    /// <summary>After the newest record: only records written from now on.</summary>
    public static readonly EventSourcePosition LATEST = new("LATEST");

    /// <summary>At the first record that arrived at or after <c>StartingPositionTimestamp</c>.</summary>
    public static readonly EventSourcePosition AT_TIMESTAMP = new("AT_TIMESTAMP");

    /// <summary>Creates a constant (use the static members).</summary>
    /// <param name="value">The wire value.</param>
    public EventSourcePosition(string value)
        : base(value)
    {
    }

    /// <summary>Converts a wire value.</summary>
    public static implicit operator EventSourcePosition?(string? value) => value is null ? null : new(value);
}

/// <summary>What a function's response may report: <c>ReportBatchItemFailures</c>.</summary>
public sealed class FunctionResponseType : ConstantClass
{
    /// <summary>The function reports the records that failed (<c>batchItemFailures</c>); the rest succeeded.</summary>
    public static readonly FunctionResponseType ReportBatchItemFailures = new("ReportBatchItemFailures");

    /// <summary>Creates a constant (use the static members).</summary>
    /// <param name="value">The wire value.</param>
    public FunctionResponseType(string value)
        : base(value)
    {
    }

    /// <summary>Converts a wire value.</summary>
    public static implicit operator FunctionResponseType?(string? value) => value is null ? null : new(value);
}

/// <summary>Where records of discarded batches go.</summary>
public sealed class DestinationConfig
{
    /// <summary>Where a record of each discarded batch goes: an SQS queue or S3 bucket ARN.</summary>
    public OnFailure? OnFailure { get; set; }

    /// <summary>Not supported for streams (Lambda refuses it for a Kinesis mapping).</summary>
    public OnSuccess? OnSuccess { get; set; }
}

/// <summary>The destination of records of discarded batches.</summary>
public sealed class OnFailure
{
    /// <summary>An SQS queue ARN (<c>arn:aws:sqs:region:account:queue</c>) or an S3 bucket ARN (<c>arn:aws:s3:::bucket</c>).</summary>
    public string? Destination { get; set; }
}

/// <summary>The destination of records of successful invocations (not supported for streams).</summary>
public sealed class OnSuccess
{
    /// <summary>The destination's ARN.</summary>
    public string? Destination { get; set; }
}

/// <summary>The filters records must match to be delivered: a record is delivered when it matches any of them.</summary>
public sealed class FilterCriteria
{
    /// <summary>Up to five filters.</summary>
    public List<Filter>? Filters { get; set; }
}

/// <summary>One filter: an EventBridge-style pattern.</summary>
public sealed class Filter
{
    /// <summary>The pattern as JSON text, for example <c>{"data":{"eventType":["ORDER_PLACED"]}}</c> (at most 4,096 characters).</summary>
    public string? Pattern { get; set; }
}

/// <summary>An error with a mapping's filter criteria.</summary>
public sealed class FilterCriteriaError
{
    /// <summary>The error's name.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>What was wrong.</summary>
    public string? Message { get; set; }
}

/// <summary>Which metrics a mapping emits.</summary>
public sealed class EventSourceMappingMetricsConfig
{
    /// <summary>EventCount, ErrorCount (KafkaMetrics applies to Kafka only).</summary>
    public List<string>? Metrics { get; set; }
}

/// <summary>CreateEventSourceMapping input.</summary>
public sealed class CreateEventSourceMappingRequest
{
    /// <summary>The function: its name, partial ARN or ARN. Required.</summary>
    public string? FunctionName { get; set; }

    /// <summary>The stream's ARN, or an enhanced fan-out consumer's ARN. Required for Kinesis.</summary>
    public string? EventSourceArn { get; set; }

    /// <summary>Whether the mapping polls (default true).</summary>
    public bool? Enabled { get; set; }

    /// <summary>Most records per batch, 1-10,000 (default 100).</summary>
    public int? BatchSize { get; set; }

    /// <summary>Longest time to gather records before invoking, 0-300 seconds (default 0).</summary>
    public int? MaximumBatchingWindowInSeconds { get; set; }

    /// <summary>Batches per shard processed at once, 1-10 (default 1).</summary>
    public int? ParallelizationFactor { get; set; }

    /// <summary>Where a shard without a checkpoint starts. Required for Kinesis.</summary>
    public EventSourcePosition? StartingPosition { get; set; }

    /// <summary>With AT_TIMESTAMP, the time to start at.</summary>
    public DateTime? StartingPositionTimestamp { get; set; }

    /// <summary>Where records of discarded batches go.</summary>
    public DestinationConfig? DestinationConfig { get; set; }

    /// <summary>Records older than this are discarded: -1 (default, never) or 60-604,800 seconds.</summary>
    public int? MaximumRecordAgeInSeconds { get; set; }

    /// <summary>Whether a failed batch is split in two and retried (default false).</summary>
    public bool? BisectBatchOnFunctionError { get; set; }

    /// <summary>Retries before a failed batch is discarded: -1 (default, until the records expire) to 10,000.</summary>
    public int? MaximumRetryAttempts { get; set; }

    /// <summary>The tumbling window in seconds, 0-900 (default 0, off).</summary>
    public int? TumblingWindowInSeconds { get; set; }

    /// <summary>Empty, or <c>ReportBatchItemFailures</c>.</summary>
    public List<string>? FunctionResponseTypes { get; set; }

    /// <summary>Up to five filters.</summary>
    public FilterCriteria? FilterCriteria { get; set; }

    /// <summary>The KMS key that encrypts the filter criteria.</summary>
    public string? KMSKeyArn { get; set; }

    /// <summary>Which metrics the mapping emits.</summary>
    public EventSourceMappingMetricsConfig? MetricsConfig { get; set; }

    /// <summary>Tags of the mapping.</summary>
    public Dictionary<string, string>? Tags { get; set; }
}

/// <summary>CreateEventSourceMapping output: the new mapping, in state Creating (HTTP 202).</summary>
public sealed class CreateEventSourceMappingResponse : EventSourceMappingDescription
{
    /// <summary>202 Accepted, as Lambda answers.</summary>
    public HttpStatusCode HttpStatusCode { get; set; } = HttpStatusCode.Accepted;
}

/// <summary>GetEventSourceMapping input.</summary>
public sealed class GetEventSourceMappingRequest
{
    /// <summary>The mapping's identifier. Required.</summary>
    public string? UUID { get; set; }
}

/// <summary>GetEventSourceMapping output (HTTP 200).</summary>
public sealed class GetEventSourceMappingResponse : EventSourceMappingDescription
{
    /// <summary>200 OK.</summary>
    public HttpStatusCode HttpStatusCode { get; set; } = HttpStatusCode.OK;
}

/// <summary>UpdateEventSourceMapping input: the members given change; the rest stay.</summary>
public sealed class UpdateEventSourceMappingRequest
{
    /// <summary>The mapping's identifier. Required.</summary>
    public string? UUID { get; set; }

    /// <summary>Another function to invoke.</summary>
    public string? FunctionName { get; set; }

    /// <summary>False pauses polling (the checkpoint is kept); true resumes it.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Most records per batch, 1-10,000.</summary>
    public int? BatchSize { get; set; }

    /// <summary>Longest time to gather records before invoking, 0-300 seconds.</summary>
    public int? MaximumBatchingWindowInSeconds { get; set; }

    /// <summary>Batches per shard processed at once, 1-10.</summary>
    public int? ParallelizationFactor { get; set; }

    /// <summary>Where records of discarded batches go (an empty Destination removes it).</summary>
    public DestinationConfig? DestinationConfig { get; set; }

    /// <summary>-1 or 60-604,800 seconds.</summary>
    public int? MaximumRecordAgeInSeconds { get; set; }

    /// <summary>Whether a failed batch is split in two and retried.</summary>
    public bool? BisectBatchOnFunctionError { get; set; }

    /// <summary>-1 to 10,000.</summary>
    public int? MaximumRetryAttempts { get; set; }

    /// <summary>0-900 seconds.</summary>
    public int? TumblingWindowInSeconds { get; set; }

    /// <summary>Empty, or <c>ReportBatchItemFailures</c>.</summary>
    public List<string>? FunctionResponseTypes { get; set; }

    /// <summary>Up to five filters (an empty list removes them).</summary>
    public FilterCriteria? FilterCriteria { get; set; }

    /// <summary>The KMS key that encrypts the filter criteria.</summary>
    public string? KMSKeyArn { get; set; }

    /// <summary>Which metrics the mapping emits.</summary>
    public EventSourceMappingMetricsConfig? MetricsConfig { get; set; }
}

/// <summary>UpdateEventSourceMapping output: the mapping with its new settings, in state Updating, Enabling or Disabling (HTTP 202).</summary>
public sealed class UpdateEventSourceMappingResponse : EventSourceMappingDescription
{
    /// <summary>202 Accepted, as Lambda answers.</summary>
    public HttpStatusCode HttpStatusCode { get; set; } = HttpStatusCode.Accepted;
}

/// <summary>DeleteEventSourceMapping input.</summary>
public sealed class DeleteEventSourceMappingRequest
{
    /// <summary>The mapping's identifier. Required.</summary>
    public string? UUID { get; set; }
}

/// <summary>DeleteEventSourceMapping output: the mapping, in state Deleting (HTTP 202).</summary>
public sealed class DeleteEventSourceMappingResponse : EventSourceMappingDescription
{
    /// <summary>202 Accepted, as Lambda answers.</summary>
    public HttpStatusCode HttpStatusCode { get; set; } = HttpStatusCode.Accepted;
}

/// <summary>ListEventSourceMappings input: every member optional.</summary>
public sealed class ListEventSourceMappingsRequest
{
    /// <summary>Only mappings of this stream or consumer ARN.</summary>
    public string? EventSourceArn { get; set; }

    /// <summary>Only mappings of this function (name, partial ARN or ARN).</summary>
    public string? FunctionName { get; set; }

    /// <summary>The <c>NextMarker</c> of the previous page.</summary>
    public string? Marker { get; set; }

    /// <summary>Mappings per page, 1-10,000 (default 100).</summary>
    public int? MaxItems { get; set; }
}

/// <summary>ListEventSourceMappings output (HTTP 200).</summary>
public sealed class ListEventSourceMappingsResponse
{
    /// <summary>A page of mappings, in the order they were created.</summary>
    public List<EventSourceMappingConfiguration>? EventSourceMappings { get; set; }

    /// <summary>Pass as <c>Marker</c> for the next page; null on the last.</summary>
    public string? NextMarker { get; set; }

    /// <summary>200 OK.</summary>
    public HttpStatusCode HttpStatusCode { get; set; } = HttpStatusCode.OK;
}
