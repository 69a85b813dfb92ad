namespace StreamCore.Kinesis;

/// <summary>An enhanced fan-out consumer's status: CREATING, DELETING, ACTIVE.</summary>
public sealed class ConsumerStatus : ConstantClass
{
    /// <summary>Being registered.</summary>
    public static readonly ConsumerStatus CREATING = new("CREATING");

    /// <summary>Being deregistered.</summary>
    public static readonly ConsumerStatus DELETING = new("DELETING");

    /// <summary>Ready to subscribe.</summary>
    public static readonly ConsumerStatus ACTIVE = new("ACTIVE");

    /// <summary>Creates a constant (use the static members).</summary>
    /// <param name="value">The wire value.</param>
    public ConsumerStatus(string value)
        : base(value)
    {
    }

    /// <summary>Converts a wire value.</summary>
    public static implicit operator ConsumerStatus?(string? value) => value is null ? null : new(value);
}

/// <summary>An enhanced fan-out consumer.</summary>
public sealed class Consumer
{
    /// <summary>The consumer's name, unique in its stream.</summary>
    public string? ConsumerName { get; set; }

    /// <summary><c>&lt;streamARN&gt;/consumer/&lt;name&gt;:&lt;creation epoch seconds&gt;</c>.</summary>
    public string? ConsumerARN { get; set; }

    /// <summary>The status.</summary>
    public ConsumerStatus? ConsumerStatus { get; set; }

    /// <summary>When the consumer was registered (UTC).</summary>
    public DateTime? ConsumerCreationTimestamp { get; set; }
}

/// <summary>An enhanced fan-out consumer with its stream.</summary>
public sealed class ConsumerDescription
{
    /// <summary>The consumer's name.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>The consumer's ARN.</summary>
    public string? ConsumerARN { get; set; }

    /// <summary>The status.</summary>
    public ConsumerStatus? ConsumerStatus { get; set; }

    /// <summary>When the consumer was registered (UTC).</summary>
    public DateTime? ConsumerCreationTimestamp { get; set; }

    /// <summary>The stream's ARN.</summary>
    public string? StreamARN { get; set; }
}

/// <summary>RegisterStreamConsumer input.</summary>
public sealed class RegisterStreamConsumerRequest : KinesisRequest
{
    /// <summary>The stream's ARN.</summary>
    public string? StreamARN { get; set; }

    /// <summary>A name unique in the stream, 1-128 characters of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public string? ConsumerName { get; set; }
}

/// <summary>RegisterStreamConsumer output.</summary>
public sealed class RegisterStreamConsumerResponse : KinesisResponse
{
    /// <summary>The consumer (CREATING, or ACTIVE with no status delay).</summary>
    public Consumer? Consumer { get; set; }
}

/// <summary>DeregisterStreamConsumer input: the consumer's ARN, or the stream's ARN and the consumer's name.</summary>
public sealed class DeregisterStreamConsumerRequest : KinesisRequest
{
    /// <summary>The stream's ARN (with ConsumerName).</summary>
    public string? StreamARN { get; set; }

    /// <summary>The consumer's name (with StreamARN).</summary>
    public string? ConsumerName { get; set; }

    /// <summary>The consumer's ARN.</summary>
    public string? ConsumerARN { get; set; }
}

/// <summary>DeregisterStreamConsumer output (empty).</summary>
public sealed class DeregisterStreamConsumerResponse : KinesisResponse
{
}

/// <summary>DescribeStreamConsumer input: the consumer's ARN, or the stream's ARN and the consumer's name.</summary>
public sealed class DescribeStreamConsumerRequest : KinesisRequest
{
    /// <summary>The stream's ARN (with ConsumerName).</summary>
    public string? StreamARN { get; set; }

    /// <summary>The consumer's name (with StreamARN).</summary>
    public string? ConsumerName { get; set; }

    /// <summary>The consumer's ARN.</summary>
    public string? ConsumerARN { get; set; }
}

/// <summary>DescribeStreamConsumer output.</summary>
public sealed class DescribeStreamConsumerResponse : KinesisResponse
{
    /// <summary>The consumer.</summary>
    public ConsumerDescription? ConsumerDescription { get; set; }
}

/// <summary>ListStreamConsumers input.</summary>
public sealed class ListStreamConsumersRequest : KinesisRequest
{
    /// <summary>The stream's ARN.</summary>
    public string? StreamARN { get; set; }

    /// <summary>The token of the previous page.</summary>
    public string? NextToken { get; set; }

    /// <summary>Consumers per page, 1-10000 (more than 100 counts as 100).</summary>
    public int? MaxResults { get; set; }

    /// <summary>Tells streams of the same name apart.</summary>
    public DateTime? StreamCreationTimestamp { get; set; }
}

/// <summary>ListStreamConsumers output.</summary>
public sealed class ListStreamConsumersResponse : KinesisResponse
{
    /// <summary>A page of consumers.</summary>
    public List<Consumer> Consumers { get; set; } = [];

    /// <summary>The token of the next page; valid 300 seconds.</summary>
    public string? NextToken { get; set; }
}

/// <summary>Where a subscription starts.</summary>
public sealed class StartingPosition
{
    /// <summary>One of the five shard iterator types.</summary>
    public ShardIteratorType? Type { get; set; }

    /// <summary>For AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER.</summary>
    public string? SequenceNumber { get; set; }

    /// <summary>For AT_TIMESTAMP.</summary>
    public DateTime? Timestamp { get; set; }
}

/// <summary>SubscribeToShard input.</summary>
public sealed class SubscribeToShardRequest : KinesisRequest
{
    /// <summary>The consumer's ARN.</summary>
    public string? ConsumerARN { get; set; }

    /// <summary>The shard to receive.</summary>
    public string? ShardId { get; set; }

    /// <summary>Where to start.</summary>
    public StartingPosition? StartingPosition { get; set; }
}

/// <summary>One event of a subscription.</summary>
public sealed class SubscribeToShardEvent
{
    /// <summary>The records pushed with this event (empty on an idle heartbeat).</summary>
    public List<Record> Records { get; set; } = [];

    /// <summary>Where to resume (with AFTER_SEQUENCE_NUMBER): the last record delivered, even when no record was.</summary>
    public string? ContinuationSequenceNumber { get; set; }

    /// <summary>How far behind the tip of the shard this event is.</summary>
    public long? MillisBehindLatest { get; set; }

    /// <summary>At the end of a closed shard: its children; the subscription then completes.</summary>
    public List<ChildShard> ChildShards { get; set; } = [];
}

/// <summary>SubscribeToShard output: the event stream.</summary>
public sealed class SubscribeToShardResponse : KinesisResponse
{
    /// <summary>
    /// The events, pushed as records are appended. Enumerate once. It completes after the subscription's lifetime
    /// (five minutes) or at the end of a closed shard, and fails with <see cref="StreamCore.Errors.ResourceInUseException"/> when a
    /// newer subscription of the same consumer and shard takes over.
    /// </summary>
    public IAsyncEnumerable<SubscribeToShardEvent>? EventStream { get; set; }
}
