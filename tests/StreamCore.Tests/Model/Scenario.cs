using FsCheck;
using FsCheck.Fluent;

namespace StreamCore.Tests.Model;

/// <summary>What one step of a scenario does. The three arguments of an <see cref="Op"/> choose its targets and values.</summary>
public enum OpKind
{
    CreateStream,
    DeleteStream,
    Append,
    AppendExplicitHashKey,
    AppendBurst,
    PutRecord,
    PutRecords,
    SplitShard,
    MergeShards,
    UpdateShardCount,
    OpenReader,
    Read,
    Drain,
    Wait,
    CheckHeldBatch,
    DisposeReader,
    GetShardIterator,
    GetRecords,
    Advance,
    Audit,
    ChangeRetention,
    Follow,
    FollowNext,
    ToggleEncryption,
}

/// <summary>How the engine's memory cap is set for a scenario.</summary>
public enum MemoryMode
{
    Unbounded,
    RejectWrites,
    TrimOldest,
}

/// <summary>
/// One step. <see cref="A"/>, <see cref="B"/> and <see cref="C"/> are small non-negative numbers; each step reads
/// them modulo what exists at that point (which stream, which shard, which reader, which size), so any sequence is
/// runnable and shrinking an argument towards 0 keeps a step meaningful.
/// </summary>
public readonly record struct Op(OpKind Kind, int A, int B, int C)
{
    public override string ToString() => $"{Kind}({A},{B},{C})";
}

/// <summary>A whole run: the engine's configuration and the steps after the first stream is created.</summary>
public sealed record Scenario(MemoryMode Memory, int CapSegments, int SweepChoice, int InitialShards, Op[] Ops)
{
    public override string ToString() =>
        $"Scenario({Memory}, cap {CapSegments} segments, sweep #{SweepChoice}, {InitialShards} shards) [{string.Join(", ", Ops)}]";

    private static readonly (int Weight, OpKind Kind)[] Weights =
    [
        (3, OpKind.CreateStream),
        (1, OpKind.DeleteStream),
        (12, OpKind.Append),
        (4, OpKind.AppendExplicitHashKey),
        (5, OpKind.AppendBurst),
        (3, OpKind.PutRecord),
        (3, OpKind.PutRecords),
        (2, OpKind.SplitShard),
        (2, OpKind.MergeShards),
        (1, OpKind.UpdateShardCount),
        (4, OpKind.OpenReader),
        (10, OpKind.Read),
        (3, OpKind.Drain),
        (3, OpKind.Wait),
        (3, OpKind.CheckHeldBatch),
        (1, OpKind.DisposeReader),
        (2, OpKind.GetShardIterator),
        (3, OpKind.GetRecords),
        (4, OpKind.Advance),
        (1, OpKind.Audit),
        (1, OpKind.ChangeRetention),
        (1, OpKind.Follow),
        (4, OpKind.FollowNext),
        (1, OpKind.ToggleEncryption),
    ];

    private static Gen<Op> OpGen =>
        from kind in Gen.Frequency(Weights.Select(w => (w.Weight, Gen.Constant(w.Kind))))
        from a in Gen.Choose(0, 63)
        from b in Gen.Choose(0, 63)
        from c in Gen.Choose(0, 63)
        select new Op(kind, a, b, c);

    /// <summary>Scenarios of up to <paramref name="maxSteps"/> steps, with their shrinker.</summary>
    public static Arbitrary<Scenario> Arbitrary(int maxSteps) => Arb.From(
        from memory in Gen.Elements(MemoryMode.Unbounded, MemoryMode.RejectWrites, MemoryMode.TrimOldest)
        from cap in Gen.Choose(2, 14)
        from sweep in Gen.Choose(0, 2)
        from shards in Gen.Choose(1, 3)
        from length in Gen.Choose(1, maxSteps)
        from ops in Gen.ArrayOf(OpGen, length)
        select new Scenario(memory, cap, sweep, shards, ops),
        Shrink);

    /// <summary>Drops runs of steps (halves first, then single steps), then simplifies the configuration and arguments.</summary>
    public static IEnumerable<Scenario> Shrink(Scenario s)
    {
        Op[] ops = s.Ops;
        for (int chunk = Math.Max(1, ops.Length / 2); chunk >= 1; chunk /= 2)
        {
            for (int i = 0; i + chunk <= ops.Length; i += chunk)
            {
                yield return s with { Ops = [.. ops[..i], .. ops[(i + chunk)..]] };
            }

            if (chunk == 1)
            {
                break;
            }
        }

        if (s.Memory != MemoryMode.Unbounded)
        {
            yield return s with { Memory = MemoryMode.Unbounded };
        }

        if (s.InitialShards > 1)
        {
            yield return s with { InitialShards = 1 };
        }

        if (s.SweepChoice > 0)
        {
            yield return s with { SweepChoice = 0 };
        }

        for (int i = 0; i < ops.Length; i++)
        {
            Op op = ops[i];
            foreach (Op simpler in Simpler(op))
            {
                Op[] copy = [.. ops];
                copy[i] = simpler;
                yield return s with { Ops = copy };
            }
        }
    }

    private static IEnumerable<Op> Simpler(Op op)
    {
        if (op.A > 0)
        {
            yield return op with { A = 0 };
            if (op.A > 1)
            {
                yield return op with { A = op.A / 2 };
            }
        }

        if (op.B > 0)
        {
            yield return op with { B = 0 };
            if (op.B > 1)
            {
                yield return op with { B = op.B / 2 };
            }
        }

        if (op.C > 0)
        {
            yield return op with { C = 0 };
            if (op.C > 1)
            {
                yield return op with { C = op.C / 2 };
            }
        }
    }
}
