using StreamCore.Buckets;
using StreamCore.Functions;
using StreamCore.Kinesis;

namespace StreamCore.EventSources;

/// <summary>
/// Lambda for one engine (one account in one region): its functions, its event source mappings and their pollers,
/// and the destinations their failure records go to. Get it with <see cref="EventSourcesEngineExtensions.GetLambdaService"/>;
/// its control plane is the <see cref="ILambdaClient"/> it implements. Thread-safe.
/// </summary>
/// <remarks>
/// A mapping moves through Lambda's states (Creating, Enabled, Updating, Disabling, Disabled, Enabling, Deleting); each
/// transitional state lasts the engine's <see cref="StreamEngineOptions.StatusTransitionDelay"/> on its clock, and a
/// change takes effect when it ends. Dispose the service (or the container that owns it) to stop every poller.
/// </remarks>
public sealed partial class LambdaService : ILambdaClient, IAsyncDisposable
{
    private readonly Lock _control = new();
    private readonly Dictionary<string, EventSourceMapping> _mappings = new(StringComparer.Ordinal);
    private BucketStore _buckets = new InMemoryBucketStore();
    private long _sequence;
    private bool _disposed;

    internal LambdaService(StreamEngine engine)
    {
        Engine = engine;
        Kinesis = engine.CreateKinesisClient();
        Functions = engine.GetFunctionRegistry();
        StatusTransitionDelay = engine.Options.StatusTransitionDelay;
        Metrics = new MappingMetrics(engine);
    }

    /// <summary>The functions mappings invoke (the engine's registry).</summary>
    public FunctionRegistry Functions { get; }

    /// <summary>The in-process SQS queues on-failure destinations write to.</summary>
    public MessageQueues Queues { get; } = new();

    /// <summary>
    /// Where S3 on-failure destinations write (objects keyed <c>aws/lambda/&lt;UUID&gt;/&lt;shardId&gt;/YYYY/MM/DD/…</c>).
    /// Default an <see cref="InMemoryBucketStore"/>; the server sets its bucket store.
    /// </summary>
    public BucketStore Buckets
    {
        get => Volatile.Read(ref _buckets);
        set => Volatile.Write(ref _buckets, value ?? throw new ArgumentNullException(nameof(value)));
    }

    internal StreamEngine Engine { get; }

    internal IKinesisClient Kinesis { get; }

    internal TimeProvider Time => Engine.TimeProvider;

    internal TimeSpan StatusTransitionDelay { get; }

    internal MappingMetrics Metrics { get; }

    /// <summary>Stops every mapping's poller (an invocation in flight is cancelled; nothing is checkpointed past what succeeded).</summary>
    /// <returns>A task that completes when every poller has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        List<MappingRunner> runners;
        lock (_control)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            runners = [.. _mappings.Values.Select(m => m.Runner).OfType<MappingRunner>()];
            foreach (EventSourceMapping mapping in _mappings.Values)
            {
                mapping.Transition?.Dispose();
            }
        }

        foreach (MappingRunner runner in runners)
        {
            await runner.StopAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The mapping of <paramref name="uuid"/> for the poller's tests and the host, or null.</summary>
    internal EventSourceMapping? Find(string uuid)
    {
        lock (_control)
        {
            return _mappings.GetValueOrDefault(uuid);
        }
    }
}
