using StreamCore.Connectors;
using StreamCore.Hashing;

namespace StreamCore.Producing;

/// <summary>
/// The producer's picture of the stream: which open shard owns which hash keys (to predict a record's shard), every
/// known shard's range (to check where an aggregate landed), and the maximum record size. Immutable; replaced whole.
/// </summary>
internal sealed class ShardMap
{
    private readonly HashKeyRouter<Entry>? _router;
    private readonly Dictionary<ShardId, HashKeyRange> _ranges;

    public ShardMap(SinkStreamDescription description)
    {
        MaxRecordBytes = description.MaxRecordSizeInKiB * 1024;
        _ranges = description.Shards.ToDictionary(s => s.ShardId, s => s.HashKeyRange);
        Entry[] open = [.. description.Shards.Where(s => s.IsOpen).Select((s, i) => new Entry(s.ShardId, i))];
        OpenShardCount = open.Length;
        try
        {
            _router = open.Length == 0 ? null : new HashKeyRouter<Entry>(open.Select(e => (_ranges[e.ShardId], e)));
        }
        catch (ArgumentException)
        {
            // A layout that does not cover the key space (mid-reshard on a remote stream): predict nothing, send alone.
            _router = null;
        }
    }

    public int MaxRecordBytes { get; }

    public int OpenShardCount { get; }

    public bool CanPredict => _router is not null;

    /// <summary>The open shard predicted for a hash key, as (id, dense index), or null without a usable map.</summary>
    public Entry? Predict(UInt128 hashKey) => _router?.Route(hashKey);

    public bool TryGetRange(ShardId shard, out HashKeyRange range) => _ranges.TryGetValue(shard, out range);

    internal sealed record Entry(ShardId ShardId, int Index);
}
