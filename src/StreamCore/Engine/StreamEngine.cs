using System.Collections.Concurrent;
using System.Security.Cryptography;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Hashing;
using StreamCore.Engine.Metrics;
using StreamCore.Storage;
using StreamCore.Engine.Throughput;

namespace StreamCore;

/// <summary>
/// An in-process Kinesis Data Streams engine: one AWS account in one region. It owns the streams, their shards
/// and records, and takes all time from <see cref="StreamEngineOptions.TimeProvider"/>. Several engines may live in
/// one process (one per test); they share nothing. Dispose the engine to stop its timers and release waiting readers.
/// </summary>
/// <remarks>
/// Two faces stand over one engine, and the engine knows neither: <see cref="KinesisEngineExtensions.CreateKinesisClient"/>
/// returns a Kinesis-shaped <see cref="Kinesis.IKinesisClient"/> for code written against the AWS SDK, and
/// <see cref="EventBusEngineExtensions.CreateStream(StreamEngine, string, int)"/> /
/// <see cref="EventBusEngineExtensions.GetStream"/> return <see cref="DataStream"/> handles for allocation-free event-bus use.
/// </remarks>
public sealed partial class StreamEngine : IDisposable
{
    private const int MaxStreamsCreating = 5;

    private readonly ConcurrentDictionary<string, StreamState> _streams = new(StringComparer.Ordinal);
    private readonly Lock _control = new();
    private readonly ITimer _retentionSweep;
    private readonly ITimer _onDemandScaler;
    private int _disposed;

    // The last StreamState.Incarnation handed out; under _control.
    private long _streamIncarnations;

    /// <summary>Creates an engine with default options (account 000000000000, us-east-1, system clock).</summary>
    public StreamEngine()
        : this(new StreamEngineOptions())
    {
    }

    /// <summary>Creates an engine.</summary>
    /// <param name="options">
    /// The engine's options: copied (nested option objects included), so changing them later changes nothing, then
    /// validated before anything is created.
    /// </param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it, its value and the rule.</exception>
    public StreamEngine(StreamEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Clone();
        options.Validate();
        Options = options;
        Time = options.TimeProvider;
        Clock = new EngineClock(options.TimeProvider, options.UseCoarseClock);
        Throughput = options.Throughput is { } limits ? new ThroughputGovernor(limits, options.AccountId) : null;
        Metrics = new StreamMetrics(options.AccountId, options.Region, options.MeterFactory);
        Budget = new StorageBudget(options.MaxRetainedBytes, options.MemoryLimitPolicy, options.SegmentRecordCapacity, options.SegmentArenaBytes);
        Tokens = new TokenSigner(options.IteratorSigningKey is { } key ? TokenKey(key, options.AccountId, options.Region) : null);
        _retentionSweep = Time.CreateTimer(static s => ((StreamEngine)s!).SweepRetention(), this, options.RetentionSweepInterval, options.RetentionSweepInterval);
        TimeSpan sample = options.OnDemandScaling.SampleInterval;
        _onDemandScaler = Time.CreateTimer(static s => ((StreamEngine)s!).ScaleOnDemandStreams(), this, sample, sample);
    }

    /// <summary>
    /// The key an engine seals its iterators and tokens with: a configured key bound to the engine's account and region,
    /// so engines that share one (the server's accounts) never accept each other's iterators, while an engine of the
    /// same account and region (restarted) still does.
    /// </summary>
    private static byte[] TokenKey(byte[] configured, string accountId, string region) =>
        HMACSHA256.HashData(configured, System.Text.Encoding.UTF8.GetBytes(accountId + "/" + region));

    /// <summary>The account id this engine stands for.</summary>
    public string AccountId => Options.AccountId;

    /// <summary>The region this engine stands for.</summary>
    public string Region => Options.Region;

    /// <summary>The engine's clock.</summary>
    public TimeProvider TimeProvider => Time;

    /// <summary>Fault injection for the Kinesis-shaped client: rules that make chosen calls fail (see <see cref="FaultRule"/>).</summary>
    public FaultInjector Faults { get; } = new();

    /// <summary>Bytes currently retained for records across all streams (counted per storage segment).</summary>
    public long RetainedBytes => Budget.RetainedBytes;

    internal StreamEngineOptions Options { get; }

    internal TimeProvider Time { get; }

    internal StorageBudget Budget { get; }

    /// <summary>Seals shard iterators and pagination tokens with the engine's key.</summary>
    internal TokenSigner Tokens { get; }

    internal EngineClock Clock { get; }

    /// <summary>The engine's meter and instruments (named after Kinesis's CloudWatch metrics).</summary>
    internal StreamMetrics Metrics { get; }

    /// <summary>The engine's meter, for the processing layer's own instruments (Firehose's metrics).</summary>
    internal System.Diagnostics.Metrics.Meter Meter => Metrics.Meter;

    /// <summary>The throughput limits in force, or null when they are off.</summary>
    internal ThroughputGovernor? Throughput { get; }

    /// <summary>MD5 of hot partition keys, shared by every stream (the hash does not depend on the stream).</summary>
    internal PartitionKeyHashCache KeyHashes { get; } = new();

    internal long NowMs => Clock.NowMs;

    /// <summary>Deletes a stream; its records are released and its readers complete.</summary>
    /// <param name="streamName">The stream's name.</param>
    /// <exception cref="ResourceNotFoundException">No such stream.</exception>
    public void DeleteStream(string streamName)
    {
        ArgumentNullException.ThrowIfNull(streamName);
        DeleteStreamCore(Resolve(streamName, null), enforceConsumerDeletion: false);
    }

    /// <summary>The names of all streams, in ordinal order.</summary>
    /// <returns>A snapshot of the stream names.</returns>
    public IReadOnlyList<string> ListStreamNames() => [.. _streams.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Stops the engine's timers, closes every stream and releases readers waiting on them.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _retentionSweep.Dispose();
        _onDemandScaler.Dispose();
        Metrics.Dispose();
        lock (_control)
        {
            foreach (StreamState stream in _streams.Values)
            {
                stream.TransitionTimer?.Dispose();
                foreach (ShardState shard in stream.Shards)
                {
                    shard.Log.Release();
                }
            }

            _streams.Clear();
        }
    }
}
