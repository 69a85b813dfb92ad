using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using StreamCore.Connectors;
using StreamCore.Errors;
using StreamCore.Hashing;
using StreamCore.Kinesis;

namespace StreamCore.Producing;

/// <summary>
/// A KPL-style producer for one stream: user records are packed into KPL aggregates per predicted shard, collected
/// into PutRecords calls within Kinesis's limits, rate-limited per shard, and retried with jittered backoff until
/// <see cref="KinesisProducerOptions.RecordTtl"/>. Every <see cref="AddAsync"/> completes with where the record was
/// stored, or fails with the final error: no record is dropped without its caller being told. Thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Bounds.</b> At most <see cref="KinesisProducerOptions.MaxOutstandingRecords"/> records and
/// <see cref="KinesisProducerOptions.MaxOutstandingBytes"/> bytes are held; beyond that AddAsync waits (or fails,
/// with <see cref="ProducerFullMode.Fail"/>), and everything buffered is sent at once rather than at its deadline.</para>
/// <para><b>Ordering.</b> Records with the same partition key (or explicit hash key) go to the same aggregate and
/// shard in the order they were added. By default that order is kept when no record is retried and PutRecords calls
/// complete in the order they were sent (always so with the embedded engine, whose calls complete synchronously;
/// over a network up to <see cref="KinesisProducerOptions.MaxConcurrentRequests"/> calls are in flight and may
/// overtake). A retried record may land after records added later. With
/// <see cref="KinesisProducerOptions.StrictOrdering"/>, one call is in flight per shard and failed records are
/// retried before anything later of their shard is sent, so per-key order holds under retries too; only user records
/// re-sent because a reshard moved their keys (below) may then follow later ones.</para>
/// <para><b>Reshards.</b> The shard map comes from ListShards. When a put lands on a shard other than the predicted
/// one, the map is refreshed; an aggregate whose user records all lie in the range of the shard it landed on is
/// stored, and one holding keys outside it (which the KCL would drop) is taken apart and its user records are sent
/// again by the new map, so de-aggregating readers see each user record once.</para>
/// <para><b>Cancellation.</b> AddAsync's token cancels only a wait for room; once accepted, a record goes out.</para>
/// </remarks>
public sealed partial class KinesisProducer : IAsyncDisposable
{
    private static readonly Aggregation.RecordDeaggregator Unpacker = new();

    private readonly RecordSink _sink;
    private readonly KinesisProducerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ProducerMetrics _metrics;
    private readonly ResiliencePipeline<int> _retry;
    private readonly ShardRateLimiter? _rateLimiter;
    private readonly ConcurrentQueue<UserRecordCompletion> _completions = new();
    private readonly PartitionKeyTable _keyTable = new();
    private readonly ITimer _timer;
    private readonly AggregateBufferPool _buffers;
    private readonly KinesisRecordPool _records;
    private readonly long _bufferedTicks;
    private readonly long _retryBufferedTicks;
    private readonly long _ttlTicks;

    // Everything below is guarded by _lock.
    private readonly Lock _lock = new();
    private ShardMap? _map;
    private Aggregator[] _aggregators = [];
    private readonly Lane _lane = new(null);
    private readonly Dictionary<ShardId, Lane> _shardLanes = [];
    private readonly Queue<SendBatch> _toStart = new();
    private readonly Stack<SendBatch> _freeBatches = new();
    private readonly Queue<TaskCompletionSource> _fullWaiters = new();
    private readonly Dictionary<long, int> _pendingByOlderGeneration = [];
    private readonly List<(long Generation, TaskCompletionSource Done)> _flushWaiters = [];
    private long _generation;
    private long _serial;
    private int _pendingInGeneration;
    private int _outstandingRecords;
    private long _outstandingBytes;
    private long _timerDue = long.MaxValue;
    private bool _disposed;
    private Task<ShardMap>? _mapLoad;
    private volatile int _toStartCount;
    private int _waitingForMap;
    private readonly List<EarlyRecord> _earlyRecords = [];
    private TaskCompletionSource? _mapWaitersDone;

    [ThreadStatic]
    private static bool t_starting;

    /// <summary>Creates a producer that writes through any Kinesis client (embedded, the StreamCore server, Amazon Kinesis).</summary>
    /// <param name="client">The client.</param>
    /// <param name="streamName">The stream to write.</param>
    /// <param name="options">Settings (validated here); null for the KPL's defaults.</param>
    /// <param name="loggerFactory">For the producer's log; null for none.</param>
    /// <param name="meterFactory">Creates the <c>StreamCore</c> meter; null for a meter of its own.</param>
    public KinesisProducer(IKinesisClient client, string streamName, KinesisProducerOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(new KinesisClientRecordSink(client ?? throw new ArgumentNullException(nameof(client)), streamName ?? throw new ArgumentNullException(nameof(streamName))), options, loggerFactory, meterFactory)
    {
    }

    /// <summary>
    /// Creates a producer that appends through the embedded engine's event-bus face: no request objects, no copies
    /// beyond the one into the shard's log. The Kinesis client's fault injection and throughput emulation do not apply.
    /// </summary>
    /// <param name="stream">The stream to write.</param>
    /// <param name="options">Settings (validated here); null for the KPL's defaults.</param>
    /// <param name="loggerFactory">For the producer's log; null for none.</param>
    /// <param name="meterFactory">Creates the <c>StreamCore</c> meter; null for a meter of its own.</param>
    public KinesisProducer(DataStream stream, KinesisProducerOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
        : this(new DataStreamRecordSink(stream ?? throw new ArgumentNullException(nameof(stream))), options, loggerFactory, meterFactory)
    {
    }

    internal KinesisProducer(RecordSink sink, KinesisProducerOptions? options, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory)
    {
        options ??= new KinesisProducerOptions();
        options.Validate();
        _sink = sink;
        _options = options;
        _time = options.TimeProvider;
        _timerDue = long.MaxValue;
        _logger = (ILogger?)loggerFactory?.CreateLogger<KinesisProducer>() ?? NullLogger.Instance;
        _metrics = new ProducerMetrics(sink.StreamName, meterFactory, () => Volatile.Read(ref _outstandingRecords));
        _buffers = new AggregateBufferPool(Math.Min(options.AggregationMaxSize, 64 * 1024) + 1024);
        _records = new KinesisRecordPool(_buffers);
        _bufferedTicks = Ticks(options.RecordMaxBufferedTime);
        _retryBufferedTicks = _bufferedTicks / 2;
        _ttlTicks = Ticks(options.RecordTtl);
        if ((options.ShardWriteLimits ?? sink.ShardWriteLimits) is { } limits)
        {
            _rateLimiter = new ShardRateLimiter(limits, options.RateLimit, _time);
        }

        _retry = new ResiliencePipelineBuilder<int> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<int>
            {
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result > 0),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
            })
            .Build();
        _timer = _time.CreateTimer(static state => ((KinesisProducer)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The stream written to.</summary>
    public string StreamName => _sink.StreamName;

    /// <summary>Where it writes (for tests).</summary>
    internal RecordSink Sink => _sink;

    /// <summary>User records added and not yet final.</summary>
    public int OutstandingRecordCount => Volatile.Read(ref _outstandingRecords);

    /// <summary>
    /// Adds a user record. Bad input is refused here, before anything is buffered, with the Kinesis face's errors:
    /// <see cref="ValidationException"/> for an empty or over-long partition key or a malformed explicit hash key,
    /// <see cref="InvalidArgumentException"/> for a hash key beyond 2^128 - 1 or a record over the stream's maximum
    /// record size. The data is copied; the buffer may be reused once this returns.
    /// </summary>
    /// <param name="partitionKey">1-256 characters; its MD5 chooses the shard unless an explicit hash key is given.</param>
    /// <param name="data">The payload.</param>
    /// <param name="explicitHashKey">A decimal hash key in [0, 2^128 - 1] that chooses the shard.</param>
    /// <param name="cancellationToken">Cancels a wait for room (see <see cref="KinesisProducerOptions.FullMode"/>).</param>
    /// <returns>
    /// Completes when the record is stored, with its shard, sequence number, subsequence number and attempts; fails
    /// with <see cref="UserRecordFailedException"/> when it cannot be stored. Await it once.
    /// </returns>
    public ValueTask<UserRecordResult> AddAsync(string partitionKey, ReadOnlyMemory<byte> data, string? explicitHashKey = null, CancellationToken cancellationToken = default)
    {
        ShardMap? map = Volatile.Read(ref _map);
        if (map is null)
        {
            return AddSlowAsync(partitionKey, data, explicitHashKey, cancellationToken);
        }

        if (Validate(map.MaxRecordBytes, partitionKey, data.Length, explicitHashKey, out UInt128 hashKey, out ProducerKey? key) is { } invalid)
        {
            return ValueTask.FromException<UserRecordResult>(invalid);
        }

        UserRecordCompletion? completion;
        lock (_lock)
        {
            if (_disposed)
            {
                return ValueTask.FromException<UserRecordResult>(new ObjectDisposedException(nameof(KinesisProducer)));
            }

            completion = TryAdmit(key!.Utf8Length + data.Length);
            if (completion is not null)
            {
                completion.HashKey = hashKey;
                Enqueue(completion, key, explicitHashKey, data.Span, arrival: 0, expiry: 0);
            }
        }

        if (completion is null)
        {
            return AddSlowAsync(partitionKey, data, explicitHashKey, cancellationToken);
        }

        _metrics.Add(_metrics.UserRecordsReceived, 1);
        StartReadyBatches();
        return new ValueTask<UserRecordResult>(completion, completion.Version);
    }

    private async ValueTask<UserRecordResult> AddSlowAsync(string partitionKey, ReadOnlyMemory<byte> data, string? explicitHashKey, CancellationToken cancellationToken)
    {
        if (Validate(int.MaxValue, partitionKey, data.Length, explicitHashKey, out _, out _) is { } malformed)
        {
            throw malformed;
        }

        // Records that arrive before the first shard map queue in arrival order (so per-key order holds from the
        // first record) and are counted, so a FlushAsync or DisposeAsync called after them waits for them too.
        EarlyRecord? early = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_map is null)
            {
                early = new EarlyRecord(partitionKey, data.ToArray(), explicitHashKey);
                _earlyRecords.Add(early);
                if (_waitingForMap++ == 0)
                {
                    _mapWaitersDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }

        if (early is not null)
        {
            _ = LoadMapAsync(CancellationToken.None).ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            UserRecordCompletion admitted = await early.Admitted.Task.ConfigureAwait(false);
            StartReadyBatches();
            return await new ValueTask<UserRecordResult>(admitted, admitted.Version).ConfigureAwait(false);
        }

        ShardMap map = Volatile.Read(ref _map)!;
        if (Validate(map.MaxRecordBytes, partitionKey, data.Length, explicitHashKey, out UInt128 hashKey, out ProducerKey? key) is { } invalid)
        {
            throw invalid;
        }

        while (true)
        {
            UserRecordCompletion? completion;
            Task? room = null;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                completion = TryAdmit(key!.Utf8Length + data.Length);
                if (completion is not null)
                {
                    completion.HashKey = hashKey;
                    Enqueue(completion, key, explicitHashKey, data.Span, arrival: 0, expiry: 0);
                }
                else if (_options.FullMode == ProducerFullMode.Fail)
                {
                    throw new ProducerBufferFullException(string.Create(CultureInfo.InvariantCulture,
                        $"The producer for stream {StreamName} holds {_outstandingRecords} records ({_outstandingBytes} bytes) not yet final; at most {_options.MaxOutstandingRecords} records and {_options.MaxOutstandingBytes} bytes are allowed (FullMode is Fail)."));
                }
                else
                {
                    var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _fullWaiters.Enqueue(waiter);
                    room = waiter.Task;

                    // Nothing is gained by waiting for deadlines while callers wait for room: send what is buffered.
                    SealAll();
                }
            }

            if (completion is not null)
            {
                _metrics.Add(_metrics.UserRecordsReceived, 1);
                StartReadyBatches();
                return await new ValueTask<UserRecordResult>(completion, completion.Version).ConfigureAwait(false);
            }

            StartReadyBatches();
            await room!.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Admits the records that arrived before the first shard map, in arrival order, now that it is here (refusing
    /// any over the stream's record size), or fails them all with the error that kept the map away. Under the lock.
    /// </summary>
    private void AdmitEarlyRecords(ShardMap? map, Exception? loadError)
    {
        if (_earlyRecords.Count == 0)
        {
            return;
        }

        foreach (EarlyRecord early in _earlyRecords)
        {
            if (map is null)
            {
                early.Admitted.TrySetException(loadError!);
            }
            else if (Validate(map.MaxRecordBytes, early.PartitionKey, early.Data.Length, early.ExplicitHashKey, out UInt128 hashKey, out ProducerKey? key) is { } invalid)
            {
                early.Admitted.TrySetException(invalid);
            }
            else
            {
                // Admitted past the bounds: they were accepted before the producer could know its stream.
                int bytes = key!.Utf8Length + early.Data.Length;
                _outstandingRecords++;
                _outstandingBytes += bytes;
                _pendingInGeneration++;
                UserRecordCompletion completion = UserRecordCompletion.Rent(_completions);
                completion.Generation = _generation;
                completion.Bytes = bytes;
                completion.HashKey = hashKey;
                Enqueue(completion, key, early.ExplicitHashKey, early.Data, arrival: 0, expiry: 0);
                _metrics.Add(_metrics.UserRecordsReceived, 1);
                early.Admitted.TrySetResult(completion);
            }

            DoneWaitingForMap();
        }

        _earlyRecords.Clear();
    }

    /// <summary>A record added before the first shard map, waiting for it (a copy of its data).</summary>
    private sealed class EarlyRecord(string partitionKey, byte[] data, string? explicitHashKey)
    {
        public readonly string PartitionKey = partitionKey;
        public readonly byte[] Data = data;
        public readonly string? ExplicitHashKey = explicitHashKey;
        public readonly TaskCompletionSource<UserRecordCompletion> Admitted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One record that waited for the first shard map is admitted or refused. Under the lock.</summary>
    private void DoneWaitingForMap()
    {
        if (--_waitingForMap == 0)
        {
            _mapWaitersDone?.TrySetResult();
        }
    }

    /// <summary>
    /// Sends everything buffered now and completes when every record added before the call has its final result
    /// (stored or failed); records added meanwhile are not waited for.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the records still go out).</param>
    /// <returns>A task that completes when those records are final.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task done;
        Task? mapped = null;
        lock (_lock)
        {
            if (_waitingForMap > 0)
            {
                mapped = _mapWaitersDone!.Task;
            }
        }

        if (mapped is not null)
        {
            await mapped.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        lock (_lock)
        {
            SealAll();
            if (_pendingInGeneration == 0 && _pendingByOlderGeneration.Count == 0)
            {
                done = Task.CompletedTask;
            }
            else
            {
                if (_pendingInGeneration > 0)
                {
                    _pendingByOlderGeneration[_generation] = _pendingInGeneration;
                }

                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _flushWaiters.Add((_generation, waiter));
                _generation++;
                _pendingInGeneration = 0;
                done = waiter.Task;
            }
        }

        StartReadyBatches();
        await done.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refuses new records, flushes (every record added has its final result), and stops the timer.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        TaskCompletionSource[] waiting;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            waiting = [.. _fullWaiters];
            _fullWaiters.Clear();
        }

        foreach (TaskCompletionSource waiter in waiting)
        {
            waiter.TrySetResult(); // they see _disposed and fail with ObjectDisposedException
        }

        await FlushAsync().ConfigureAwait(false);
        await _timer.DisposeAsync().ConfigureAwait(false);
        _metrics.Dispose();
    }

    /// <summary>Checks a record as the Kinesis face would; returns the error, or null with its hash key and partition key.</summary>
    private Exception? Validate(int maxRecordBytes, string partitionKey, int dataLength, string? explicitHashKey, out UInt128 hashKey, out ProducerKey? key)
    {
        hashKey = default;
        key = null;
        if (partitionKey is not { Length: > 0 and <= Constraints.MaxPartitionKeyLength } || (explicitHashKey is not null && !Constraints.IsHashKey(explicitHashKey)))
        {
            var errors = default(ValidationErrors);
            Constraints.PartitionKey(ref errors, partitionKey, "partitionKey");
            Constraints.ExplicitHashKey(ref errors, explicitHashKey, "explicitHashKey");
            try
            {
                errors.ThrowIfAny();
            }
            catch (ValidationException ex)
            {
                return ex;
            }
        }

        ProducerKey known = _keyTable.Get(partitionKey);
        if (explicitHashKey is not null)
        {
            if (PartitionKeyHash.TryParseExplicitHashKey(explicitHashKey, out hashKey) != ExplicitHashKeyParse.Ok)
            {
                return ErrorMessages.ExplicitHashKeyOutOfRange(explicitHashKey);
            }
        }
        else
        {
            hashKey = known.HashKey;
        }

        if (known.Utf8Length + dataLength > maxRecordBytes)
        {
            return ErrorMessages.RecordTooLarge(known.Utf8Length + dataLength, maxRecordBytes / 1024);
        }

        key = known;
        return null;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
