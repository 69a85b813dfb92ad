using System.Net;

namespace StreamCore.Kinesis;

/// <summary>The base of every request.</summary>
public abstract class KinesisRequest
{
}

/// <summary>The base of every response.</summary>
public abstract class KinesisResponse
{
    /// <summary>The HTTP status Kinesis would answer with: always 200 for a response (errors are exceptions).</summary>
    public HttpStatusCode HttpStatusCode { get; set; } = HttpStatusCode.OK;
}

/// <summary>A request that names a stream by name and/or ARN.</summary>
public abstract class StreamAddressedRequest : KinesisRequest
{
    /// <summary>The stream's name (or give <see cref="StreamARN"/>).</summary>
    public string? StreamName { get; set; }

    /// <summary>The stream's ARN (or give <see cref="StreamName"/>).</summary>
    public string? StreamARN { get; set; }
}

/// <summary>An inclusive range of hash keys as decimal strings.</summary>
public sealed class HashKeyRange
{
    /// <summary>The lowest hash key.</summary>
    public string? StartingHashKey { get; set; }

    /// <summary>The highest hash key (inclusive).</summary>
    public string? EndingHashKey { get; set; }
}

/// <summary>The sequence numbers of a shard.</summary>
public sealed class SequenceNumberRange
{
    /// <summary>Below every record of the shard.</summary>
    public string? StartingSequenceNumber { get; set; }

    /// <summary>Set once the shard is closed.</summary>
    public string? EndingSequenceNumber { get; set; }
}

/// <summary>A shard's description.</summary>
public sealed class Shard
{
    /// <summary>The shard's id, for example <c>shardId-000000000000</c>.</summary>
    public string? ShardId { get; set; }

    /// <summary>The shard it was split or merged from.</summary>
    public string? ParentShardId { get; set; }

    /// <summary>The other parent of a merge.</summary>
    public string? AdjacentParentShardId { get; set; }

    /// <summary>The hash keys the shard owns.</summary>
    public HashKeyRange? HashKeyRange { get; set; }

    /// <summary>The shard's sequence numbers.</summary>
    public SequenceNumberRange? SequenceNumberRange { get; set; }
}

/// <summary>A child of a closed shard, reported at the shard's end.</summary>
public sealed class ChildShard
{
    /// <summary>The child's id.</summary>
    public string? ShardId { get; set; }

    /// <summary>Its parents.</summary>
    public List<string> ParentShards { get; set; } = [];

    /// <summary>The hash keys it owns.</summary>
    public HashKeyRange? HashKeyRange { get; set; }
}

/// <summary>A stream's capacity mode.</summary>
public sealed class StreamModeDetails
{
    /// <summary>PROVISIONED or ON_DEMAND.</summary>
    public StreamMode? StreamMode { get; set; }
}

/// <summary>The shard-level metrics enabled on a stream.</summary>
public sealed class EnhancedMetrics
{
    /// <summary>The metric names.</summary>
    public List<string> ShardLevelMetrics { get; set; } = [];
}

/// <summary>A stream tag.</summary>
public sealed class Tag
{
    /// <summary>The tag key.</summary>
    public string? Key { get; set; }

    /// <summary>The tag value.</summary>
    public string? Value { get; set; }
}
