using System.Collections.Concurrent;
using StreamCore.Buckets;
using StreamCore.Delivery.Buffering;
using StreamCore.Errors;

namespace StreamCore.Delivery;

/// <summary>
/// Firehose in process: the delivery streams of one account (the engine's account and region), buffering records by
/// size and interval on the engine's clock and delivering them as S3 objects into a <see cref="BucketStore"/> with
/// Firehose's object keys, compression and error output. Dispose it (or call <see cref="StopAsync"/>) to deliver
/// everything still buffered.
/// </summary>
/// <remarks>
/// The control plane follows Firehose's API (<see cref="IFirehoseClient"/>), its validation (every member's constraint
/// is checked before anything changes, and reported as AWS reports it) and its exceptions and messages.
/// </remarks>
public sealed partial class Firehose : IFirehoseClient, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, DeliveryStreamState> _streams = new(StringComparer.Ordinal);
    private readonly Lock _control = new();
    private readonly DeliveryContext _context;
    private readonly TimeSpan _statusDelay;
    private readonly int _limit;
    private long _recordIds;
    private readonly long _recordIdBase;
    private readonly ShardPosition _sourcePosition;
    private readonly Search.ISearchIndex _searchIndex;
    private int _disposed;

    /// <summary>Creates the Firehose of <paramref name="engine"/>'s account.</summary>
    /// <param name="engine">The engine: its account, region, clock, meter, and the streams a KinesisStreamAsSource reads.</param>
    /// <param name="options">Where objects go, randomness, delays; default <see cref="FirehoseOptions"/>'s defaults.</param>
    public Firehose(StreamEngine engine, FirehoseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        options ??= new FirehoseOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DeliveryStreamLimit, 1, nameof(options.DeliveryStreamLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.S3RetryDuration, TimeSpan.Zero, nameof(options.S3RetryDuration));
        Engine = engine;
        Buckets = options.Buckets ?? new InMemoryBucketStore(engine.TimeProvider);
        SearchDomains = options.SearchDomains ?? new SearchDomains();
        _searchIndex = options.SearchIndex ?? SearchDomains;
        var random = options.Random ?? new Random();
        _context = new DeliveryContext(engine, Buckets, random, new FirehoseMetrics(engine.Meter), options.S3RetryDuration);
        _statusDelay = options.StatusDelay ?? engine.Options.StatusTransitionDelay;
        ArgumentOutOfRangeException.ThrowIfLessThan(_statusDelay, TimeSpan.Zero, nameof(options.StatusDelay));
        _limit = options.DeliveryStreamLimit;
        _recordIdBase = _context.NextInt64();
        _sourcePosition = options.ReadSourceFromLatest ? ShardPosition.Latest : ShardPosition.TrimHorizon;
    }

    /// <summary>The engine whose account this Firehose serves.</summary>
    public StreamEngine Engine { get; }

    /// <summary>Where S3 destinations write.</summary>
    public BucketStore Buckets { get; }

    /// <summary>Where OpenSearch / Elasticsearch destinations index documents: read them with its DomainNames, IndexNames and Documents.</summary>
    public SearchDomains SearchDomains { get; }

    private string Account => Engine.AccountId;

    private string Arn(string name) => $"arn:aws:firehose:{Engine.Region}:{Account}:deliverystream/{name}";

    private DateTime UtcNow => Engine.Time.GetUtcNow().UtcDateTime;

    private DeliveryStreamState Find(string name) =>
        _streams.TryGetValue(name, out DeliveryStreamState? state)
            ? state
            : throw new ResourceNotFoundException($"Firehose {name} under account {Account} not found.");

    /// <summary>
    /// Delivers everything buffered in <paramref name="deliveryStreamName"/> now (as if its buffering interval had passed)
    /// and completes when those objects are written: the test double's way to see the output without waiting.
    /// </summary>
    /// <param name="deliveryStreamName">The delivery stream.</param>
    /// <param name="cancellationToken">Stops waiting (the delivery goes on).</param>
    /// <returns>A task that completes when the buffered records are delivered.</returns>
    /// <exception cref="ResourceNotFoundException">No such delivery stream.</exception>
    public Task FlushAsync(string deliveryStreamName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveryStreamName);
        return Find(deliveryStreamName).FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Completes when every record of <paramref name="deliveryStreamName"/> whose buffer has been flushed (by size, by
    /// interval on the engine's clock, or by an update) is delivered: wait on this after advancing a fake clock.
    /// </summary>
    /// <param name="deliveryStreamName">The delivery stream.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when nothing flushed is still being delivered.</returns>
    /// <exception cref="ResourceNotFoundException">No such delivery stream.</exception>
    public Task WhenDeliveredAsync(string deliveryStreamName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveryStreamName);
        return Find(deliveryStreamName).WhenDeliveredAsync(cancellationToken);
    }

    /// <summary>
    /// Stops every delivery stream gracefully: no more records are taken, everything buffered is delivered, and a failing
    /// destination keeps being retried (on the engine's clock) until <paramref name="cancellationToken"/> is cancelled;
    /// then each remaining object gets one last attempt.
    /// </summary>
    /// <param name="cancellationToken">Ends the retries of a failing destination.</param>
    /// <returns>A task that completes when everything is delivered or given up.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_streams.Values.Select(s => s.StopAsync(cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Stops every delivery stream, delivering what is buffered (one last attempt for a failing destination).</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var now = new CancellationTokenSource();
        now.Cancel();
        await StopAsync(now.Token).ConfigureAwait(false);
        foreach (DeliveryStreamState stream in _streams.Values)
        {
            stream.StatusTimer?.Dispose();
        }
    }

    /// <summary>Records of <paramref name="deliveryStreamName"/> given up after the retry duration (or on a final stop with the destination down).</summary>
    internal long GivenUpRecords(string deliveryStreamName) => Find(deliveryStreamName).Pipeline.GivenUpRecords;

    /// <summary>Records of <paramref name="deliveryStreamName"/> buffered for the destination (not yet flushed).</summary>
    internal int BufferedRecords(string deliveryStreamName) =>
        Find(deliveryStreamName) is { } state ? state.Pipeline.BufferedRecords + (state.SearchDelivery?.BufferedRecords ?? 0) : 0;

    /// <summary>The checkpoints (last sequence number handed on, per shard) of a KinesisStreamAsSource delivery stream's reader.</summary>
    internal IReadOnlyDictionary<ShardId, SequenceNumber> SourceCheckpoints(string deliveryStreamName) =>
        Find(deliveryStreamName).SourceReader?.Checkpoints ?? new Dictionary<ShardId, SequenceNumber>();

    /// <summary>Completes once a KinesisStreamAsSource delivery stream's reader has listed its shards and opened the first readers.</summary>
    internal Task SourceListed(string deliveryStreamName) => Find(deliveryStreamName).SourceReader?.Listed ?? Task.CompletedTask;

    /// <summary>Completes once every shard reader of a KinesisStreamAsSource delivery stream has ended.</summary>
    internal Task WhenSourceStoppedAsync(string deliveryStreamName) => Find(deliveryStreamName).SourceReader?.Finished ?? Task.CompletedTask;

    private string NextRecordId() => RecordId(ReserveRecordIds(1));

    /// <summary>Reserves <paramref name="count"/> consecutive record numbers (one interlocked add per call) and returns the first.</summary>
    private long ReserveRecordIds(int count) => Interlocked.Add(ref _recordIds, count) - count + 1;

    /// <summary>A RecordId: the Firehose's random base and the record's number, 19 decimal digits each.</summary>
    private string RecordId(long number) => string.Create(38, (_recordIdBase, number), static (chars, ids) =>
    {
        // Digits written by hand: an interpolated "D19" parses its format again for every record of a batch.
        Digits(chars[..19], ids.Item1);
        Digits(chars[19..], ids.Item2);
    });

    private static void Digits(Span<char> into, long value)
    {
        ulong rest = (ulong)value;
        for (int i = into.Length - 1; i >= 0; i--)
        {
            (rest, ulong digit) = Math.DivRem(rest, 10);
            into[i] = (char)('0' + (int)digit);
        }
    }

    /// <summary>Runs <paramref name="action"/> after the status delay on the engine's clock (at once when there is none).</summary>
    private void AfterStatusDelay(DeliveryStreamState state, Action action)
    {
        if (_statusDelay <= TimeSpan.Zero)
        {
            action();
            return;
        }

        ITimer? timer = null;
        timer = Engine.Time.CreateTimer(_ =>
        {
            action();
            timer?.Dispose();
        }, null, _statusDelay, Timeout.InfiniteTimeSpan);
        state.StatusTimer = timer;
    }
}
