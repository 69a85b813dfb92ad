using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using StreamCore.Delivery.Buffering;
using StreamCore.Errors;

namespace StreamCore.Delivery.Search;

/// <summary>
/// The path of a search destination's records: documents buffered under one lock by the destination's hints (SizeInMBs,
/// IntervalInSeconds on the engine's clock, whichever first), each named at arrival (rotated index, TypeName, Firehose's
/// id), then a single writer that sends each batch as one bulk request and retries a refusing domain with back-off on
/// the same clock for RetryOptions.DurationInSeconds. Rejected documents, and a batch still refused at the deadline, go
/// to the S3 configuration's pipeline as failed documents (<c>AmazonOpenSearchService-failed/</c> or
/// <c>elasticsearch-failed/</c>); with AllDocuments every source record goes to that pipeline too. Nothing accepted is
/// lost: a reconfiguration or a stop detaches the buffer, and the stop waits for the writer before the S3 pipeline stops.
/// </summary>
internal sealed class SearchPipeline : IDeliveryTarget, IDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly DeliveryContext _context;
    private readonly string _streamName;
    private readonly DeliveryPipeline _s3;
    private readonly ISearchIndex _index;
    private readonly Lock _gate = new();
    private readonly Channel<Batch> _batches = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ITimer _timer;
    private readonly Task _writer;
    private readonly CancellationTokenSource _abandonRetries = new();
    private readonly long _idBase;
    private SearchSettings _settings;
    private List<Document> _buffer = [];
    private long _bufferBytes;
    private long _dueMs = long.MaxValue;
    private long _ids;
    private bool _stopped;
    private int _pending;
    private TaskCompletionSource _idle = NewIdle(completed: true);

    public SearchPipeline(DeliveryContext context, string streamName, SearchSettings settings, DeliveryPipeline s3, ISearchIndex index)
    {
        _context = context;
        _streamName = streamName;
        _settings = settings;
        _s3 = s3;
        _index = index;
        _idBase = context.NextInt64();
        _timer = context.Time.CreateTimer(static s => ((SearchPipeline)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>Documents currently buffered (not yet detached for delivery).</summary>
    public int BufferedRecords
    {
        get
        {
            lock (_gate)
            {
                return _buffer.Count;
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

    /// <inheritdoc/>
    public void Accept(ReadOnlySpan<IncomingRecord> records, IReadOnlyList<IReadOnlyDictionary<string, string>?>? lambdaKeys = null, bool backedUp = false)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                throw new ServiceUnavailableException($"Delivery stream {_streamName} is stopping and accepts no more records.");
            }

            SearchSettings s = _settings;
            if (!backedUp && s.S3BackupMode == "AllDocuments")
            {
                _s3.Accept(records);
            }

            long limit = s.SizeInMBs * 1024L * 1024L;
            long now = _context.NowMs;
            foreach (IncomingRecord r in records)
            {
                if (_buffer.Count > 0 && _bufferBytes + r.Data.Length > limit)
                {
                    // The record would take the request past the size hint: the buffer goes as it is.
                    DetachLocked();
                }

                if (_buffer.Count == 0)
                {
                    _dueMs = now + s.IntervalInSeconds * 1000L;
                }

                string? id = s.DocumentIdFormat == "NO_DOCUMENT_ID"
                    ? null
                    : string.Create(CultureInfo.InvariantCulture, $"{_idBase:D19}{++_ids:D19}.0");
                _buffer.Add(new Document(r.Data.ToArray(), r.ArrivalMs, id, IndexRotation.IndexName(s.IndexName, s.IndexRotationPeriod, r.ArrivalMs), string.IsNullOrEmpty(s.TypeName) ? null : s.TypeName));
                _bufferBytes += r.Data.Length;
                if (_bufferBytes >= limit)
                {
                    DetachLocked();
                }
            }

            if (s.IntervalInSeconds == 0)
            {
                DetachLocked();
            }

            ArmTimer();
        }
    }

    /// <inheritdoc/>
    public void AcceptFailures(IReadOnlyList<(IncomingRecord Record, string ErrorCode, string ErrorMessage, int Attempts, string? LambdaArn)> failures) =>
        _s3.AcceptFailures(failures);

    /// <inheritdoc/>
    public void AcceptBackup(ReadOnlySpan<IncomingRecord> records)
    {
        bool all;
        lock (_gate)
        {
            all = _settings.S3BackupMode == "AllDocuments";
        }

        if (all)
        {
            _s3.Accept(records);
        }
    }

    /// <summary>Switches to new settings (UpdateDestination): what is buffered goes out as it was named, what follows is named by the new settings.</summary>
    public void Reconfigure(SearchSettings settings)
    {
        lock (_gate)
        {
            DetachLocked();
            _settings = settings;
            ArmTimer();
        }
    }

    /// <summary>Detaches the buffer now and waits until the writer has delivered it (or handed it to the failed output).</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            DetachLocked();
            ArmTimer();
        }

        return WhenDeliveredAsync(cancellationToken);
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
    /// Stops: refuses further records, detaches the buffer and waits for the writer. A refusing domain keeps being retried
    /// (within the retry duration) until <paramref name="cancellationToken"/> is cancelled; then each remaining batch gets
    /// one last attempt and what still fails goes to the failed output, so the S3 pipeline (stopped after this) writes it.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                _stopped = true;
                DetachLocked();
                _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _batches.Writer.TryComplete();
            }
        }

        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abandonRetries))
        {
            await _writer.ConfigureAwait(false);
        }

        _timer.Dispose();
    }

    /// <summary>Releases the timer and the retry signal (after <see cref="StopAsync"/>).</summary>
    public void Dispose()
    {
        _timer.Dispose();
        _abandonRetries.Dispose();
    }

    private void DetachLocked()
    {
        if (_buffer.Count == 0)
        {
            return;
        }

        var batch = new Batch(_settings, _buffer, _bufferBytes);
        _buffer = [];
        _bufferBytes = 0;
        _dueMs = long.MaxValue;
        if (Interlocked.Increment(ref _pending) == 1)
        {
            _idle = NewIdle(completed: false);
        }

        if (!_batches.Writer.TryWrite(batch))
        {
            // Only after the writer has completed, which happens after the last detach: cannot lose a batch.
            throw new InvalidOperationException("The search delivery writer has stopped.");
        }
    }

    private void ArmTimer() =>
        _timer.Change(_dueMs == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(0, _dueMs - _context.NowMs)), Timeout.InfiniteTimeSpan);

    private void OnTimer()
    {
        lock (_gate)
        {
            if (_dueMs <= _context.NowMs)
            {
                DetachLocked();
            }

            if (!_stopped)
            {
                ArmTimer();
            }
        }
    }

    private async Task WriteAllAsync()
    {
        await foreach (Batch batch in _batches.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await DeliverAsync(batch).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    if (Interlocked.Decrement(ref _pending) == 0)
                    {
                        _idle.TrySetResult();
                    }
                }
            }
        }
    }

    private async Task DeliverAsync(Batch batch)
    {
        SearchSettings s = batch.Settings;
        var items = new BulkItem[batch.Documents.Count];
        for (int i = 0; i < items.Length; i++)
        {
            Document d = batch.Documents[i];
            items[i] = new BulkItem(d.Index, d.Id, d.TypeName, d.Source);
        }

        long firstAttemptMs = _context.NowMs;
        long retryMs = s.RetryDurationInSeconds * 1000L;
        TimeSpan backoff = FirstBackoff;
        int attempts = 0;
        while (true)
        {
            attempts++;
            IReadOnlyList<BulkItemResult> results;
            try
            {
                results = await _index.BulkAsync(s.Domain, items, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Any refusal of the domain is retried; only the retry duration ends it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                FirehoseMetrics.Record(Success(s), 0, _streamName);
                long elapsed = _context.NowMs - firstAttemptMs;
                if (_abandonRetries.IsCancellationRequested || elapsed >= retryMs)
                {
                    string code = ex is SearchDomainException refused ? refused.ErrorCode : (s.OpenSearch ? "OS" : "ES") + ".ServiceException";
                    Fail(s, [.. batch.Documents.Select(d => (d, d.Id, code, ex.Message))], attempts);
                    return;
                }

                try
                {
                    // The last attempt comes at the deadline, not a back-off later.
                    TimeSpan wait = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds, retryMs - elapsed));
                    await Task.Delay(wait, _context.Time, _abandonRetries.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: one last attempt (the loop), then the failed output.
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                continue;
            }

            var failed = new List<(Document Document, string? Id, string Code, string Message)>();
            long indexed = 0;
            long bytes = 0;
            long oldest = long.MaxValue;
            for (int i = 0; i < results.Count; i++)
            {
                Document d = batch.Documents[i];
                if (results[i].ErrorCode is { } code)
                {
                    failed.Add((d, results[i].Id, code, results[i].ErrorMessage ?? string.Empty));
                    continue;
                }

                indexed++;
                bytes += d.Source.Length;
                oldest = Math.Min(oldest, d.ArrivalMs);
            }

            long now = _context.NowMs;
            FirehoseMetrics.Record(Success(s), 1, _streamName);
            FirehoseMetrics.Add(s.OpenSearch ? _context.Metrics.SearchRecords : _context.Metrics.ElasticsearchRecords, indexed, _streamName);
            FirehoseMetrics.Add(s.OpenSearch ? _context.Metrics.SearchBytes : _context.Metrics.ElasticsearchBytes, bytes, _streamName);
            if (indexed > 0)
            {
                FirehoseMetrics.Record(s.OpenSearch ? _context.Metrics.SearchFreshness : _context.Metrics.ElasticsearchFreshness, Math.Max(0, (now - oldest) / 1000), _streamName);
            }

            if (failed.Count > 0)
            {
                Fail(s, failed, attempts);
            }

            return;
        }
    }

    private System.Diagnostics.Metrics.Histogram<long> Success(SearchSettings s) => s.OpenSearch ? _context.Metrics.SearchSuccess : _context.Metrics.ElasticsearchSuccess;

    /// <summary>Firehose's failed-document records, one JSON line each, to the S3 configuration's error output.</summary>
    private void Fail(SearchSettings s, List<(Document Document, string? Id, string Code, string Message)> failed, int attempts)
    {
        long now = _context.NowMs;
        var lines = new List<(ReadOnlyMemory<byte> Line, long ArrivalMs)>(failed.Count);
        foreach ((Document d, string? id, string code, string message) in failed)
        {
            var line = new ArrayBufferWriter<byte>(256 + d.Source.Length * 2);
            using (var json = new Utf8JsonWriter(line))
            {
                json.WriteStartObject();
                json.WriteNumber("attemptsMade", attempts);
                json.WriteNumber("arrivalTimestamp", d.ArrivalMs);
                json.WriteString("errorCode", code);
                json.WriteString("errorMessage", message);
                json.WriteNumber("attemptEndingTimestamp", now);
                if (id is null)
                {
                    json.WriteNull("esDocumentId");
                }
                else
                {
                    json.WriteString("esDocumentId", id);
                }

                json.WriteString("esIndexName", d.Index);
                json.WriteString("esTypeName", d.TypeName ?? string.Empty);
                json.WriteBase64String("rawData", d.Source);
                json.WriteEndObject();
            }

            lines.Add((line.WrittenMemory, d.ArrivalMs));
        }

        _s3.AcceptErrorLines(s.ErrorOutputType, lines);
    }

    /// <summary>A buffered document: its source (copied from the request), arrival, id (null: the index assigns it), rotated index and type.</summary>
    private sealed record Document(byte[] Source, long ArrivalMs, string? Id, string Index, string? TypeName);

    /// <summary>One bulk request's documents with the settings they were buffered under.</summary>
    private sealed record Batch(SearchSettings Settings, List<Document> Documents, long Bytes);
}
