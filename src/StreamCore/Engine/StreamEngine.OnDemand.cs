using StreamCore.Engine;

namespace StreamCore;

/// <summary>On-demand capacity: metering write rates off the hot path and splitting shards ahead of the load.</summary>
public sealed partial class StreamEngine
{
    private void ScaleOnDemandStreams()
    {
        OnDemandScalingOptions policy = Options.OnDemandScaling;
        lock (_control)
        {
            long now = NowMs;
            foreach (StreamState stream in _streams.Values)
            {
                if (stream.Mode == StreamCapacityMode.OnDemand && stream.Status == DataStreamStatus.Active)
                {
                    Scale(stream, policy, now);
                }
            }
        }
    }

    private void Scale(StreamState stream, OnDemandScalingOptions policy, long now)
    {
        // Rates from the logs' cumulative counters: the append path pays nothing for metering.
        double seconds = (now - stream.LastSampleMs) / 1000.0;
        bool first = stream.LastSampleMs == 0;
        stream.LastSampleMs = now;
        double streamBytes = 0, streamRecords = 0;
        foreach (ShardState shard in stream.Shards)
        {
            if (shard.IsExpired(ExpiryCutoff(stream, now)))
            {
                continue;
            }

            long records = shard.Log.EndIndex, bytes = shard.Log.BytesAppended;
            if (!first && seconds > 0)
            {
                shard.BytesPerSecond = (bytes - shard.SampledBytes) / seconds;
                shard.RecordsPerSecond = (records - shard.SampledRecords) / seconds;
                streamBytes += shard.BytesPerSecond;
                streamRecords += shard.RecordsPerSecond;
            }

            shard.SampledBytes = bytes;
            shard.SampledRecords = records;
        }

        if (first)
        {
            return;
        }

        stream.PeakBytesPerSecond = Math.Max(stream.PeakBytesPerSecond, streamBytes);
        stream.PeakRecordsPerSecond = Math.Max(stream.PeakRecordsPerSecond, streamRecords);
        int required = (int)Math.Min(MaxShardsPerStream, Math.Max(
            policy.MinimumShards,
            Math.Max(
                Math.Ceiling(policy.HeadroomFactor * stream.PeakBytesPerSecond / policy.ShardWriteBytesPerSecond),
                Math.Ceiling(policy.HeadroomFactor * stream.PeakRecordsPerSecond / policy.ShardWriteRecordsPerSecond))));

        // Hot shards first, then the busiest until the stream has the capacity it needs.
        foreach (ShardState hot in stream.Shards.Where(s => s.IsOpen && IsHot(s, policy)).ToArray())
        {
            if (!TrySplitAtMidpoint(stream, hot))
            {
                break;
            }
        }

        while (stream.OpenShardCount < required)
        {
            ShardState busiest = stream.Shards.Where(s => s.IsOpen).MaxBy(s => Math.Max(s.BytesPerSecond / policy.ShardWriteBytesPerSecond, s.RecordsPerSecond / policy.ShardWriteRecordsPerSecond))!;
            if (!TrySplitAtMidpoint(stream, busiest))
            {
                break;
            }
        }
    }

    private static bool IsHot(ShardState shard, OnDemandScalingOptions policy) =>
        shard.BytesPerSecond > policy.HotShardThreshold * policy.ShardWriteBytesPerSecond
        || shard.RecordsPerSecond > policy.HotShardThreshold * policy.ShardWriteRecordsPerSecond;

    private bool TrySplitAtMidpoint(StreamState stream, ShardState shard)
    {
        HashKeyRange range = shard.Range;
        UInt128 width = range.EndingHashKey - range.StartingHashKey;
        if (width < 4 || OpenShardCountLocked() + 1 > Options.ShardLimit || stream.OpenShardCount >= MaxShardsPerStream)
        {
            return false; // too narrow to split, or the quota is reached: capacity stays as it is
        }

        // The children share the parent's rate until the next sample measures them.
        ApplySplit(stream, shard, range.StartingHashKey + (width / 2) + 1);
        foreach (ShardState child in shard.Children)
        {
            child.BytesPerSecond = shard.BytesPerSecond / 2;
            child.RecordsPerSecond = shard.RecordsPerSecond / 2;
        }

        return true;
    }
}
