namespace StreamCore.EventSources;

/// <summary>
/// A mapping's settings in effect: immutable, replaced whole by an update, so the poller reads one consistent set per
/// batch. Every member holds Lambda's default when the request left it out.
/// </summary>
internal sealed record MappingSettings
{
    public const int DefaultBatchSize = 100;

    /// <summary>The function's name (as registered) and ARN.</summary>
    public required string FunctionName { get; init; }

    public required string FunctionArn { get; init; }

    public bool Enabled { get; init; } = true;

    public int BatchSize { get; init; } = DefaultBatchSize;

    public int MaximumBatchingWindowInSeconds { get; init; }

    public int ParallelizationFactor { get; init; } = 1;

    public int MaximumRecordAgeInSeconds { get; init; } = -1;

    public int MaximumRetryAttempts { get; init; } = -1;

    public bool BisectBatchOnFunctionError { get; init; }

    public int TumblingWindowInSeconds { get; init; }

    public bool ReportBatchItemFailures { get; init; }

    /// <summary>The on-failure destination's ARN, or null.</summary>
    public string? OnFailureDestination { get; init; }

    /// <summary>The filter patterns as given, or null for none.</summary>
    public IReadOnlyList<string>? FilterPatterns { get; init; }

    /// <summary>The compiled filters (null: none).</summary>
    public Filtering.RecordFilter? Filter { get; init; }

    public string? KMSKeyArn { get; init; }

    public IReadOnlyList<string>? Metrics { get; init; }
}
