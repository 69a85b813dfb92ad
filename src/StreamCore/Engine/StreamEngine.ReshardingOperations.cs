using System.Globalization;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Hashing;

namespace StreamCore;

/// <summary>Resharding: split, merge, uniform scaling and capacity-mode switches, with Kinesis's rules.</summary>
public sealed partial class StreamEngine
{
    private const int MaxScalingsPerDay = 10;
    private const int MaxModeSwitchesPerDay = 2;
    private const int MaxShardsPerStream = 10_000;
    private const long DayMs = 24 * 3_600_000L;

    internal void SplitShard(StreamState stream, string shardToSplit, UInt128 newStartingHashKey, string newStartingHashKeyText)
    {
        lock (_control)
        {
            RequireProvisioned(stream, "SplitShard");
            RequireActive(stream);
            ShardState parent = ShardForReshard(stream, shardToSplit);
            RequireShardQuota(stream, additionalOpen: 1); // before the hash key, in kinesalite's (AWS's) order
            HashKeyRange range = parent.Range;
            if (!(newStartingHashKey > range.StartingHashKey + 1 && newStartingHashKey < range.EndingHashKey))
            {
                throw new InvalidArgumentException(
                    $"NewStartingHashKey {newStartingHashKeyText} used in SplitShard() on shard {parent.IdText} in stream {stream.Name} under account {AccountId} is not both greater than one plus the shard's StartingHashKey {range.StartingHashKey.ToString(CultureInfo.InvariantCulture)} and less than the shard's EndingHashKey {range.EndingHashKey.ToString(CultureInfo.InvariantCulture)}.");
            }

            Transition(stream, DataStreamStatus.Updating, DataStreamStatus.Active, () => ApplySplit(stream, parent, newStartingHashKey));
        }
    }

    internal void MergeShards(StreamState stream, string shardToMerge, string adjacentShardToMerge)
    {
        lock (_control)
        {
            RequireProvisioned(stream, "MergeShards");
            RequireActive(stream);
            ShardState left = ShardForReshard(stream, shardToMerge);
            ShardState right = ShardForReshard(stream, adjacentShardToMerge);
            if (left == right || left.Range.EndingHashKey == UInt128.MaxValue || left.Range.EndingHashKey + 1 != right.Range.StartingHashKey)
            {
                throw new InvalidArgumentException(
                    $"Shards {left.IdText} and {right.IdText} in stream {stream.Name} under account {AccountId} are not an adjacent pair of shards eligible for merging");
            }

            Transition(stream, DataStreamStatus.Updating, DataStreamStatus.Active, () => ApplyMerge(stream, left, right));
        }
    }

    /// <summary>Starts a uniform scaling; returns the open shard count before it.</summary>
    internal int UpdateShardCount(StreamState stream, int target)
    {
        lock (_control)
        {
            RequireProvisioned(stream, "UpdateShardCount");
            RequireActive(stream);
            int open = stream.OpenShardCount;
            long now = NowMs;
            stream.ScalingTimesMs.RemoveAll(t => now - t >= DayMs);
            if (target > open * 2)
            {
                throw new LimitExceededException($"UpdateShardCount cannot scale up to more than double the current open shard count of stream {stream.Name} under account {AccountId}: {target} requested, {open} open, at most {open * 2} allowed.");
            }

            if (target * 2 < open)
            {
                throw new LimitExceededException($"UpdateShardCount cannot scale down to less than half the current open shard count of stream {stream.Name} under account {AccountId}: {target} requested, {open} open, at least {(open + 1) / 2} allowed.");
            }

            if (target > MaxShardsPerStream)
            {
                throw new LimitExceededException($"UpdateShardCount cannot scale stream {stream.Name} under account {AccountId} above {MaxShardsPerStream} shards: {target} requested.");
            }

            if (stream.ScalingTimesMs.Count >= MaxScalingsPerDay)
            {
                throw new LimitExceededException($"Stream {stream.Name} under account {AccountId} has already been scaled {MaxScalingsPerDay} times in the last 24 hours; UpdateShardCount allows at most {MaxScalingsPerDay} scalings per rolling 24 hours.");
            }

            RequireShardQuota(stream, additionalOpen: Math.Max(0, target - open) + 1);
            stream.ScalingTimesMs.Add(now);
            Transition(stream, DataStreamStatus.Updating, DataStreamStatus.Active, () => ApplyUniformScaling(stream, target));
            return open;
        }
    }

    internal void UpdateStreamMode(StreamState stream, StreamCapacityMode mode)
    {
        lock (_control)
        {
            RequireActive(stream);
            if (stream.Mode == mode)
            {
                throw new InvalidArgumentException($"Stream {stream.Name} under account {AccountId} is already in {ModeText(mode)} mode.");
            }

            long now = NowMs;
            stream.ModeSwitchTimesMs.RemoveAll(t => now - t >= DayMs);
            if (stream.ModeSwitchTimesMs.Count >= MaxModeSwitchesPerDay)
            {
                throw new LimitExceededException($"The capacity mode of stream {stream.Name} under account {AccountId} can be switched at most {MaxModeSwitchesPerDay} times per rolling 24 hours.");
            }

            if (mode == StreamCapacityMode.OnDemand && _streams.Values.Count(s => s.Mode == StreamCapacityMode.OnDemand) >= Options.OnDemandStreamCountLimit)
            {
                throw new LimitExceededException($"This request would exceed the on-demand stream count limit of {Options.OnDemandStreamCountLimit} for account {AccountId}.");
            }

            stream.ModeSwitchTimesMs.Add(now);
            Transition(stream, DataStreamStatus.Updating, DataStreamStatus.Active, () =>
            {
                stream.Mode = mode;
                stream.ResetMetering(); // on-demand metering restarts from the switch
            });
        }
    }

    private static string ModeText(StreamCapacityMode mode) => mode == StreamCapacityMode.OnDemand ? "ON_DEMAND" : "PROVISIONED";

    private static void RequireProvisioned(StreamState stream, string operation)
    {
        if (stream.Mode == StreamCapacityMode.OnDemand)
        {
            throw new ValidationException($"{operation} is not supported for stream {stream.Name}: its capacity mode is ON_DEMAND, and the operation applies to PROVISIONED streams only.");
        }
    }

    private ShardState ShardForReshard(StreamState stream, string shardAsGiven)
    {
        if (!ShardId.TryParse(shardAsGiven, out ShardId id))
        {
            throw ErrorMessages.ShardNotFound(shardAsGiven, stream.Name, AccountId);
        }

        if (!stream.TryGetShard(id, NowMs, out ShardState shard))
        {
            throw ErrorMessages.ShardNotFound(id.ToString(), stream.Name, AccountId); // AWS names the shard normalized
        }

        return shard.IsOpen
            ? shard
            : throw new InvalidArgumentException($"Shard {shard.IdText} in stream {stream.Name} under account {AccountId} has already been merged or split, and thus is not eligible for merging or splitting.");
    }

    private void RequireShardQuota(StreamState stream, int additionalOpen)
    {
        int open = OpenShardCountLocked();
        if (open + additionalOpen > Options.ShardLimit)
        {
            throw ErrorMessages.ShardLimit(AccountId, Region, open, Options.ShardLimit, additionalOpen);
        }

        if (stream.Shards.Length + additionalOpen > MaxShardsPerStream * 2)
        {
            throw new LimitExceededException($"Stream {stream.Name} under account {AccountId} has reached the limit of shards per stream.");
        }
    }

    // ------------------------------------------------------------------ applying reshards (under the control lock)

    internal void ApplySplit(StreamState stream, ShardState parent, UInt128 newStartingHashKey) =>
        Replace(stream, [parent], [
            new HashKeyRange(parent.Range.StartingHashKey, newStartingHashKey - 1),
            new HashKeyRange(newStartingHashKey, parent.Range.EndingHashKey),
        ]);

    internal void ApplyMerge(StreamState stream, ShardState left, ShardState right) =>
        Replace(stream, [left, right], [new HashKeyRange(left.Range.StartingHashKey, right.Range.EndingHashKey)]);

    /// <summary>
    /// Reaches the uniform layout of <paramref name="target"/> shards through real splits and merges, left to right:
    /// a target range is cut from the open shard that starts at its start (a split when both sides keep at least two
    /// hash keys), or grown by merging the next open shard. Doubling or halving a uniform power-of-two layout is
    /// one level of splits or merges, as in Kinesis; other targets pass through short-lived intermediate shards.
    /// </summary>
    private void ApplyUniformScaling(StreamState stream, int target)
    {
        HashKeyRange[] goal = ShardLayout.Uniform(target);
        int g = 0;
        ShardState current = stream.Router!.Route(UInt128.Zero);
        while (true)
        {
            UInt128 goalEnd = goal[g].EndingHashKey;
            UInt128 end = current.Range.EndingHashKey;
            if (end == goalEnd)
            {
                if (goalEnd == UInt128.MaxValue)
                {
                    return;
                }

                g++;
                current = stream.Router!.Route(goalEnd + 1);
            }
            else if (end > goalEnd && end - goalEnd >= 2)
            {
                Replace(stream, [current], [new HashKeyRange(current.Range.StartingHashKey, goalEnd), new HashKeyRange(goalEnd + 1, end)]);
                current = stream.Router!.Route(current.Range.StartingHashKey);
            }
            else
            {
                // Short of the goal, or a split would leave a one-key shard: merge with the next open shard first.
                ShardState next = stream.Router!.Route(end + 1);
                Replace(stream, [current, next], [new HashKeyRange(current.Range.StartingHashKey, next.Range.EndingHashKey)]);
                current = stream.Router!.Route(current.Range.StartingHashKey);
            }
        }
    }

    /// <summary>
    /// Closes <paramref name="parents"/> and opens children over <paramref name="childRanges"/>. The new router is
    /// published before the parents close, so a producer that finds a parent closed routes again to a child.
    /// </summary>
    private void Replace(StreamState stream, ShardState[] parents, HashKeyRange[] childRanges)
    {
        long now = NowMs;
        long childSeconds = Math.Max(now / 1000, parents.Max(p => p.CreationSeconds)) + 1;
        ShardState[] shards = stream.Shards;
        var children = new ShardState[childRanges.Length];
        for (int i = 0; i < children.Length; i++)
        {
            ShardId? adjacent = parents.Length > 1 ? parents[1].Id : null;
            children[i] = new ShardState(new ShardId(shards.Length + i), childRanges[i], childSeconds, now, NewLog(stream), parents[0].Id, adjacent);
        }

        stream.Shards = [.. shards, .. children];
        stream.Router = new HashKeyRouter<ShardState>(stream.Shards.Where(s => s.IsOpen && !parents.Contains(s)).Select(s => (s.Range, s)));
        foreach (ShardState parent in parents)
        {
            parent.Close(now, children);
        }
    }
}
