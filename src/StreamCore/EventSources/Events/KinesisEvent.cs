using System.Text;
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
        private string? _eventId;

        // Set for a record a mapping built: the eventID is formatted when first read.
        private string? _shardId;

        /// <summary>The region of the stream.</summary>
        [JsonPropertyName("awsRegion")]
        public string? AwsRegion { get; set; }

        /// <summary><c>&lt;shardId&gt;:&lt;sequenceNumber&gt;</c>.</summary>
        [JsonPropertyName("eventID")]
        public string? EventId
        {
            get => _eventId ?? (_shardId is { } shard && Kinesis?.SequenceNumber is { } sequence ? _eventId = string.Concat(shard, ":", sequence) : null);
            set
            {
                _eventId = value;
                _shardId = null;
            }
        }

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

        /// <summary>Makes <see cref="EventId"/> <c>shardId:sequenceNumber</c>, formatted when first read.</summary>
        internal void SetEventIdShard(string shardId) => _shardId = shardId;
    }

    /// <summary>
    /// A Kinesis record as the event carries it. In a record a mapping built, the partition key, the sequence number
    /// and the data's stream are made when first read (from a copy of the key and data, and the sequence number), so a
    /// handler pays only for what it reads; setting a member replaces it.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The data's MemoryStream wraps an array (nothing to release), as Amazon.Lambda.KinesisEvents' Record holds it.")]
    public class Record
    {
        private string? _partitionKey;
        private string? _sequenceNumber;
        private MemoryStream? _data;

        // The lazily read members of a record a mapping built: its key and data in a copy shared by the batch's records.
        private byte[]? _bytes;
        private int _keyOffset;
        private int _keyLength;
        private int _dataOffset;
        private int _dataLength;
        private global::StreamCore.SequenceNumber _sequence;
        private bool _lazyKey;
        private bool _lazySequence;
        private bool _lazyData;

        /// <summary><c>1.0</c>.</summary>
        [JsonPropertyName("kinesisSchemaVersion")]
        public string? KinesisSchemaVersion { get; set; }

        /// <summary>The record's partition key.</summary>
        [JsonPropertyName("partitionKey")]
        public string? PartitionKey
        {
            get => _partitionKey ?? (_lazyKey ? _partitionKey = Encoding.UTF8.GetString(_bytes!, _keyOffset, _keyLength) : null);
            set
            {
                _partitionKey = value;
                _lazyKey = false;
            }
        }

        /// <summary>The record's sequence number (decimal).</summary>
        [JsonPropertyName("sequenceNumber")]
        public string? SequenceNumber
        {
            get => _sequenceNumber ?? (_lazySequence ? _sequenceNumber = _sequence.ToString() : null);
            set
            {
                _sequenceNumber = value;
                _lazySequence = false;
            }
        }

        /// <summary>The record's data (base64 in the JSON; KPL aggregates are not de-aggregated, as in Lambda).</summary>
        [JsonPropertyName("data")]
        [JsonConverter(typeof(Base64MemoryStreamConverter))]
        public MemoryStream? Data
        {
            get => _data ?? (_lazyData ? _data = new MemoryStream(_bytes!, _dataOffset, _dataLength, writable: false, publiclyVisible: true) : null);
            set
            {
                _data = value;
                _lazyData = false;
            }
        }

        /// <summary>When the stream accepted the record (UTC; epoch seconds with a millisecond fraction in the JSON).</summary>
        [JsonPropertyName("approximateArrivalTimestamp")]
        [JsonConverter(typeof(EpochSecondsConverter))]
        public DateTime ApproximateArrivalTimestamp { get; set; }

        /// <summary><c>KMS</c> for a record of an encrypted stream; otherwise not sent.</summary>
        [JsonPropertyName("encryptionType")]
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? EncryptionType { get; set; }

        /// <summary>Sets the members read when first asked: the key and data at their places in <paramref name="bytes"/>, and the sequence number.</summary>
        internal void SetLazy(byte[] bytes, int keyOffset, int keyLength, int dataOffset, int dataLength, global::StreamCore.SequenceNumber sequence)
        {
            _bytes = bytes;
            _keyOffset = keyOffset;
            _keyLength = keyLength;
            _dataOffset = dataOffset;
            _dataLength = dataLength;
            _sequence = sequence;
            _lazyKey = _lazySequence = _lazyData = true;
        }
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
