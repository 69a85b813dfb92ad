using StreamCore.Engine;
using StreamCore.Errors;

namespace StreamCore.Kinesis;

/// <summary>A ListShards ShardFilter, resolved.</summary>
internal readonly record struct ShardListFilter(byte Kind, int ShardIndex, long TimestampMs)
{
    private const byte FromTrimHorizon = 0, AfterShardId = 1, AtTrimHorizon = 2, AtLatest = 3, AtTimestamp = 4, FromTimestamp = 5;

    public static ShardListFilter From(ShardFilter? filter, int afterShardIndex)
    {
        string type = filter?.Type?.Value ?? "FROM_TRIM_HORIZON";
        byte kind = type switch
        {
            "AFTER_SHARD_ID" => AfterShardId,
            "AT_TRIM_HORIZON" => AtTrimHorizon,
            "AT_LATEST" => AtLatest,
            "AT_TIMESTAMP" => AtTimestamp,
            "FROM_TIMESTAMP" => FromTimestamp,
            _ => FromTrimHorizon,
        };
        long timestamp = 0;
        if (kind is AtTimestamp or FromTimestamp)
        {
            DateTime t = filter!.Timestamp ?? throw new InvalidArgumentException($"Timestamp must be provided when ShardFilter Type is {type}.");
            timestamp = new DateTimeOffset(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
        }

        return new ShardListFilter(kind, afterShardIndex, timestamp);
    }

    /// <summary>Whether <paramref name="shard"/> passes the filter, as the ListShards reference defines each type.</summary>
    public bool Matches(ShardState shard, StreamState stream, long nowMs)
    {
        long streamCreated = stream.CreatedAt.ToUnixTimeMilliseconds();
        long trimHorizon = Math.Max(nowMs - stream.RetentionMs, streamCreated);
        long? closed = shard.ClosedAtMs;
        bool OpenAt(long t) => shard.CreatedAtMs <= t && (closed is null || closed > t);
        return Kind switch
        {
            AfterShardId => shard.Id.Index > ShardIndex,
            AtTrimHorizon => OpenAt(trimHorizon),
            AtLatest => closed is null,
            AtTimestamp => OpenAt(Math.Max(TimestampMs, streamCreated)),
            FromTimestamp => closed is null || closed >= Math.Max(TimestampMs, trimHorizon),
            _ => true,
        };
    }
}
