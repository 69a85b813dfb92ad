namespace StreamCore.Analytics;

/// <summary>
/// How window results are written to a stream or a delivery stream (<see cref="WindowResultWriter"/>): batches of up
/// to <see cref="MaxBatchSize"/> results at hand, records that fail with a retryable error (throttling, internal
/// failure, service unavailable) retried with a doubling back-off, any other failure thrown.
/// </summary>
public sealed class WindowResultWriteOptions
{
    /// <summary>The most results in one PutRecords or PutRecordBatch call (1 to 500, the services' limit; default 500).</summary>
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>Attempts per record before the write fails (at least 1; default 5).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The back-off before the first retry, doubled before each next one (zero or more; default 100 ms).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The clock the back-off waits on; default the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal static WindowResultWriteOptions Checked(WindowResultWriteOptions? options)
    {
        options ??= new WindowResultWriteOptions();
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(TimeProvider));
        if (options.MaxBatchSize is < 1 or > 500)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxBatchSize, "MaxBatchSize must be between 1 and 500 (PutRecords and PutRecordBatch take at most 500 records).");
        }

        if (options.MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxAttempts, "MaxAttempts must be at least 1.");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RetryDelay, "RetryDelay must be zero or more.");
        }

        return options;
    }
}
