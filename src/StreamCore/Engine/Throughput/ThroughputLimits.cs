using StreamCore.Engine;

namespace StreamCore;

/// <summary>
/// Kinesis's throughput limits, enforced by the Kinesis-shaped client when set on
/// <see cref="StreamEngineOptions.Throughput"/> (off by default: an event bus wants speed). Every rate is a token
/// bucket holding one second's worth, refilled continuously on the engine's clock, so on a fake clock the 1,000th
/// record of a second passes and the 1,001st fails. Violations raise
/// <see cref="StreamCore.Errors.ProvisionedThroughputExceededException"/> (data plane) or <see cref="StreamCore.Errors.LimitExceededException"/> (control
/// plane) with Kinesis's texts; PutRecords reports them per record and stores the rest.
/// </summary>
public sealed class ThroughputLimits
{
    /// <summary>Bytes (data plus partition key) written per shard per second. Default 1 MiB.</summary>
    public long ShardWriteBytesPerSecond { get; set; } = 1024 * 1024;

    /// <summary>Records written per shard per second. Default 1,000.</summary>
    public int ShardWriteRecordsPerSecond { get; set; } = 1000;

    /// <summary>Bytes returned by GetRecords per shard per second. Default 2 MiB.</summary>
    public long ShardReadBytesPerSecond { get; set; } = 2 * 1024 * 1024;

    /// <summary>GetRecords calls per shard per second. Default 5.</summary>
    public int ShardGetRecordsPerSecond { get; set; } = 5;

    /// <summary>GetShardIterator calls per shard per second. Default 5.</summary>
    public int ShardGetShardIteratorPerSecond { get; set; } = 5;

    /// <summary>After a GetRecords response of 10 MiB, calls on the shard are throttled for this long. Default 5 seconds.</summary>
    public TimeSpan LargeResponsePenalty { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes pushed per consumer per shard per second by SubscribeToShard. Default 2 MiB.</summary>
    public long SubscriptionBytesPerSecond { get; set; } = 2 * 1024 * 1024;

    /// <summary>Whether control-plane operations are held to Kinesis's calls-per-second limits. Default true.</summary>
    public bool EnforceControlPlaneRates { get; set; } = true;

    internal ThroughputLimits Clone() => (ThroughputLimits)MemberwiseClone();

    /// <summary>The first broken rule, its option named under <paramref name="prefix"/>, or null.</summary>
    internal ArgumentException? FindError(string prefix) =>
        OptionRules.AtLeast(prefix + nameof(ShardWriteBytesPerSecond), ShardWriteBytesPerSecond, 1L)
        ?? OptionRules.AtLeast(prefix + nameof(ShardWriteRecordsPerSecond), ShardWriteRecordsPerSecond, 1)
        ?? OptionRules.AtLeast(prefix + nameof(ShardReadBytesPerSecond), ShardReadBytesPerSecond, 1L)
        ?? OptionRules.AtLeast(prefix + nameof(ShardGetRecordsPerSecond), ShardGetRecordsPerSecond, 1)
        ?? OptionRules.AtLeast(prefix + nameof(ShardGetShardIteratorPerSecond), ShardGetShardIteratorPerSecond, 1)
        ?? OptionRules.AtLeast(prefix + nameof(LargeResponsePenalty), LargeResponsePenalty, TimeSpan.Zero)
        ?? OptionRules.AtLeast(prefix + nameof(SubscriptionBytesPerSecond), SubscriptionBytesPerSecond, 1L);
}
