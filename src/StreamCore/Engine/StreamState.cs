using StreamCore.Hashing;

namespace StreamCore.Engine;

/// <summary>
/// The state of one stream. Control-plane fields change under the engine's control lock; the data plane reads
/// <see cref="Router"/>, <see cref="Status"/> and the limits lock-free.
/// </summary>
internal sealed class StreamState
{
    private int _status;
    private int _retentionHours = 24;
    private int _maxRecordSizeKiB = 1024;

    public StreamState(string name, string arn, DateTimeOffset createdAt, StreamCapacityMode mode)
    {
        Name = name;
        Arn = arn;
        CreatedAt = createdAt;
        Mode = mode;
    }

    public string Name { get; }

    public string Arn { get; }

    /// <summary>Creation time, as reported to callers.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// Unique within the engine: tells a deleted-and-recreated stream from its predecessor, even when both were
    /// created in the same millisecond (routine on a fake clock). Shard iterators carry it.
    /// </summary>
    public long Incarnation { get; init; }

    public StreamCapacityMode Mode { get; set; }

    public DataStreamStatus Status
    {
        get => (DataStreamStatus)Volatile.Read(ref _status);
        set => Volatile.Write(ref _status, (int)value);
    }

    public int RetentionHours
    {
        get => Volatile.Read(ref _retentionHours);
        set => Volatile.Write(ref _retentionHours, value);
    }

    public long RetentionMs => RetentionHours * 3_600_000L;

    /// <summary>
    /// Records that arrived at or before this instant stay expired even if retention is later increased: an
    /// increase never resurrects data Kinesis had already aged out.
    /// </summary>
    public long ExpiredBeforeMs { get; set; } = long.MinValue;

    public int MaxRecordSizeKiB
    {
        get => Volatile.Read(ref _maxRecordSizeKiB);
        set => Volatile.Write(ref _maxRecordSizeKiB, value);
    }

    /// <summary>"NONE" or "KMS".</summary>
    public string EncryptionType { get; set; } = "NONE";

    public string? KeyId { get; set; }

    /// <summary>Every cipher this stream has encrypted records with; a record of kind 2 + n used cipher n. Replaced whole.</summary>
    public Encryption.RecordCipher[] Ciphers { get; set; } = [];

    /// <summary>The cipher new records are encrypted with, or null when encryption is off.</summary>
    public Encryption.RecordCipher? ActiveCipher { get; set; }

    /// <summary>Tags by key, ordinal order (ListTagsForStream returns them in key order).</summary>
    public SortedDictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> ShardLevelMetrics { get; set; } = [];

    /// <summary>Every shard ever created and not yet expired, by index. Replaced whole, never mutated.</summary>
    public ShardState[] Shards { get; set; } = [];

    /// <summary>Open shards by hash key range. Replaced whole on reshard.</summary>
    public HashKeyRouter<ShardState>? Router { get; set; }

    /// <summary>Enhanced fan-out consumers by name; under the engine's control lock.</summary>
    public Dictionary<string, ConsumerState> Consumers { get; } = new(StringComparer.Ordinal);

    /// <summary>The pending status transition, disposed when the stream is deleted or the engine disposed.</summary>
    public ITimer? TransitionTimer { get; set; }

    public int OpenShardCount => Shards.Count(s => s.IsOpen);

    // On-demand metering, under the engine's control lock.
    public long LastSampleMs { get; set; }

    public double PeakBytesPerSecond { get; set; }

    public double PeakRecordsPerSecond { get; set; }

    /// <summary>Restarts metering (after a capacity-mode switch).</summary>
    public void ResetMetering()
    {
        LastSampleMs = 0;
        PeakBytesPerSecond = 0;
        PeakRecordsPerSecond = 0;
    }

    /// <summary>Scalings (UpdateShardCount) in the rolling 24 hours; under the engine's control lock.</summary>
    public List<long> ScalingTimesMs { get; } = [];

    /// <summary>Capacity-mode switches in the rolling 24 hours; under the engine's control lock.</summary>
    public List<long> ModeSwitchTimesMs { get; } = [];

    /// <summary>The shards a listing shows now: every shard but closed ones whose data has all expired.</summary>
    public IEnumerable<ShardState> LiveShards(long nowMs)
    {
        long cutoff = StreamEngine.ExpiryCutoff(this, nowMs);
        return Shards.Where(s => !s.IsExpired(cutoff));
    }

    /// <summary>Finds a shard that has not expired.</summary>
    public bool TryGetShard(ShardId id, long nowMs, out ShardState shard)
    {
        ShardState[] shards = Shards;
        if (id.Index < shards.Length && shards[id.Index] is { } found && !found.IsExpired(StreamEngine.ExpiryCutoff(this, nowMs)))
        {
            shard = found;
            return true;
        }

        shard = null!;
        return false;
    }
}
