using StreamCore.Engine;

namespace StreamCore;

/// <summary>
/// How on-demand streams scale themselves. Every <see cref="SampleInterval"/> the engine measures each open shard's
/// write rate (bytes and records per second, on the engine's clock) and keeps the stream's peak. It keeps enough
/// open shards for <see cref="HeadroomFactor"/> times the peak (at least <see cref="MinimumShards"/>), the way
/// Kinesis on-demand absorbs up to double the previous peak, by splitting the busiest shards at their midpoints; and
/// it splits any single shard running above <see cref="HotShardThreshold"/> of a shard's capacity. It never scales
/// down. Splits keep lineage, so readers that follow the stream lose and reorder nothing.
/// </summary>
public sealed class OnDemandScalingOptions
{
    /// <summary>How often write rates are sampled. Default one second.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The write capacity of one shard in bytes per second (data plus partition key). Default 1 MiB.</summary>
    public long ShardWriteBytesPerSecond { get; set; } = 1024 * 1024;

    /// <summary>The write capacity of one shard in records per second. Default 1,000.</summary>
    public long ShardWriteRecordsPerSecond { get; set; } = 1000;

    /// <summary>Capacity kept relative to the peak write rate. Default 2 (absorb double the previous peak).</summary>
    public double HeadroomFactor { get; set; } = 2.0;

    /// <summary>A shard running above this fraction of its capacity is split. Default 0.9.</summary>
    public double HotShardThreshold { get; set; } = 0.9;

    /// <summary>The fewest open shards an on-demand stream has (a new one starts here). Default 4.</summary>
    public int MinimumShards { get; set; } = 4;

    internal OnDemandScalingOptions Clone() => (OnDemandScalingOptions)MemberwiseClone();

    /// <summary>The first broken rule, its option named under <paramref name="prefix"/>, or null.</summary>
    internal ArgumentException? FindError(string prefix) =>
        OptionRules.Positive(prefix + nameof(SampleInterval), SampleInterval)
        ?? OptionRules.AtLeast(prefix + nameof(ShardWriteBytesPerSecond), ShardWriteBytesPerSecond, 1L)
        ?? OptionRules.AtLeast(prefix + nameof(ShardWriteRecordsPerSecond), ShardWriteRecordsPerSecond, 1L)
        ?? (HeadroomFactor >= 1.0 && double.IsFinite(HeadroomFactor) ? null : OptionRules.OutOfRange(prefix + nameof(HeadroomFactor), HeadroomFactor, "must be a finite number of at least 1"))
        ?? (HotShardThreshold is > 0 and <= 1 ? null : OptionRules.OutOfRange(prefix + nameof(HotShardThreshold), HotShardThreshold, "must be in (0, 1]"))
        ?? OptionRules.AtLeast(prefix + nameof(MinimumShards), MinimumShards, 1);
}
