namespace StreamCore.Kinesis;

/// <summary>How UpdateShardCount scales: UNIFORM_SCALING.</summary>
public sealed class ScalingType : ConstantClass
{
    /// <summary>Shards of equal width.</summary>
    public static readonly ScalingType UNIFORM_SCALING = new("UNIFORM_SCALING");

    /// <summary>Creates a constant (use the static members).</summary>
    /// <param name="value">The wire value.</param>
    public ScalingType(string value)
        : base(value)
    {
    }

    /// <summary>Converts a wire value.</summary>
    public static implicit operator ScalingType?(string? value) => value is null ? null : new(value);
}

/// <summary>SplitShard input.</summary>
public sealed class SplitShardRequest : StreamAddressedRequest
{
    /// <summary>The open shard to split.</summary>
    public string? ShardToSplit { get; set; }

    /// <summary>The first hash key of the upper child; each child keeps at least two hash keys.</summary>
    public string? NewStartingHashKey { get; set; }
}

/// <summary>SplitShard output (empty).</summary>
public sealed class SplitShardResponse : KinesisResponse
{
}

/// <summary>MergeShards input.</summary>
public sealed class MergeShardsRequest : StreamAddressedRequest
{
    /// <summary>The lower of two adjacent open shards.</summary>
    public string? ShardToMerge { get; set; }

    /// <summary>The shard whose range starts right after <see cref="ShardToMerge"/>'s.</summary>
    public string? AdjacentShardToMerge { get; set; }
}

/// <summary>MergeShards output (empty).</summary>
public sealed class MergeShardsResponse : KinesisResponse
{
}

/// <summary>UpdateShardCount input.</summary>
public sealed class UpdateShardCountRequest : StreamAddressedRequest
{
    /// <summary>The open shard count wanted: at most double, at least half the current one.</summary>
    public int? TargetShardCount { get; set; }

    /// <summary>UNIFORM_SCALING.</summary>
    public ScalingType? ScalingType { get; set; }
}

/// <summary>UpdateShardCount output.</summary>
public sealed class UpdateShardCountResponse : KinesisResponse
{
    /// <summary>The stream's name.</summary>
    public string? StreamName { get; set; }

    /// <summary>Open shards before the update.</summary>
    public int? CurrentShardCount { get; set; }

    /// <summary>Open shards after the update.</summary>
    public int? TargetShardCount { get; set; }

    /// <summary>The stream's ARN.</summary>
    public string? StreamARN { get; set; }
}

/// <summary>UpdateStreamMode input.</summary>
public sealed class UpdateStreamModeRequest : KinesisRequest
{
    /// <summary>The stream's ARN.</summary>
    public string? StreamARN { get; set; }

    /// <summary>The capacity mode wanted.</summary>
    public StreamModeDetails? StreamModeDetails { get; set; }
}

/// <summary>UpdateStreamMode output (empty).</summary>
public sealed class UpdateStreamModeResponse : KinesisResponse
{
}
