using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;

namespace StreamCore.Tests.Model;

/// <summary>
/// Model-based test of the engine: FsCheck generates sequences of operations over both faces (create and delete
/// streams, appends by partition key and explicit hash key, PutRecord and PutRecords, splits, merges and uniform
/// scaling, readers opened, read, waited on, held and disposed, shard iterators, clock advances that expire records,
/// iterators and shards and fire the retention sweep, retention changes), on small segments under each memory policy,
/// runs each against the engine and a reference model (<see cref="ModelRun"/>), checks after every step that they
/// agree, and shrinks a failing sequence to a short one.
/// </summary>
public class EngineModelTests
{
    /// <summary>Whether held batches used after their reader moved on must throw (the RecordBatch lifetime contract).</summary>
    internal const bool StaleBatchesThrow = true;

    [Fact]
    public void Engine_agrees_with_the_reference_model_on_random_operation_sequences() =>
        Check(runs: 2_000, maxSteps: 60);

    [Fact(Explicit = true)]
    [Trait("Category", "Stress")]
    public void Stress_engine_agrees_with_the_reference_model_on_long_sequences() =>
        Check(runs: 20_000, maxSteps: 200);

    private static void Check(int runs, int maxSteps)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("STREAMCORE_MODEL_RUNS"), out int requested) && requested > 0)
        {
            runs = requested;
        }

        int steps = 0;
        var watch = Stopwatch.StartNew();
        Prop.ForAll(Scenario.Arbitrary(maxSteps), scenario =>
            {
                using var run = new ModelRun(scenario, StaleBatchesThrow);
                try
                {
                    run.Run();
                }
                finally
                {
                    steps += run.Steps;
                }
            })
            .Check(Config.QuickThrowOnFailure.WithMaxTest(runs).WithQuietOnSuccess(true));
        string summary = $"{runs} sequences, {steps} steps in {watch.Elapsed.TotalSeconds:F1} s; " + string.Join(", ", ModelRun.Events.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {e.Value}"));
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("STREAMCORE_MODEL_STATS") is { Length: > 0 } path)
        {
            File.AppendAllText(path, summary + Environment.NewLine);
        }
    }
}
