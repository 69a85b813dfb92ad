using StreamCore.Errors;

namespace StreamCore;

/// <summary>
/// Makes chosen calls of the Kinesis-shaped client fail, for testing how code survives Kinesis's errors. A rule
/// matches by operation, stream and shard; it fires for at most <see cref="Count"/> matching calls, each with
/// <see cref="Probability"/> (drawn from a generator seeded with <see cref="Seed"/>, so runs repeat). An injected
/// failure is raised after the request is validated and before anything changes, so, like a real one, it changes no
/// state.
/// </summary>
public sealed class FaultRule
{
    /// <summary>The Kinesis operation to fail (for example <c>PutRecords</c>, <c>GetRecords</c>); null for any.</summary>
    public string? Operation { get; init; }

    /// <summary>The stream whose calls fail; null for any.</summary>
    public string? StreamName { get; init; }

    /// <summary>The shard whose calls (or, with <see cref="PerRecord"/>, records) fail; null for any.</summary>
    public ShardId? ShardId { get; init; }

    /// <summary>How many matching calls (or records) fail at most; null for no limit.</summary>
    public int? Count { get; init; }

    /// <summary>The chance that a matching call fails, in (0, 1]. Default 1.</summary>
    public double Probability { get; init; } = 1.0;

    /// <summary>Seeds the draws of <see cref="Probability"/>.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// For PutRecords: fail matching records one by one (reported with ErrorCode and ErrorMessage, the others stored)
    /// instead of the whole call.
    /// </summary>
    public bool PerRecord { get; init; }

    /// <summary>Creates the error to raise. Default: <see cref="InternalFailureException"/> "Internal Service Failure".</summary>
    public Func<KinesisException> Error { get; init; } = static () => new InternalFailureException("Internal Service Failure");
}
