namespace StreamCore.Analytics;

/// <summary>
/// The state of a windowed aggregation between two events: every live window with a copy of its accumulator, the
/// watermarks (the stream's and each shard's), and where each input resumes (the events consumed from an enumerable,
/// the last sequence number per shard of a stream). Restoring it and replaying the input from there gives the same
/// results as an uninterrupted run, with nothing counted twice. Held in memory; one checkpoint restores any number of times.
/// </summary>
public sealed class WindowCheckpoint
{
    internal WindowCheckpoint(object state, long eventsConsumed, IReadOnlyDictionary<string, string> shardPositions, DateTimeOffset createdAt, string description)
    {
        State = state;
        EventsConsumed = eventsConsumed;
        ShardPositions = shardPositions;
        CreatedAt = createdAt;
        Description = description;
    }

    /// <summary>Events of an enumerable input folded into the state (skipped on restore).</summary>
    public long EventsConsumed { get; }

    /// <summary>For a stream input: shard id to the sequence number of the last record folded into the state.</summary>
    public IReadOnlyDictionary<string, string> ShardPositions { get; }

    /// <summary>When it was taken, by the run's clock.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The windows of the query that took it.</summary>
    public string Description { get; }

    internal object State { get; }

    /// <summary>For a stream input: where reading started (so shards with nothing consumed resume from the same point).</summary>
    internal ShardPosition? StartPosition { get; init; }

    /// <summary>Every partition (shard) the state knows, and whether it was read to its end.</summary>
    internal IReadOnlyList<(string Name, bool Ended)> Partitions { get; init; } = [];
}
