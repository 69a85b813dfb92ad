using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamCore.Aggregation;
using StreamCore.Connectors;
using StreamCore.Kinesis;

namespace StreamCore.Consuming;

/// <summary>
/// A KCL-style consumer worker: shares the shards of one stream with the other workers of its application through a
/// lease table (<see cref="ILeaseStore"/>), and runs a <see cref="IShardRecordProcessor"/> for each shard it holds, with
/// the KCL 2.x rules: leases renewed every third of the failover time, expired leases taken, at most one stolen per
/// cycle to balance, parents processed before children, checkpoints in the lease. Runs over any Kinesis
/// (<see cref="IKinesisClient"/>: the embedded engine, the StreamCore server, Amazon Kinesis) or zero-copy over the
/// embedded engine (<see cref="DataStream"/>).
/// </summary>
/// <remarks>
/// <para>Delivery is at least once: a shard's records after its last checkpoint are delivered again to the next owner
/// when a worker dies or its lease is taken; a graceful <see cref="StopAsync"/> lets each processor checkpoint and
/// releases its leases, so the next owner starts exactly after that checkpoint.</para>
/// <para>By default a batch whose processing throws is retried with backoff (the shard waits, the others flow);
/// <see cref="ProcessingFailureMode.MoveOn"/> is the KCL's behaviour.</para>
/// </remarks>
public sealed partial class KinesisConsumer : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, InMemoryLeaseStore> ProcessLeaseTables = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, ShardConsumer> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _loops = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Random _random;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private Task _running = Task.CompletedTask;
    private int _state; // 0 new, 1 started, 2 stopped

    /// <summary>Creates a consumer that reads through any Kinesis client (polling, or fan-out with <see cref="KinesisConsumerOptions.ConsumerArn"/>).</summary>
    /// <param name="client">The Kinesis to read.</param>
    /// <param name="options">The settings; <see cref="KinesisConsumerOptions.StreamName"/> is required. Not to be changed afterwards.</param>
    /// <exception cref="ArgumentException">The options are not valid (the message names the option).</exception>
    public KinesisConsumer(IKinesisClient client, KinesisConsumerOptions options)
        : this(Validated(options, needsStreamName: true), o => new KinesisClientRecordSource(
            client ?? throw new ArgumentNullException(nameof(client)),
            o.StreamName!,
            new KinesisClientSourceOptions { ConsumerArn = o.ConsumerArn, TimeProvider = o.TimeProvider, IdleTimeBetweenReads = o.IdleTimeBetweenReads, ThrottleBackoff = o.TaskBackoffTime, MaxThrottleBackoff = o.MaxRetryBackoff }))
    {
    }

    /// <summary>Creates a consumer that reads the embedded engine's stream zero-copy (its batches lend the engine's storage).</summary>
    /// <param name="stream">The stream to read.</param>
    /// <param name="options">The settings (<see cref="KinesisConsumerOptions.StreamName"/> and <see cref="KinesisConsumerOptions.ConsumerArn"/> are not used). Not to be changed afterwards.</param>
    /// <exception cref="ArgumentException">The options are not valid (the message names the option).</exception>
    public KinesisConsumer(DataStream stream, KinesisConsumerOptions options)
        : this(Validated(options, needsStreamName: false), _ => new DataStreamRecordSource(stream ?? throw new ArgumentNullException(nameof(stream))))
    {
    }

    private KinesisConsumer(KinesisConsumerOptions options, Func<KinesisConsumerOptions, RecordSource> source)
    {
        Options = options;
        Source = source(options);
        WorkerId = options.WorkerId ?? Environment.MachineName + ":" + Guid.NewGuid().ToString("N");
        Store = options.LeaseStore ?? ProcessLeaseTables.GetOrAdd(options.ApplicationName, static _ => new InMemoryLeaseStore());
        Logger = options.LoggerFactory?.CreateLogger<KinesisConsumer>() ?? (ILogger)NullLogger.Instance;
        Deaggregator = new RecordDeaggregator(Logger);
        Metrics = new ConsumerMetrics(Source.StreamName, options.MeterFactory, () => _held.Count, () => _tableSize);
        _random = new Random(StableHash(WorkerId));
    }

    /// <summary>This worker's id: the owner its leases name.</summary>
    public string WorkerId { get; }

    /// <summary>The application (the lease table).</summary>
    public string ApplicationName => Options.ApplicationName;

    /// <summary>The shards whose leases this worker holds now.</summary>
    public IReadOnlyCollection<string> HeldShardIds => [.. _held.Keys.Order(StringComparer.Ordinal)];

    internal KinesisConsumerOptions Options { get; }

    internal RecordSource Source { get; }

    internal ILeaseStore Store { get; }

    internal ILogger Logger { get; }

    internal RecordDeaggregator Deaggregator { get; }

    internal ConsumerMetrics Metrics { get; }

    /// <summary>Cancelled when the consumer is disposed: ends the last callbacks.</summary>
    internal CancellationToken Disposing => _disposing.Token;

    private static KinesisConsumerOptions Validated(KinesisConsumerOptions options, bool needsStreamName)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.FindError(needsStreamName) is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        return options;
    }

    /// <summary>
    /// Checks the configuration against the stream and the lease table (the stream exists; a fan-out consumer ARN is
    /// registered on it and ACTIVE; the table can be created), creates the leases of shards that have none, takes this
    /// worker's first leases and starts processing.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes once processing has started.</returns>
    /// <exception cref="Errors.ResourceNotFoundException">The stream, or the fan-out consumer, does not exist.</exception>
    /// <exception cref="InvalidOperationException">The consumer was already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
            if (_state != 0)
            {
                throw new InvalidOperationException($"Consumer {WorkerId} of application {ApplicationName} was already started; create a new one to start again.");
            }

            await Source.ValidateAsync(cancellationToken).ConfigureAwait(false);
            await Store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await SyncShardsAsync(cancellationToken).ConfigureAwait(false);
                await TakeLeasesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // A start that fails or is cancelled after it took leases leaves nothing running: the shards it started
                // hand their leases back (their processors may checkpoint), so the worker can be started again or dropped.
                await ShutDownAsync([.. _held.Values]).ConfigureAwait(false);
                throw;
            }

            _state = 1;
            ConsumerLog.Started(Logger, WorkerId, ApplicationName, Source.StreamName);
            CancellationToken loops = _loops.Token;
            _running = Task.WhenAll(
                Task.Run(() => LoopAsync(Options.RenewInterval, RenewLeasesAsync, loops), CancellationToken.None),
                Task.Run(() => LoopAsync(Options.TakerInterval, TakeLeasesAsync, loops), CancellationToken.None),
                Task.Run(() => LoopAsync(Options.ShardSyncInterval, SyncShardsAsync, loops), CancellationToken.None));
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops gracefully: no more leases are taken or renewed beyond the hand-off, each processor finishes its batch, is
    /// told <see cref="IShardRecordProcessor.ShutdownRequestedAsync"/> (it may checkpoint), and its lease is released so
    /// another worker takes it at once and starts right after that checkpoint.
    /// </summary>
    /// <param name="cancellationToken">Cuts the hand-off short: processors still running are abandoned (their leases expire).</param>
    /// <returns>A task that completes once every processor has finished.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_state != 1)
            {
                _state = 2;
                return;
            }

            _state = 2;
            await _loops.CancelAsync().ConfigureAwait(false);
            await _running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            ShardConsumer[] consumers = [.. _held.Values];

            // While processors hand off (a slow ShutdownRequested), their leases are still renewed, so none expires then.
            using var handOff = new CancellationTokenSource();
            Task renewals = LoopAsync(Options.RenewInterval, ct => RenewAsync(consumers, ct), handOff.Token);
            foreach (ShardConsumer consumer in consumers)
            {
                consumer.RequestShutdown();
            }

            Task all = Task.WhenAll(consumers.Select(c => c.Completion));
            try
            {
                await all.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                foreach (ShardConsumer consumer in consumers)
                {
                    consumer.Abandon();
                }

                await all.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw;
            }
            finally
            {
                await handOff.CancelAsync().ConfigureAwait(false);
                await renewals.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            ConsumerLog.Stopped(Logger, WorkerId, ApplicationName);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops gracefully (see <see cref="StopAsync"/>) and releases the consumer's resources.</summary>
    /// <returns>A task that completes once every processor has finished.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _disposing.CancelAsync().ConfigureAwait(false);
            Metrics.Dispose();
        }
    }

    private static async Task ShutDownAsync(ShardConsumer[] consumers)
    {
        foreach (ShardConsumer consumer in consumers)
        {
            consumer.RequestShutdown();
        }

        await Task.WhenAll(consumers.Select(c => c.Completion)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task LoopAsync(TimeSpan interval, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                await step(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                ConsumerLog.StoreFailed(Logger, "a lease cycle", ex);
            }
        }
    }

    private Task RenewLeasesAsync(CancellationToken cancellationToken) => RenewAsync([.. _held.Values], cancellationToken);

    private static async Task RenewAsync(ShardConsumer[] consumers, CancellationToken cancellationToken)
    {
        foreach (ShardConsumer consumer in consumers)
        {
            await consumer.RenewAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal void OnLeaseLost(ShardConsumer consumer)
    {
        if (_held.TryRemove(new KeyValuePair<string, ShardConsumer>(consumer.ShardId, consumer)))
        {
            Metrics.LostLeases.Add(1, Metrics.Stream);
        }
    }

    internal void OnLeaseReleased(ShardConsumer consumer) =>
        _held.TryRemove(new KeyValuePair<string, ShardConsumer>(consumer.ShardId, consumer));

    internal void OnShardCompleted(ShardConsumer consumer)
    {
        _held.TryRemove(new KeyValuePair<string, ShardConsumer>(consumer.ShardId, consumer));
        ConsumerLog.ShardCompleted(Logger, consumer.ShardId, WorkerId);
    }

    private static int StableHash(string text)
    {
        int hash = 17;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
