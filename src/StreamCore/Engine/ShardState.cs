using StreamCore.Storage;

namespace StreamCore.Engine;

/// <summary>One shard of a stream: its identity, hash key range, lineage and record log.</summary>
internal sealed class ShardState
{
    public ShardState(ShardId id, HashKeyRange range, long creationSeconds, ShardLog log, ShardId? parent = null, ShardId? adjacentParent = null)
    {
        Id = id;
        IdText = id.ToString();
        Range = range;
        CreationSeconds = creationSeconds;
        Log = log;
        ParentShardId = parent;
        AdjacentParentShardId = adjacentParent;
        StartingSequenceNumber = new SequenceNumber(creationSeconds, id.Index, 0, creationSeconds);
    }

    public ShardId Id { get; }

    /// <summary>The formatted id, cached: responses name the shard on every write.</summary>
    public string IdText { get; }

    public HashKeyRange Range { get; }

    public long CreationSeconds { get; }

    public ShardLog Log { get; }

    public ShardId? ParentShardId { get; }

    public ShardId? AdjacentParentShardId { get; }

    public SequenceNumber StartingSequenceNumber { get; }

    /// <summary>Set when the shard is closed by a reshard; null while open.</summary>
    public SequenceNumber? EndingSequenceNumber { get; set; }

    /// <summary>The sequence number of the record at log index <paramref name="index"/>.</summary>
    public SequenceNumber SequenceNumberAt(long index, long arrivalMs) =>
        new(CreationSeconds, Id.Index, index + 1, arrivalMs / 1000);

    /// <summary>Log index of the record a sequence number names (the shard's starting number names index 0).</summary>
    public static long IndexOf(SequenceNumber sequenceNumber) => Math.Max(0, sequenceNumber.SequenceIndex - 1);
}
