using StreamCore.Storage;

namespace StreamCore.Engine;

/// <summary>One shard of a stream: its identity, hash key range, lineage and record log.</summary>
internal sealed class ShardState
{
    public ShardState(ShardId id, HashKeyRange range, long creationSeconds, long createdAtMs, ShardLog log, ShardId? parent = null, ShardId? adjacentParent = null)
    {
        CreatedAtMs = createdAtMs;
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

    /// <summary>
    /// The creation second encoded in the shard's sequence numbers. For children it is one second after the
    /// latest parent's, so every child sequence number sorts after every parent sequence number.
    /// </summary>
    public long CreationSeconds { get; }

    /// <summary>When the shard was created, by the engine's clock.</summary>
    public long CreatedAtMs { get; }

    /// <summary>When the shard was closed by a reshard; null while open.</summary>
    public long? ClosedAtMs { get; private set; }

    public ShardLog Log { get; }

    public ShardId? ParentShardId { get; }

    public ShardId? AdjacentParentShardId { get; }

    public SequenceNumber StartingSequenceNumber { get; }

    /// <summary>Set when the shard is closed by a reshard; null while open.</summary>
    public SequenceNumber? EndingSequenceNumber { get; private set; }

    public bool IsOpen => EndingSequenceNumber is null;

    /// <summary>The shards split or merged from this one (empty while open); set with the close.</summary>
    public ShardState[] Children { get; private set; } = [];

    /// <summary>
    /// Closes the shard: no write lands on it afterwards. Its records stay readable; a reader at its end is told
    /// about <paramref name="children"/>.
    /// </summary>
    public void Close(long nowMs, ShardState[] children)
    {
        Children = children;
        ClosedAtMs = nowMs;
        EndingSequenceNumber = new SequenceNumber(CreationSeconds, Id.Index, SequenceNumber.ClosingSequenceIndex, nowMs / 1000);
        Log.Close();
    }

    // On-demand metering, under the engine's control lock: counters at the last sample and the rates since.
    public long SampledRecords { get; set; }

    public long SampledBytes { get; set; }

    public double BytesPerSecond { get; set; }

    public double RecordsPerSecond { get; set; }

    /// <summary>
    /// A closed shard whose every record is expired: gone from listings and reads. It takes the stream's record cutoff
    /// (<see cref="StreamEngine.ExpiryCutoff"/>), so a shard that aged out stays gone when retention is increased later,
    /// as its records do.
    /// </summary>
    public bool IsExpired(long expiryCutoffMs) => ClosedAtMs is { } closed && closed <= expiryCutoffMs;

    /// <summary>The sequence number of the record at log index <paramref name="index"/>.</summary>
    public SequenceNumber SequenceNumberAt(long index, long arrivalMs) =>
        new(CreationSeconds, Id.Index, index + 1, arrivalMs / 1000);

    /// <summary>
    /// How far a reader at <paramref name="nextIndex"/> is behind the tip: 0 when caught up, else the age of the
    /// oldest record it has not read. Call within a pinned read.
    /// </summary>
    public long MillisBehindLatest(long nextIndex, long nowMs)
    {
        if (nextIndex >= Log.EndIndex)
        {
            return 0;
        }

        return Log.ArrivalOf(Math.Max(nextIndex, Log.FirstRetainedIndex)) is { } arrival ? Math.Max(0, nowMs - arrival) : 0;
    }

    /// <summary>Log index of the record a sequence number names (the shard's starting number names index 0).</summary>
    public static long IndexOf(SequenceNumber sequenceNumber) => Math.Max(0, sequenceNumber.SequenceIndex - 1);
}
