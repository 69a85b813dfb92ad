using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using StreamCore.Errors;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Engine;

/// <summary>
/// Invariants that hold after any sequence of splits, merges and shard-count updates, valid or not. Every input comes
/// from FsCheck (so failures shrink); every refusal is predicted by the rules of the reference (section 4) and checked,
/// not swallowed; shard ids, ranges, parents and the seconds in sequence numbers are compared with values the test
/// knows on its own (the fake clock, the hash arithmetic), not with a restatement of the engine's formula.
/// </summary>
public class ReshardingPropertyTests
{
    public enum Kind
    {
        Split,
        Merge,
        Scale,
    }

    private const int MaxScalingsPerDay = 10;
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(10); // longer than any chain of intermediate shards

    [Property(MaxTest = 60)]
    public void Any_reshard_sequence_keeps_the_key_space_partitioned_and_lineage_sound(Kind[] operations, NonNegativeInt[] picks, ulong[] offsets) =>
        Run(operations, picks, offsets, maxSteps: 25);

    [Property(MaxTest = 1_000, Explicit = true)]
    [Trait("Category", "Stress")]
    public void Stress_any_reshard_sequence_keeps_the_key_space_partitioned_and_lineage_sound(Kind[] operations, NonNegativeInt[] picks, ulong[] offsets) =>
        Run(operations, picks, offsets, maxSteps: 60);

    private static void Run(Kind[] operations, NonNegativeInt[] picks, ulong[] offsets, int maxSteps)
    {
        using var t = new TestEngine(o => o.ShardLimit = 100_000);
        DataStream stream = t.Engine.CreateStream("s", 3);
        string[] keys = [.. Enumerable.Range(0, 40).Select(i => "key-" + i)];
        var written = new Dictionary<ShardId, List<SequenceNumber>>(); // the model: every record, by the shard it went to
        int scalings = 0;
        long startSeconds = TestEngine.Start.ToUnixTimeSeconds();

        for (int step = 0; step < Math.Min(operations.Length, maxSteps); step++)
        {
            t.Clock.Advance(Step);
            long now = startSeconds + ((step + 1) * (long)Step.TotalSeconds); // known independently of the engine
            int pick = picks.Length == 0 ? step : picks[step % picks.Length].Get;
            ulong offset = offsets.Length == 0 ? (ulong)step : offsets[step % offsets.Length];
            ShardInfo[] before = [.. stream.Shards];
            ShardInfo[] open = [.. before.Where(s => s.IsOpen).OrderBy(s => s.HashKeyRange.StartingHashKey)];
            int nextIndex = before.Max(s => s.ShardId.Index) + 1;

            switch (operations[step])
            {
                case Kind.Split:
                {
                    ShardInfo victim = open[pick % open.Length];
                    (UInt128 start, UInt128 end) = (victim.HashKeyRange.StartingHashKey, victim.HashKeyRange.EndingHashKey);
                    UInt128 width = end - start;
                    UInt128 off = width == UInt128.MaxValue ? offset : offset % (width + 1);
                    UInt128 key = pick % 2 == 0 ? start + off : end - off; // near either edge: small offsets are invalid
                    if (!(key > start + 1 && key < end))
                    {
                        Assert.Throws<InvalidArgumentException>(() => stream.SplitShard(victim.ShardId, key));
                        break;
                    }

                    stream.SplitShard(victim.ShardId, key);
                    ShardInfo[] children = NewShards(stream, nextIndex);
                    Assert.Equal(
                        [(new ShardId(nextIndex), start, key - 1), (new ShardId(nextIndex + 1), key, end)],
                        children.Select(c => (c.ShardId, c.HashKeyRange.StartingHashKey, c.HashKeyRange.EndingHashKey)));
                    Assert.All(children, c => Assert.Equal((victim.ShardId, (ShardId?)null), (c.ParentShardId!.Value, c.AdjacentParentShardId)));
                    AssertClosedAt(stream, [victim.ShardId], now);
                    Assert.All(children, c => Assert.Equal(now + 1, c.StartingSequenceNumber.ShardCreationSeconds));
                    break;
                }

                case Kind.Merge:
                {
                    int i = pick % Math.Max(1, open.Length - 1);
                    (ShardInfo left, ShardInfo right) = open.Length == 1 ? (open[0], open[0])
                        : pick % 4 == 3 ? (open[i + 1], open[i]) // the reversed order: not an adjacent pair (reference section 4)
                        : (open[i], open[i + 1]);
                    if (left == right || left.HashKeyRange.EndingHashKey == UInt128.MaxValue || left.HashKeyRange.EndingHashKey + 1 != right.HashKeyRange.StartingHashKey)
                    {
                        Assert.Throws<InvalidArgumentException>(() => stream.MergeShards(left.ShardId, right.ShardId));
                        break;
                    }

                    stream.MergeShards(left.ShardId, right.ShardId);
                    ShardInfo child = Assert.Single(NewShards(stream, nextIndex));
                    Assert.Equal(
                        (new ShardId(nextIndex), left.HashKeyRange.StartingHashKey, right.HashKeyRange.EndingHashKey, (ShardId?)left.ShardId, (ShardId?)right.ShardId),
                        (child.ShardId, child.HashKeyRange.StartingHashKey, child.HashKeyRange.EndingHashKey, child.ParentShardId, child.AdjacentParentShardId));
                    AssertClosedAt(stream, [left.ShardId, right.ShardId], now);
                    Assert.Equal(now + 1, child.StartingSequenceNumber.ShardCreationSeconds);
                    break;
                }

                case Kind.Scale:
                {
                    int n = open.Length;
                    int target = 1 + (pick % Math.Min((2 * n) + 2, 64)); // sometimes beyond double or below half
                    if (target > 2 * n || 2 * target < n || scalings >= MaxScalingsPerDay)
                    {
                        Assert.Throws<LimitExceededException>(() => stream.UpdateShardCount(target));
                        break;
                    }

                    stream.UpdateShardCount(target);
                    scalings++;
                    // The result is the uniform N-shard layout of reference section 4; a shard that already had one of
                    // its ranges may stay open, every other one is closed now, and the new ones are created after now.
                    ShardInfo[] openAfter = [.. stream.Shards.Where(s => s.IsOpen).OrderBy(s => s.HashKeyRange.StartingHashKey)];
                    Assert.Equal(UniformLayout(target), openAfter.Select(s => (s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey)));
                    AssertClosedAt(stream, [.. open.Where(o => !openAfter.Any(a => a.ShardId == o.ShardId)).Select(o => o.ShardId)], now);
                    Assert.All(openAfter.Where(a => a.ShardId.Index >= nextIndex), a => Assert.True(a.StartingSequenceNumber.ShardCreationSeconds > now));
                    Assert.All(openAfter.Where(a => a.ShardId.Index < nextIndex), a => Assert.Contains(open, o => o == a));

                    break;
                }
            }

            Assert.Equal(before.Length, before.Count(b => stream.Shards.Any(s => s.ShardId == b.ShardId))); // nothing expired or vanished
            foreach (string key in keys.Skip(pick % keys.Length).Take(5))
            {
                AppendResult result = stream.Append(key, "x"u8);
                ShardInfo target = stream.Shards.Single(s => s.ShardId == result.ShardId);
                UInt128 hash = Md5(key);
                Assert.True(target.IsOpen && target.HashKeyRange.StartingHashKey <= hash && hash <= target.HashKeyRange.EndingHashKey, $"{key} went to {target}");
                CollectionsMarshalAdd(written, result.ShardId, result.SequenceNumber);
            }
        }

        ShardInfo[] all = [.. stream.Shards];
        ShardInfo[] openNow = [.. all.Where(s => s.IsOpen).OrderBy(s => s.HashKeyRange.StartingHashKey)];
        Assert.Equal(UInt128.Zero, openNow[0].HashKeyRange.StartingHashKey);
        Assert.Equal(UInt128.MaxValue, openNow[^1].HashKeyRange.EndingHashKey);
        Assert.All(openNow.Zip(openNow.Skip(1)), p => Assert.Equal(p.First.HashKeyRange.EndingHashKey + 1, p.Second.HashKeyRange.StartingHashKey));
        Assert.All(all.Where(s => !s.IsOpen), c => Assert.Contains(all, x => x.ParentShardId == c.ShardId || x.AdjacentParentShardId == c.ShardId));

        // Every shard holds exactly the records written to it, in order, and a closed shard reads to its end.
        foreach (ShardInfo shard in all)
        {
            using ShardReader reader = stream.OpenReader(shard.ShardId, ShardPosition.TrimHorizon);
            var read = new List<SequenceNumber>();
            while (reader.TryRead(out RecordBatch batch))
            {
                foreach (StreamRecord record in batch)
                {
                    read.Add(record.SequenceNumber);
                }
            }

            Assert.Equal(written.GetValueOrDefault(shard.ShardId) ?? [], read);
            Assert.Equal(!shard.IsOpen, reader.IsAtShardEnd);
        }
    }

    /// <summary>h = floor(2^128 / N); shard i = [i·h, (i+1)·h − 1], the last one up to 2^128 − 1 (reference section 4).</summary>
    private static (UInt128 Start, UInt128 End)[] UniformLayout(int n)
    {
        UInt128 count = (UInt128)n;
        UInt128 h = (UInt128.MaxValue % count) == count - 1 ? (UInt128.MaxValue / count) + 1 : UInt128.MaxValue / count; // 2^128 = MaxValue + 1
        return [.. Enumerable.Range(0, n).Select(i => ((UInt128)i * h, i == n - 1 ? UInt128.MaxValue : ((UInt128)(i + 1) * h) - 1))];
    }

    [Theory]
    [InlineData(2, "170141183460469231731687303715884105728")]
    [InlineData(3, "113427455640312821154458202477256070485")]
    [InlineData(5, "68056473384187692692674921486353642291")]
    public void The_uniform_layout_of_the_test_matches_the_references_exact_values(int n, string secondStart) =>
        Assert.Equal(UInt128.Parse(secondStart, System.Globalization.CultureInfo.InvariantCulture), UniformLayout(n)[1].Start);

    private static ShardInfo[] NewShards(DataStream stream, int firstNewIndex) =>
        [.. stream.Shards.Where(s => s.ShardId.Index >= firstNewIndex).OrderBy(s => s.ShardId.Index)];

    /// <summary>Each shard closed by the reshard at <paramref name="nowSeconds"/>: its ending sequence number carries
    /// the closing index (0x7fffffffffffffff) and the close time (reference section 3).</summary>
    private static void AssertClosedAt(DataStream stream, ShardId[] closed, long nowSeconds)
    {
        foreach (ShardId id in closed)
        {
            SequenceNumber end = stream.Shards.Single(s => s.ShardId == id).EndingSequenceNumber!.Value;
            Assert.Equal((0x7fffffffffffffffL, nowSeconds, id), (end.SequenceIndex, end.ArrivalSeconds, end.ShardId));
        }
    }

    private static UInt128 Md5(string key)
    {
#pragma warning disable CA5351 // Kinesis routes by MD5: a hash for placement, not for security
        byte[] digest = MD5.HashData(Encoding.UTF8.GetBytes(key));
#pragma warning restore CA5351
        return new UInt128(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest), System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest.AsSpan(8)));
    }

    private static void CollectionsMarshalAdd(Dictionary<ShardId, List<SequenceNumber>> map, ShardId shard, SequenceNumber sequenceNumber)
    {
        if (!map.TryGetValue(shard, out List<SequenceNumber>? list))
        {
            map[shard] = list = [];
        }

        list.Add(sequenceNumber);
    }
}
