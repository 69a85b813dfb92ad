using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace StreamCore.Analytics.Applications;

/// <summary>
/// The Kinesis Analytics v2 applications of one engine (one account and region), with the service's control plane
/// (Create, Describe, List, Update, Delete, Start, Stop, snapshots) as the endpoint's <c>KinesisAnalytics_20180523</c>
/// serves it. An application's code is a .NET pipeline registered here under the application's name with
/// <see cref="RegisterCode"/>; its S3 code location is recorded, not executed. Thread-safe.
/// </summary>
public sealed partial class AnalyticsApplications
{
    private static readonly ConditionalWeakTable<StreamEngine, AnalyticsApplications> ByEngine = [];

    private readonly StreamEngine _engine;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Application> _applications = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<AnalyticsApplicationContext, IAnalyticsJob>> _code = new(StringComparer.Ordinal);
    private long _operations;

    private AnalyticsApplications(StreamEngine engine)
    {
        _engine = engine;
    }

    /// <summary>How long STARTING and STOPPING last (on the engine's clock). Default zero: the next status at once.</summary>
    public TimeSpan StatusDelay { get; set; }

    /// <summary>The applications of <paramref name="engine"/> (the same instance every time, also the one the endpoint serves).</summary>
    /// <param name="engine">The engine.</param>
    /// <returns>Its applications.</returns>
    public static AnalyticsApplications For(StreamEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return ByEngine.GetValue(engine, static e => new AnalyticsApplications(e));
    }

    /// <summary>
    /// Registers the code of the application <paramref name="applicationName"/> (before or after it is created):
    /// StartApplication calls <paramref name="start"/> with the application's parallelism, restore snapshot and
    /// properties, and StopApplication disposes what it returned. Replaces an earlier registration.
    /// </summary>
    /// <param name="applicationName">The application's name.</param>
    /// <param name="start">Starts the pipeline, for example <c>ctx =&gt; query.Start(ctx.Engine.GetStream("clicks"), decode, options: ctx.RunOptions())</c>.</param>
    public void RegisterCode(string applicationName, Func<AnalyticsApplicationContext, IAnalyticsJob> start)
    {
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        ArgumentNullException.ThrowIfNull(start);
        lock (_gate)
        {
            _code[applicationName] = start;
        }
    }

    /// <summary>Removes the code of an application (a running one keeps running).</summary>
    /// <param name="applicationName">The application's name.</param>
    /// <returns>Whether code was registered.</returns>
    public bool UnregisterCode(string applicationName)
    {
        lock (_gate)
        {
            return _code.Remove(applicationName);
        }
    }

    /// <summary>The status of an application (READY, STARTING, RUNNING, STOPPING), or null when there is none.</summary>
    /// <param name="applicationName">The application's name.</param>
    /// <returns>The status.</returns>
    public string? GetStatus(string applicationName)
    {
        lock (_gate)
        {
            return _applications.TryGetValue(applicationName, out Application? app) ? app.Status : null;
        }
    }

    private DateTime Now => _engine.TimeProvider.GetUtcNow().UtcDateTime is var now ? new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc) : default;

    private string Arn(string name) => $"arn:aws:kinesisanalytics:{_engine.Region}:{_engine.AccountId}:application/{name}";

    private string NextOperationId() => Interlocked.Increment(ref _operations).ToString("x12", CultureInfo.InvariantCulture);

    private Application Find(string? name)
    {
        ApplicationRules.ApplicationName(name);
        return _applications.TryGetValue(name!, out Application? app)
            ? app
            : throw AnalyticsException.NotFound($"Application {name} is not found in account {_engine.AccountId}, region {_engine.Region}.");
    }

    private static string Token(string name, long version) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}/{version.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>One application's state; guarded by the registry's lock.</summary>
    private sealed class Application
    {
        public required string Name { get; init; }

        public required string Arn { get; init; }

        public required string RuntimeEnvironment { get; init; }

        public required string Mode { get; init; }

        public required DateTime CreateTimestamp { get; init; }

        public string? Description { get; set; }

        public string? ServiceExecutionRole { get; set; }

        public ApplicationConfiguration Configuration { get; set; } = new();

        public List<CloudWatchLoggingOption> Logging { get; set; } = [];

        public long VersionId { get; set; } = 1;

        public long? UpdatedFrom { get; set; }

        public DateTime LastUpdateTimestamp { get; set; }

        public string Status { get; set; } = ApplicationStatus.Ready;

        public IAnalyticsJob? Job { get; set; }

        public ITimer? Transition { get; set; }

        public RunConfiguration? LastRun { get; set; }

        public List<Snapshot> Snapshots { get; } = [];

        public int Parallelism => Configuration.FlinkApplicationConfiguration?.ParallelismConfiguration is { ConfigurationType: "CUSTOM", Parallelism: { } p } ? p : 1;

        public bool SnapshotsEnabled => Configuration.ApplicationSnapshotConfiguration?.SnapshotsEnabled == true;
    }

    private sealed record Snapshot(string Name, long VersionId, DateTime Created, string RuntimeEnvironment, WindowCheckpoint Checkpoint);
}

/// <summary>ApplicationStatus values.</summary>
internal static class ApplicationStatus
{
    public const string Ready = "READY";
    public const string Starting = "STARTING";
    public const string Running = "RUNNING";
    public const string Stopping = "STOPPING";
    public const string Deleting = "DELETING";
    public const string Updating = "UPDATING";
}
