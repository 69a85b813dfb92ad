using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Engine;

/// <summary>Invariants that hold after any sequence of splits, merges and shard-count updates.</summary>
public class ReshardingPropertyTests
{
    public enum Kind
    {
        Split,
        Merge,
        Scale,
    }

    [Property(MaxTest = 60)]
    public bool Any_reshard_sequence_keeps_the_key_space_partitioned_and_lineage_sound(Kind[] operations, int[] choices)
    {
        using var t = new TestEngine(o => o.ShardLimit = 100_000);
        DataStream stream = t.Engine.CreateStream("s", 3);
        var random = new Random(choices.Length == 0 ? 1 : choices[0]);
        var keys = Enumerable.Range(0, 40).Select(i => "key-" + i).ToArray();
        foreach (Kind op in operations.Take(25))
        {
            ShardInfo[] open = [.. stream.Shards.Where(s => s.IsOpen).OrderBy(s => s.HashKeyRange.StartingHashKey)];
            try
            {
                switch (op)
                {
                    case Kind.Split:
                        ShardInfo victim = open[random.Next(open.Length)];
                        UInt128 width = victim.HashKeyRange.EndingHashKey - victim.HashKeyRange.StartingHashKey;
                        stream.SplitShard(victim.ShardId, victim.HashKeyRange.StartingHashKey + 2 + (width > 4 ? new UInt128(0, (ulong)random.NextInt64()) % (width - 3) : 0));
                        break;
                    case Kind.Merge when open.Length > 1:
                        int i = random.Next(open.Length - 1);
                        stream.MergeShards(open[i].ShardId, open[i + 1].ShardId);
                        break;
                    case Kind.Scale:
                        int n = open.Length;
                        stream.UpdateShardCount(Math.Clamp(random.Next((n + 1) / 2, (2 * n) + 1), 1, 64));
                        break;
                }
            }
            catch (LimitExceededException)
            {
                // the 10-per-day scaling limit: a real, valid refusal
            }
            catch (InvalidArgumentException)
            {
                // a split of a shard too narrow to split: a real, valid refusal
            }

            foreach (string key in keys.Take(5))
            {
                stream.Append(key, "x"u8);
            }
        }

        ShardInfo[] all = [.. stream.Shards];
        ShardInfo[] openNow = [.. all.Where(s => s.IsOpen).OrderBy(s => s.HashKeyRange.StartingHashKey)];
        bool partitioned = openNow[0].HashKeyRange.StartingHashKey == 0 && openNow[^1].HashKeyRange.EndingHashKey == UInt128.MaxValue
            && openNow.Zip(openNow.Skip(1)).All(p => p.First.HashKeyRange.EndingHashKey + 1 == p.Second.HashKeyRange.StartingHashKey);
        bool closedHaveChildren = all.Where(s => !s.IsOpen).All(c => all.Any(x => x.ParentShardId == c.ShardId || x.AdjacentParentShardId == c.ShardId));
        bool childrenAfterParents = all.Where(s => s.ParentShardId is not null).All(child =>
            child.StartingSequenceNumber > all.Single(p => p.ShardId == child.ParentShardId).EndingSequenceNumber!.Value
            && (child.AdjacentParentShardId is not { } adj || child.StartingSequenceNumber > all.Single(p => p.ShardId == adj).EndingSequenceNumber!.Value));

        // No write landed on a closed shard after it closed: every record of a closed shard sorts below its end.
        bool noWriteAfterClose = all.Where(s => !s.IsOpen).All(closed =>
        {
            using ShardReader reader = stream.OpenReader(closed.ShardId, ShardPosition.TrimHorizon);
            while (reader.TryRead(out RecordBatch batch))
            {
                if (batch.LastSequenceNumber >= closed.EndingSequenceNumber!.Value)
                {
                    return false;
                }
            }

            return reader.IsAtShardEnd;
        });
        return partitioned && closedHaveChildren && childrenAfterParents && noWriteAfterClose;
    }
}
