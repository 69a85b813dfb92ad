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

    /// <summary>Creation time; also tells a deleted-and-recreated stream from its predecessor.</summary>
    public DateTimeOffset CreatedAt { get; }

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

    /// <summary>Tags by key, ordinal order (ListTagsForStream returns them in key order).</summary>
    public SortedDictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> ShardLevelMetrics { get; set; } = [];

    /// <summary>Every shard ever created and not yet expired, by index. Replaced whole, never mutated.</summary>
    public ShardState[] Shards { get; set; } = [];

    /// <summary>Open shards by hash key range. Replaced whole on reshard.</summary>
    public HashKeyRouter<ShardState>? Router { get; set; }

    /// <summary>The pending status transition, disposed when the stream is deleted or the engine disposed.</summary>
    public ITimer? TransitionTimer { get; set; }

    public int OpenShardCount => Shards.Count(s => s.EndingSequenceNumber is null);

    public bool TryGetShard(ShardId id, out ShardState shard)
    {
        ShardState[] shards = Shards;
        if (id.Index < shards.Length && shards[id.Index] is { } found && found.Id == id)
        {
            shard = found;
            return true;
        }

        shard = null!;
        return false;
    }
}
