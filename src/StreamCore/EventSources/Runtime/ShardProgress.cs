namespace StreamCore.EventSources;

/// <summary>
/// A mapping's progress in one shard, kept across pauses and updates (in memory): the checkpoint (the highest sequence
/// number below which every record is processed), whether the shard is finished (read to its end and processed), and
/// where to resume.
/// </summary>
internal sealed class ShardProgress
{
    private readonly Lock _lock = new();
    private SequenceNumber? _checkpoint;
    private SequenceNumber? _firstUnfinished;

    /// <summary>True for the shards of the mapping's first listing: they start at the mapping's StartingPosition; later shards (children) at TRIM_HORIZON.</summary>
    public bool UseMappingPosition { get; init; }

    public bool Finished { get; set; }

    /// <summary>With tumbling windows, the shard's open window and its state (null: none open).</summary>
    public TumblingWindow? Window { get; set; }

    /// <summary>
    /// A reader opened at LATEST or AT_TIMESTAMP that has read nothing yet, kept across a pause so the position it fixed
    /// is not lost (no sequence number names it yet).
    /// </summary>
    public Connectors.SourceShardReader? Parked { get; set; }

    public SequenceNumber? Checkpoint
    {
        get
        {
            lock (_lock)
            {
                return _checkpoint;
            }
        }
    }

    /// <summary>Records that every record up to <paramref name="checkpoint"/> is processed; <paramref name="firstUnfinished"/> is the next one read and not yet processed.</summary>
    public void Advance(SequenceNumber? checkpoint, SequenceNumber? firstUnfinished)
    {
        lock (_lock)
        {
            if (checkpoint is { } cp)
            {
                _checkpoint = cp;
            }

            _firstUnfinished = firstUnfinished;
        }
    }

    /// <summary>Where a new reader starts: at the first record read and not processed, after the checkpoint, or null (the starting position).</summary>
    public ShardPosition? ResumePosition()
    {
        lock (_lock)
        {
            return _firstUnfinished is { } first ? ShardPosition.AtSequenceNumber(first)
                : _checkpoint is { } cp ? ShardPosition.AfterSequenceNumber(cp)
                : null;
        }
    }
}
