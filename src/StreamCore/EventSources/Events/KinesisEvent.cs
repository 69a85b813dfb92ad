using System.Text.Json.Serialization;

namespace StreamCore.EventSources;

/// <summary>
/// The event a Kinesis event source mapping delivers, as <c>Amazon.Lambda.KinesisEvents.KinesisEvent</c> has it (same
/// type, member and JSON names), so a handler written for Lambda ports by changing a <c>using</c>. Its JSON is exactly
/// what Lambda sends: <c>{"Records":[{"kinesis":{…},"eventSource":"aws:kinesis",…}]}</c>.
/// </summary>
public class KinesisEvent
{
    /// <summary>The batch's records, from one shard, in sequence order.</summary>
    [JsonPropertyName("Records")]
    public IList<KinesisEventRecord> Records { get; set; } = [];

    /// <summary>One record of the batch with its envelope.</summary>
    public class KinesisEventRecord
    {
        /// <summary>The region of the stream.</summary>
        [JsonPropertyName("awsRegion")]
        public string? AwsRegion { get; set; }

        /// <summary><c>&lt;shardId&gt;:&lt;sequenceNumber&gt;</c>.</summary>
        [JsonPropertyName("eventID")]
        public string? EventId { get; set; }

        /// <summary><c>aws:kinesis:record</c>.</summary>
        [JsonPropertyName("eventName")]
        public string? EventName { get; set; }

        /// <summary><c>aws:kinesis</c>.</summary>
        [JsonPropertyName("eventSource")]
        public string? EventSource { get; set; }

        /// <summary>The ARN of the stream (or of the fan-out consumer) the mapping reads.</summary>
        [JsonPropertyName("eventSourceARN")]
        public string? EventSourceARN { get; set; }

        /// <summary><c>1.0</c>.</summary>
        [JsonPropertyName("eventVersion")]
        public string? EventVersion { get; set; }

        /// <summary>The identity that invokes the function (the mapping's execution role in Lambda).</summary>
        [JsonPropertyName("invokeIdentityArn")]
        public string? InvokeIdentityArn { get; set; }

        /// <summary>The Kinesis record.</summary>
        [JsonPropertyName("kinesis")]
        public Record? Kinesis { get; set; }
    }

    /// <summary>A Kinesis record as the event carries it.</summary>
    public class Record
    {
        /// <summary><c>1.0</c>.</summary>
        [JsonPropertyName("kinesisSchemaVersion")]
        public string? KinesisSchemaVersion { get; set; }

        /// <summary>The record's partition key.</summary>
        [JsonPropertyName("partitionKey")]
        public string? PartitionKey { get; set; }

        /// <summary>The record's sequence number (decimal).</summary>
        [JsonPropertyName("sequenceNumber")]
        public string? SequenceNumber { get; set; }

        /// <summary>The record's data (base64 in the JSON; KPL aggregates are not de-aggregated, as in Lambda).</summary>
        [JsonPropertyName("data")]
        [JsonConverter(typeof(Base64MemoryStreamConverter))]
        public MemoryStream? Data { get; set; }

        /// <summary>When the stream accepted the record (UTC; epoch seconds with a millisecond fraction in the JSON).</summary>
        [JsonPropertyName("approximateArrivalTimestamp")]
        [JsonConverter(typeof(EpochSecondsConverter))]
        public DateTime ApproximateArrivalTimestamp { get; set; }

        /// <summary><c>KMS</c> for a record of an encrypted stream; otherwise not sent.</summary>
        [JsonPropertyName("encryptionType")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? EncryptionType { get; set; }
    }
}

/// <summary>
/// The event of a mapping with tumbling windows (<c>Amazon.Lambda.KinesisEvents.KinesisTimeWindowEvent</c>): the records
/// of one window of one shard, the state the function returned last in this window, and whether this is the window's
/// last invocation.
/// </summary>
public class KinesisTimeWindowEvent : KinesisEvent
{
    /// <summary>The window, <c>[start, end)</c>, aligned to multiples of its length since the epoch.</summary>
    [JsonPropertyName("window")]
    public TimeWindow? Window { get; set; }

    /// <summary>The state the function returned last in this window (empty at the window's start).</summary>
    [JsonPropertyName("state")]
    [JsonConverter(typeof(WindowStateConverter))]
    public Dictionary<string, string>? State { get; set; }

    /// <summary>The shard.</summary>
    [JsonPropertyName("shardId")]
    public string? ShardId { get; set; }

    /// <summary>The stream's (or consumer's) ARN.</summary>
    [JsonPropertyName("eventSourceARN")]
    public string? EventSourceARN { get; set; }

    /// <summary>True for the window's last invocation: the state is dropped once it succeeds.</summary>
    [JsonPropertyName("isFinalInvokeForWindow")]
    public bool? IsFinalInvokeForWindow { get; set; }

    /// <summary>True when the window ended early because its state passed the 1 MB cap (the window's records that follow start a fresh state).</summary>
    [JsonPropertyName("isWindowTerminatedEarly")]
    public bool? IsWindowTerminatedEarly { get; set; }

    /// <summary>A window's bounds.</summary>
    public class TimeWindow
    {
        /// <summary>The window's start (UTC, ISO-8601 in the JSON).</summary>
        [JsonPropertyName("start")]
        public DateTime Start { get; set; }

        /// <summary>The window's end, exclusive.</summary>
        [JsonPropertyName("end")]
        public DateTime End { get; set; }
    }
}

/// <summary>
/// What a function of a mapping with <c>ReportBatchItemFailures</c> returns (<c>Amazon.Lambda.KinesisEvents.StreamsEventResponse</c>):
/// the records that failed; Lambda retries from the lowest of them.
/// </summary>
public class StreamsEventResponse
{
    /// <summary>The failed records; null or empty means all succeeded.</summary>
    [JsonPropertyName("batchItemFailures")]
    public IList<BatchItemFailure>? BatchItemFailures { get; set; }

    /// <summary>One failed record.</summary>
    public class BatchItemFailure
    {
        /// <summary>The record's sequence number.</summary>
        [JsonPropertyName("itemIdentifier")]
        public string? ItemIdentifier { get; set; }
    }
}

/// <summary>
/// What a function of a mapping with tumbling windows returns (<c>Amazon.Lambda.KinesisEvents.KinesisTimeWindowResponse</c>):
/// the window's state (required) and, with <c>ReportBatchItemFailures</c>, the failed records.
/// </summary>
public class KinesisTimeWindowResponse
{
    /// <summary>The state passed to the next invocation of the same window (required: a response without one is a failed invocation).</summary>
    [JsonPropertyName("state")]
    [JsonConverter(typeof(WindowStateConverter))]
    public Dictionary<string, string>? State { get; set; }

    /// <summary>The failed records; null or empty means all succeeded (read only with <c>ReportBatchItemFailures</c>).</summary>
    [JsonPropertyName("batchItemFailures")]
    public IList<BatchItemFailure>? BatchItemFailures { get; set; }

    /// <summary>One failed record.</summary>
    public class BatchItemFailure
    {
        /// <summary>The record's sequence number.</summary>
        [JsonPropertyName("itemIdentifier")]
        public string? ItemIdentifier { get; set; }
    }
}
