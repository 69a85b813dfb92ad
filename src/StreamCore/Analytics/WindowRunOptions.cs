using System.Diagnostics.Metrics;

namespace StreamCore.Analytics;

/// <summary>Options of a <see cref="WindowRun{TEvent, TKey, TResult}"/>.</summary>
public sealed class WindowRunOptions
{
    /// <summary>The most parallel workers (<see cref="Parallelism"/>): KDA's parallelism limit per application.</summary>
    public const int MaxParallelism = 256;

    /// <summary>The clock: arrival and processing time, idleness, early firings. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Workers the keys are spread over, by hash (1 to <see cref="MaxParallelism"/>; default 1).</summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>
    /// Results (and, separately, late events) buffered for the reader; when full the run waits for the reader, so
    /// nothing is dropped. Default 1,024.
    /// </summary>
    public int OutputCapacity { get; set; } = 1024;

    /// <summary>How often the run reads the clock with no new events (Flink's watermark interval; default 200 ms).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A checkpoint of a run of the same query to continue from.</summary>
    public WindowCheckpoint? RestoreFrom { get; set; }

    /// <summary>The name its metrics are tagged with (<c>Application</c>); default <c>windows</c>.</summary>
    public string Name { get; set; } = "windows";

    /// <summary>
    /// Where the metrics' meter (<c>StreamCore</c>) comes from; default, over a stream of the embedded engine, the
    /// engine's <see cref="StreamEngineOptions.MeterFactory"/>, else a meter of the run's own.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    internal static WindowRunOptions Checked(WindowRunOptions? options)
    {
        options ??= new WindowRunOptions();
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(options.Name, nameof(Name));
        if (options.Parallelism is < 1 or > MaxParallelism)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Parallelism, $"Parallelism must be between 1 and {MaxParallelism}.");
        }

        if (options.OutputCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.OutputCapacity, "OutputCapacity must be at least 1.");
        }

        if (options.TickInterval < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TickInterval, "TickInterval must be at least 1 millisecond.");
        }

        return options;
    }
}
