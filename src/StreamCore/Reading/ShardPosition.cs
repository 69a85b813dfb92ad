namespace StreamCore;

/// <summary>Where a read starts in a shard: Kinesis's five shard iterator types.</summary>
public enum ShardPositionKind
{
    /// <summary>At the record with the given sequence number (inclusive).</summary>
    AtSequenceNumber = 0,

    /// <summary>Just after the record with the given sequence number.</summary>
    AfterSequenceNumber = 1,

    /// <summary>At the oldest record still retained.</summary>
    TrimHorizon = 2,

    /// <summary>Just after the newest record when the position is resolved: only later records are read.</summary>
    Latest = 3,

    /// <summary>At the first record that arrived at or after the given time.</summary>
    AtTimestamp = 4,
}

/// <summary>A starting position in a shard. Create one with the static members.</summary>
public readonly record struct ShardPosition
{
    private ShardPosition(ShardPositionKind kind, SequenceNumber sequenceNumber, DateTimeOffset timestamp)
    {
        Kind = kind;
        SequenceNumber = sequenceNumber;
        Timestamp = timestamp;
    }

    /// <summary>The kind of position.</summary>
    public ShardPositionKind Kind { get; }

    /// <summary>The sequence number for <see cref="ShardPositionKind.AtSequenceNumber"/> and <see cref="ShardPositionKind.AfterSequenceNumber"/>.</summary>
    public SequenceNumber SequenceNumber { get; }

    /// <summary>The time for <see cref="ShardPositionKind.AtTimestamp"/>.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The oldest retained record.</summary>
    public static ShardPosition TrimHorizon => new(ShardPositionKind.TrimHorizon, default, default);

    /// <summary>After the newest record at the time the position is resolved.</summary>
    public static ShardPosition Latest => new(ShardPositionKind.Latest, default, default);

    /// <summary>At the record with <paramref name="sequenceNumber"/>.</summary>
    /// <param name="sequenceNumber">A sequence number of the shard.</param>
    /// <returns>The position.</returns>
    public static ShardPosition AtSequenceNumber(SequenceNumber sequenceNumber) => new(ShardPositionKind.AtSequenceNumber, sequenceNumber, default);

    /// <summary>After the record with <paramref name="sequenceNumber"/>.</summary>
    /// <param name="sequenceNumber">A sequence number of the shard.</param>
    /// <returns>The position.</returns>
    public static ShardPosition AfterSequenceNumber(SequenceNumber sequenceNumber) => new(ShardPositionKind.AfterSequenceNumber, sequenceNumber, default);

    /// <summary>At the first record that arrived at or after <paramref name="timestamp"/>.</summary>
    /// <param name="timestamp">An instant not in the future.</param>
    /// <returns>The position.</returns>
    public static ShardPosition AtTimestamp(DateTimeOffset timestamp) => new(ShardPositionKind.AtTimestamp, default, timestamp);
}
