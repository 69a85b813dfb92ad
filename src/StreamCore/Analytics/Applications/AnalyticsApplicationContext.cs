namespace StreamCore.Analytics.Applications;

/// <summary>What an application's registered code is started with.</summary>
public sealed class AnalyticsApplicationContext
{
    internal AnalyticsApplicationContext(string applicationName, StreamEngine engine, int parallelism, WindowCheckpoint? restoreFrom, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> propertyGroups)
    {
        ApplicationName = applicationName;
        Engine = engine;
        Parallelism = parallelism;
        RestoreFrom = restoreFrom;
        PropertyGroups = propertyGroups;
    }

    /// <summary>The application's name.</summary>
    public string ApplicationName { get; }

    /// <summary>The engine (account) the application belongs to: its streams are the application's inputs and outputs.</summary>
    public StreamEngine Engine { get; }

    /// <summary>The time source of the engine.</summary>
    public TimeProvider TimeProvider => Engine.TimeProvider;

    /// <summary>
    /// The number of parallel workers: the application's ParallelismConfiguration (CUSTOM: its Parallelism; DEFAULT:
    /// 1). Pass it to <see cref="WindowRunOptions.Parallelism"/>.
    /// </summary>
    public int Parallelism { get; }

    /// <summary>The snapshot to continue from (per the start's ApplicationRestoreConfiguration), or null for a fresh start. Pass it to <see cref="WindowRunOptions.RestoreFrom"/>.</summary>
    public WindowCheckpoint? RestoreFrom { get; }

    /// <summary>The application's runtime properties (EnvironmentProperties): property group id to its map.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> PropertyGroups { get; }

    /// <summary>
    /// Run options with <see cref="Parallelism"/>, <see cref="RestoreFrom"/>, the engine's clock, the application's
    /// name, and the engine's meter factory (so the run's metrics are on the engine's <c>StreamCore</c> meter).
    /// </summary>
    /// <returns>New options, to adjust further.</returns>
    public WindowRunOptions RunOptions() => new()
    {
        Parallelism = Parallelism,
        RestoreFrom = RestoreFrom,
        TimeProvider = TimeProvider,
        Name = ApplicationName,
        MeterFactory = Engine.Options.MeterFactory,
    };
}

/// <summary>
/// A running application's code, as its registration starts it: a <see cref="WindowRun{TEvent, TKey, TResult}"/>
/// already is one. Snapshots call <see cref="CheckpointAsync"/>; stopping disposes it.
/// </summary>
public interface IAnalyticsJob : IAsyncDisposable
{
    /// <summary>Completes when the job ends on its own (its input ended or it failed).</summary>
    Task Completion { get; }

    /// <summary>The job's state now, for a snapshot.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The checkpoint.</returns>
    ValueTask<WindowCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default);
}
