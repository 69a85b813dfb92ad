using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using StreamCore.Delivery.Compression;
using StreamCore.Delivery.ObjectKeys;
using StreamCore.Delivery.Validation;
using StreamCore.Errors;

namespace StreamCore.Delivery.Buffering;

/// <summary>
/// The path of one delivery stream's records to S3: buffers (one per partition, one per error type, one for the source
/// backup) filled under one lock and detached whole when they reach the size hint or their interval passes on the
/// engine's clock, then a single writer that compresses each batch, names it and writes it, retrying a failing bucket
/// store with back-off on the same clock. Nothing accepted is lost: a reconfiguration detaches the buffers under the
/// old settings, a stop detaches everything and waits for the writer.
/// </summary>
/// <remarks>
/// The writer is one role, held by <see cref="_writing"/>: the background task takes it for each batch, and a flush
/// that finds nothing queued or being written takes it and makes the first attempt on its own thread, so a caller
/// waiting for its objects pays no hand-off to another thread and back. Either way batches are written one at a time,
/// in the order they were detached; a failed attempt goes to the background task, which owns the back-off.
/// </remarks>
internal sealed class DeliveryPipeline : IDeliveryTarget, IDisposable
{
    public const int MaxActivePartitions = 500;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly DeliveryContext _context;
    private readonly string _streamName;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Buffered> _buffers = new(StringComparer.Ordinal);
    private readonly Channel<DeliveryBatch> _batches = Channel.CreateUnbounded<DeliveryBatch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ITimer _timer;
    private readonly Task _writer;
    private readonly CancellationTokenSource _abandonRetries = new();

    // The writer's role: whoever holds it (the background task, or a flush delivering on its own thread) writes.
    private readonly SemaphoreSlim _writing = new(1, 1);
    private S3Settings _settings;
    private MetadataQuery? _query;
    private long _version;
    private long _nextDueMs = long.MaxValue;
    private bool _stopped;

    // Batches handed to the writer and not yet finished; _idle completes when it returns to zero.
    private int _pending;
    private TaskCompletionSource _idle = NewIdle(completed: true);
    private long _givenUpRecords;

    public DeliveryPipeline(DeliveryContext context, string streamName, S3Settings settings, long version)
    {
        _context = context;
        _streamName = streamName;
        _settings = settings;
        _query = Query(settings);
        _version = version;
        _timer = context.Time.CreateTimer(static s => ((DeliveryPipeline)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>Records given up after the retry duration (or on a final stop with the destination down).</summary>
    public long GivenUpRecords => Interlocked.Read(ref _givenUpRecords);

    /// <summary>Objects detached for delivery and not yet written (or given up).</summary>
    public int PendingBatches => Volatile.Read(ref _pending);

    /// <summary>Records currently buffered (not yet detached for delivery).</summary>
    public int BufferedRecords
    {
        get
        {
            lock (_gate)
            {
                return _buffers.Values.Sum(b => b.Batch.Count);
            }
        }
    }

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            idle.SetResult();
        }

        return idle;
    }

    private static MetadataQuery? Query(S3Settings settings) =>
        settings.DynamicPartitioning && settings.MetadataExtraction is { } extraction && MetadataQuery.TryParse(extraction.Parameter("MetadataExtractionQuery")!, out MetadataQuery? query, out _)
            ? query
            : null;

    /// <summary>Buffers records (after any transformation). Refused once the pipeline has stopped.</summary>
    /// <param name="records">The records.</param>
    /// <param name="lambdaKeys">Per record, the partition keys the transformation returned (or null).</param>
    /// <param name="backedUp">Whether the source records were already backed up (by the transformation, before it ran).</param>
    public void Accept(ReadOnlySpan<IncomingRecord> records, IReadOnlyList<IReadOnlyDictionary<string, string>?>? lambdaKeys = null, bool backedUp = false)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                throw new ServiceUnavailableException($"Delivery stream {_streamName} is stopping and accepts no more records.");
            }

            long now = _context.NowMs;
            S3Settings s = _settings;
            bool delimiter = s.AppendsDelimiter;

            // What the rest of this call will add to one buffer: a buffer started here is sized for it at once instead
            // of growing (and copying) from a few kilobytes.
            long remaining = 0;
            foreach (IncomingRecord r in records)
            {
                remaining += r.Data.Length + (delimiter ? 1 : 0);
            }

            for (int i = 0; i < records.Length; i++)
            {
                IncomingRecord r = records[i];
                if (s.BackupMode == "Enabled" && s.Backup is { } backup && !backedUp)
                {
                    Add("backup", backup, BatchKind.Backup, null, null, r.Data.Span, r.ArrivalMs, delimiter: false, now, remaining);
                }

                if (!s.DynamicPartitioning)
                {
                    Add(string.Empty, s, BatchKind.Data, null, null, r.Data.Span, r.ArrivalMs, delimiter, now, remaining);
                    remaining -= r.Data.Length + (delimiter ? 1 : 0);
                    continue;
                }

                var keys = new Dictionary<string, string>(StringComparer.Ordinal);
                string? error = null;
                string errorCode = "DynamicPartitioning.MetadataExtractionFailed";
                if (_query is { } query && !query.TryEvaluate(r.Data, keys, out error))
                {
                    AddError(s, "processing-failed", r, errorCode, error!, attempts: 1, lambdaArn: null, now);
                    continue;
                }

                foreach (string key in s.PrefixTemplate!.LambdaKeys)
                {
                    if (lambdaKeys?[i] is { } fromLambda && fromLambda.TryGetValue(key, out string? value))
                    {
                        keys[PrefixTemplate.LambdaName(key)] = value;
                    }
                    else
                    {
                        error = $"The partition key '{key}' was not returned by the transformation in metadata.partitionKeys.";
                        errorCode = "DynamicPartitioning.PartitionKeyMissing";
                        break;
                    }
                }

                if (error is not null)
                {
                    AddError(s, "processing-failed", r, errorCode, error, attempts: 1, lambdaArn: null, now);
                    continue;
                }

                string bufferKey = "p:" + string.Join('\u0001', keys.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Key + "=" + k.Value));
                if (!_buffers.ContainsKey(bufferKey) && _buffers.Keys.Count(k => k.StartsWith("p:", StringComparison.Ordinal)) >= MaxActivePartitions)
                {
                    AddError(s, "processing-failed", r, "DynamicPartitioning.ActivePartitionsLimitExceeded", $"The delivery stream has {MaxActivePartitions} active partitions, its limit.", attempts: 1, lambdaArn: null, now);
                    continue;
                }

                Add(bufferKey, s, BatchKind.Data, null, keys, r.Data.Span, r.ArrivalMs, delimiter, now);
            }

            if (s.IntervalInSeconds == 0)
            {
                DetachWhere(b => b.Batch.Kind == BatchKind.Data);
            }

            ArmTimer();
        }
    }

    /// <summary>Buffers records that failed before the destination (a transformation's failures) for the error output.</summary>
    public void AcceptFailures(IReadOnlyList<(IncomingRecord Record, string ErrorCode, string ErrorMessage, int Attempts, string? LambdaArn)> failures)
    {
        lock (_gate)
        {
            long now = _context.NowMs;
            foreach ((IncomingRecord record, string code, string message, int attempts, string? arn) in failures)
            {
                AddError(_settings, "processing-failed", record, code, message, attempts, arn, now);
            }

            ArmTimer();
        }
    }

    /// <summary>Buffers source records for the S3 backup (when the transformation runs first, it backs up what it was given).</summary>
    public void AcceptBackup(ReadOnlySpan<IncomingRecord> records)
    {
        lock (_gate)
        {
            S3Settings s = _settings;
            if (s.BackupMode != "Enabled" || s.Backup is not { } backup)
            {
                return;
            }

            long now = _context.NowMs;
            foreach (IncomingRecord r in records)
            {
                Add("backup", backup, BatchKind.Backup, null, null, r.Data.Span, r.ArrivalMs, delimiter: false, now);
            }

            ArmTimer();
        }
    }

    /// <summary>
    /// Buffers error records another destination already shaped (a search destination's failed documents) for the
    /// error output under <paramref name="errorType"/>, one JSON line each, as the other error records are.
    /// </summary>
    public void AcceptErrorLines(string errorType, IReadOnlyList<(ReadOnlyMemory<byte> Line, long ArrivalMs)> lines)
    {
        lock (_gate)
        {
            long now = _context.NowMs;
            foreach ((ReadOnlyMemory<byte> line, long arrivalMs) in lines)
            {
                Add("e:" + errorType, _settings, BatchKind.Errors, errorType, null, line.Span, arrivalMs, delimiter: true, now);
            }

            ArmTimer();
        }
    }

    private void AddError(S3Settings s, string errorType, IncomingRecord r, string code, string message, int attempts, string? lambdaArn, long now)
    {
        var line = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(line))
        {
            json.WriteStartObject();
            json.WriteNumber("attemptsMade", attempts);
            json.WriteNumber("arrivalTimestamp", r.ArrivalMs);
            json.WriteString("errorCode", code);
            json.WriteString("errorMessage", message);
            json.WriteNumber("attemptEndingTimestamp", now);
            json.WriteBase64String("rawData", r.Data.Span);
            if (lambdaArn is not null)
            {
                json.WriteString("lambdaArn", lambdaArn);
            }

            json.WriteEndObject();
        }

        Add("e:" + errorType, s, BatchKind.Errors, errorType, null, line.WrittenSpan, r.ArrivalMs, delimiter: true, now);
    }

    /// <summary>
    /// Appends one record to the buffer of <paramref name="key"/> (detaching it first when the record would take it past
    /// the size hint); a new buffer is sized for <paramref name="expectedBytes"/>, what the caller will add to it with
    /// this record (0 when unknown), up to the size hint.
    /// </summary>
    private void Add(string key, S3Settings s, BatchKind kind, string? errorType, IReadOnlyDictionary<string, string>? partitionKeys, ReadOnlySpan<byte> data, long arrivalMs, bool delimiter, long now, long expectedBytes = 0)
    {
        long limit = s.SizeBytes;
        int size = data.Length + (delimiter ? 1 : 0);
        if (_buffers.TryGetValue(key, out Buffered? buffered) && buffered.Batch.Count > 0 && buffered.Batch.Length + size > limit)
        {
            // The record would take the object past the size hint: the buffer goes as it is, the record starts the next.
            Detach(key, buffered);
            buffered = null;
        }

        if (buffered is null)
        {
            buffered = new Buffered(new DeliveryBatch(s, _version, kind, errorType, partitionKeys, arrivalMs, (int)Math.Min(limit, Math.Max(Math.Max(size * 4, 4096), expectedBytes))), now + (long)s.Interval.TotalMilliseconds);
            _buffers[key] = buffered;
            if (kind == BatchKind.Data && s.DynamicPartitioning)
            {
                FirehoseMetrics.Add(_context.Metrics.PartitionCount, 1, _streamName);
            }
        }

        buffered.Batch.Append(data, arrivalMs, delimiter);
        if (buffered.Batch.Length >= limit)
        {
            Detach(key, buffered);
        }
    }

    /// <summary>Detaches a buffer for the writer: into the queue of the background task, or into <paramref name="here"/> for a flush that delivers on its own thread.</summary>
    private void Detach(string key, Buffered buffered, List<DeliveryBatch>? here = null)
    {
        _buffers.Remove(key);
        if (Interlocked.Increment(ref _pending) == 1)
        {
            _idle = NewIdle(completed: false);
        }

        if (here is not null)
        {
            here.Add(buffered.Batch);
        }
        else if (!_batches.Writer.TryWrite(buffered.Batch))
        {
            // Only after the writer has completed, which happens after the last detach: cannot lose a batch.
            throw new InvalidOperationException("The delivery writer has stopped.");
        }
    }

    private void DetachWhere(Func<Buffered, bool> predicate, List<DeliveryBatch>? here = null)
    {
        foreach (KeyValuePair<string, Buffered> entry in _buffers.Where(e => predicate(e.Value)).ToList())
        {
            Detach(entry.Key, entry.Value, here);
        }
    }

    private void ArmTimer()
    {
        long next = _buffers.Count == 0 ? long.MaxValue : _buffers.Values.Min(b => b.DueMs);
        if (next == _nextDueMs)
        {
            return;
        }

        _nextDueMs = next;
        _timer.Change(next == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(0, next - _context.NowMs)), Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            long now = _context.NowMs;
            DetachWhere(b => b.DueMs <= now);
            _nextDueMs = long.MinValue;
            ArmTimer();
        }
    }

    /// <summary>
    /// Switches to new settings (UpdateDestination): every buffer goes out under the settings and version it was filled
    /// under, and the records that follow are buffered under the new ones.
    /// </summary>
    public void Reconfigure(S3Settings settings, long version)
    {
        lock (_gate)
        {
            DetachWhere(_ => true);
            _settings = settings;
            _query = Query(settings);
            _version = version;
            ArmTimer();
        }
    }

    /// <summary>
    /// Detaches every buffer now and waits until the writer has delivered them (or given them up). When nothing is
    /// queued or being written, this call takes the writer's role and makes the first attempt itself (a failed one is
    /// retried by the background writer, so <paramref name="cancellationToken"/> still ends the wait, not the delivery).
    /// </summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        List<DeliveryBatch>? here = null;
        lock (_gate)
        {
            // Only when nothing is pending: batches detached earlier are written first, by the writer that has them.
            if (!_stopped && _buffers.Count > 0 && Volatile.Read(ref _pending) == 0 && _writing.Wait(0, CancellationToken.None))
            {
                here = new List<DeliveryBatch>(_buffers.Count);
            }

            DetachWhere(_ => true, here);
            ArmTimer();
        }

        return here is null ? WhenDeliveredAsync(cancellationToken) : DeliverHereAsync(here, cancellationToken);
    }

    /// <summary>A flush's batches, written on its thread while it holds the writer's role; a failed attempt is handed to the background writer.</summary>
    private async Task DeliverHereAsync(List<DeliveryBatch> batches, CancellationToken cancellationToken)
    {
        int next = 0;
        try
        {
            for (; next < batches.Count; next++)
            {
                DeliveryBatch batch = batches[next];
                bool handedOn = false;
                bool ended = false;
                try
                {
                    if (await AttemptAsync(batch).ConfigureAwait(false) == Outcome.Failed)
                    {
                        // Its retries, with their back-off on the engine's clock, are the background writer's; once a
                        // stop has closed that writer's queue, they are this call's (the stop waits for the role).
                        lock (_gate)
                        {
                            handedOn = _batches.Writer.TryWrite(batch);
                        }

                        if (!handedOn)
                        {
                            await RetryAsync(batch).ConfigureAwait(false);
                        }
                    }

                    ended = true;
                }
                finally
                {
                    if (!handedOn)
                    {
                        if (!ended)
                        {
                            Interlocked.Add(ref _givenUpRecords, batch.Count);
                        }

                        Finished(batch);
                    }
                }
            }
        }
        finally
        {
            // Whatever an unexpected failure left unattempted goes to the background writer (or, once it has stopped,
            // is counted as given up): nothing detached is dropped silently.
            for (next++; next < batches.Count; next++)
            {
                bool handedOn;
                lock (_gate)
                {
                    handedOn = _batches.Writer.TryWrite(batches[next]);
                }

                if (!handedOn)
                {
                    Interlocked.Add(ref _givenUpRecords, batches[next].Count);
                    Finished(batches[next]);
                }
            }

            _writing.Release();
        }

        await WhenDeliveredAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when nothing detached is still waiting for the writer.</summary>
    public Task WhenDeliveredAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_gate)
        {
            idle = _idle.Task;
        }

        return idle.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops: refuses further records, detaches every buffer and waits for the writer. A failing destination keeps being
    /// retried on the engine's clock until <paramref name="cancellationToken"/> is cancelled; then each remaining batch
    /// gets one last attempt and what still fails is given up (and counted).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                _stopped = true;
                DetachWhere(_ => true);
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _batches.Writer.TryComplete();
            }
        }

        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abandonRetries))
        {
            await _writer.ConfigureAwait(false);

            // A flush may still be writing on its own thread: it holds the writer's role until it is done.
            await _writing.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            _writing.Release();
        }

        _timer.Dispose();
    }

    /// <summary>Releases the timer and the retry signal (after <see cref="StopAsync"/>).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        _abandonRetries.Dispose();

        // _writing is not disposed: a second stop (StopAsync, then DisposeAsync) still waits on it, and a SemaphoreSlim
        // whose wait handle is never asked for holds nothing to release.
    }

    private async Task WriteAllAsync()
    {
        await foreach (DeliveryBatch batch in _batches.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await _writing.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    // A batch a flush failed to write waits its back-off first, as the writer's own retries do.
                    if (batch.Attempts == 0 && await AttemptAsync(batch).ConfigureAwait(false) != Outcome.Failed)
                    {
                        continue;
                    }

                    await RetryAsync(batch).ConfigureAwait(false);
                }
                finally
                {
                    _writing.Release();
                }
            }
            finally
            {
                Finished(batch);
            }
        }
    }

    /// <summary>A batch is written or given up: its array goes back to the pool and the flushes waiting for it may end.</summary>
    private void Finished(DeliveryBatch batch)
    {
        batch.Release();
        lock (_gate)
        {
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private enum Outcome
    {
        Delivered,
        GivenUp,
        Failed,
    }

    /// <summary>After a failed attempt: waits the back-off on the engine's clock and tries again, until delivered or given up.</summary>
    private async Task RetryAsync(DeliveryBatch batch)
    {
        do
        {
            try
            {
                await Task.Delay(batch.Backoff, _context.Time, _abandonRetries.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping: one last attempt, then give up.
            }

            batch.Backoff = TimeSpan.FromTicks(Math.Min(batch.Backoff.Ticks * 2, MaxBackoff.Ticks));
        }
        while (await AttemptAsync(batch).ConfigureAwait(false) == Outcome.Failed);
    }

    /// <summary>One attempt to write the batch (its key and bytes are made at the first and kept for the retries).</summary>
    private async ValueTask<Outcome> AttemptAsync(DeliveryBatch batch)
    {
        S3Settings s = batch.Settings;
        if (batch.Attempts++ == 0)
        {
            batch.Key = ObjectKey(batch);
            string entryName = batch.Key[(batch.Key.LastIndexOf('/') + 1)..];
            if (s.ObjectExtension.Length > 0 && entryName.EndsWith(s.ObjectExtension, StringComparison.Ordinal))
            {
                entryName = entryName[..^s.ObjectExtension.Length];
            }

            batch.Object = ObjectCompression.Compress(s.Compression, batch.Content, entryName);
            batch.FirstAttemptMs = _context.NowMs;
            batch.Backoff = FirstBackoff;
        }

        try
        {
            await _context.Buckets.PutObjectAsync(s.Bucket, batch.Key!, batch.Object!.Value).ConfigureAwait(false);
            long now = _context.NowMs;
            if (batch.Kind == BatchKind.Backup)
            {
                FirehoseMetrics.Add(_context.Metrics.BackupRecords, batch.Count, _streamName);
            }
            else
            {
                FirehoseMetrics.Add(_context.Metrics.S3Records, batch.Count, _streamName);
                FirehoseMetrics.Add(_context.Metrics.S3Bytes, batch.Length, _streamName);
                FirehoseMetrics.Record(_context.Metrics.S3Success, 1, _streamName);
                FirehoseMetrics.Record(_context.Metrics.S3Freshness, Math.Max(0, (now - batch.OldestArrivalMs) / 1000), _streamName);
            }

            return Outcome.Delivered;
        }
        catch (ArgumentException)
        {
            // The store refuses the key itself (e.g. an empty path segment): no retry can succeed.
            Interlocked.Add(ref _givenUpRecords, batch.Count);
            FirehoseMetrics.Record(_context.Metrics.S3Success, 0, _streamName);
            return Outcome.GivenUp;
        }
#pragma warning disable CA1031 // Any failure of the destination is retried; only the retry duration ends it.
        catch (Exception)
#pragma warning restore CA1031
        {
            FirehoseMetrics.Record(_context.Metrics.S3Success, 0, _streamName);
            if (_abandonRetries.IsCancellationRequested || _context.NowMs - batch.FirstAttemptMs >= (long)_context.MaxS3Retry.TotalMilliseconds)
            {
                Interlocked.Add(ref _givenUpRecords, batch.Count);
                return Outcome.GivenUp;
            }

            return Outcome.Failed;
        }
    }

    /// <summary>
    /// The object's key: the evaluated prefix (timestamps from the oldest record's arrival in the destination's time
    /// zone), then <c>NAME-VERSION-yyyy-MM-dd-HH-mm-ss-UUID</c> and the extension.
    /// </summary>
    private string ObjectKey(DeliveryBatch batch)
    {
        S3Settings s = batch.Settings;
        DateTime zoned = TimeZoneInfo.ConvertTimeFromUtc(DateTimeOffset.FromUnixTimeMilliseconds(batch.OldestArrivalMs).UtcDateTime, s.Zone);
        var key = new StringBuilder(128);
        string RandomString() => _context.RandomString(PrefixTemplate.RandomStringLength);
        switch (batch.Kind)
        {
            case BatchKind.Errors when s.ErrorTemplate is { } error:
                error.AppendTo(key, zoned, RandomString, batch.ErrorOutputType, null, appendTime: true);
                break;
            case BatchKind.Errors:
                key.Append(s.Prefix).Append(batch.ErrorOutputType).Append('/');
                PrefixTemplate.AppendDefault(key, zoned);
                break;
            default:
                if (s.PrefixTemplate is { } prefix)
                {
                    prefix.AppendTo(key, zoned, RandomString, null, batch.PartitionKeys, appendTime: !s.DynamicPartitioning);
                }
                else
                {
                    PrefixTemplate.AppendDefault(key, zoned);
                }

                break;
        }

        key.Append(_streamName).Append('-').Append(batch.Version.ToString(CultureInfo.InvariantCulture)).Append('-')
            .Append(zoned.ToString("yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture)).Append('-')
            .Append(_context.Uuid()).Append(s.ObjectExtension);
        return key.ToString();
    }

    private sealed record Buffered(DeliveryBatch Batch, long DueMs);
}
