using StreamCore.Connectors;
using StreamCore.Errors;
using KinesisNotFound = StreamCore.Errors.ResourceNotFoundException;

namespace StreamCore.EventSources;

/// <summary>
/// Runs a mapping over one shard for one generation of its settings: a pump reads the shard in order and routes each
/// record to a lane by its partition key (ParallelizationFactor lanes, so a key's records stay in order), each lane
/// gathers batches (BatchSize, the batching window, the 6 MB payload cap) and drives them through the batch
/// lifecycle (<see cref="BatchLifecycle"/>); the shard's checkpoint is the last record before the first unfinished one.
/// </summary>
internal sealed class ShardProcessor
{
    /// <summary>Lambda's synchronous invocation payload limit.</summary>
    public const int MaxPayloadBytes = 6 * 1024 * 1024;

    /// <summary>The JSON around the records: <c>{"Records":[]}</c>.</summary>
    private const int EnvelopeBytes = 14;

    private readonly MappingRunner _runner;
    private readonly ShardId _shardId;
    private readonly ShardProgress _progress;
    private readonly MappingSettings _settings;
    private readonly Lane[] _lanes;
    private readonly PendingRecords _pending;
    private readonly Lock _lock = new();
    private readonly AsyncSignal _room = new();
    private readonly string _shardText;
    private readonly int _fixedRecordBytes;
    private readonly EventBytes _bytes = new();
    private bool _ended;

    // The last read reached the tip of the shard (so every record that arrived before now has been read).
    private bool _caughtUp;
    private IReadOnlyList<SourceChildShard>? _children;

    public ShardProcessor(MappingRunner runner, ShardId shardId, ShardProgress progress, MappingSettings settings)
    {
        _runner = runner;
        _shardId = shardId;
        _progress = progress;
        _settings = settings;
        int lanes = settings.TumblingWindowInSeconds > 0 ? 1 : settings.ParallelizationFactor;
        _lanes = [.. Enumerable.Range(0, lanes).Select(_ => new Lane())];
        _pending = new PendingRecords(Math.Max(2 * lanes * settings.BatchSize, 2 * Constraints.MaxGetRecordsLimit));
        _shardText = shardId.ToString();
        if (settings.TumblingWindowInSeconds == 0)
        {
            // Tumbling windows were turned off by an update: the open window is dropped without a final invocation.
            progress.Window = null;
        }

        // Each record's JSON beside its data and partition key, with its sequence number twice (sequenceNumber and eventID).
        _fixedRecordBytes = 300 + runner.Source.StreamArn.Length + runner.Region.Length + runner.InvokeIdentityArn.Length + _shardText.Length + (2 * SequenceNumber.MaxDecimalDigits);
    }

    /// <summary>Completes when the shard's reader is open (so a LATEST position is fixed).</summary>
    public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ShardId ShardId => _shardId;

    /// <summary>Processes the shard until its end, a pause (<paramref name="generation"/>) or a stop (<paramref name="stop"/>).</summary>
    public async Task<ShardOutcome> RunAsync(RecordSource source, CancellationToken generation, CancellationToken stop)
    {
        SourceShardReader? reader = _progress.Parked;
        _progress.Parked = null;
        bool readAny = false;
        try
        {
            if (reader is null)
            {
                ShardPosition position = _progress.ResumePosition() ?? (_progress.UseMappingPosition ? _runner.StartingPosition : ShardPosition.TrimHorizon);
                reader = await source.OpenReaderAsync(_shardId, position, Constraints.MaxGetRecordsLimit, generation).ConfigureAwait(false);
            }

            Opened.TrySetResult();
            Task[] lanes = [.. _lanes.Select(lane => RunLaneAsync(lane, generation, stop))];
            Task pump = PumpAsync(reader, () => readAny = true, generation);
            Task first = await Task.WhenAny(pump, Task.WhenAll(lanes)).ConfigureAwait(false);
            if (first == pump && pump.IsFaulted)
            {
                // The pump failed (the stream was deleted, or a read failed): the lanes finish what they hold.
                End();
            }

            await Task.WhenAll(lanes).ConfigureAwait(false);
            End();
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (generation.IsCancellationRequested)
            {
            }

            lock (_lock)
            {
                _progress.Advance(null, _pending.FirstUnfinished);
                if (_children is { } children && _pending.Count == 0 && _progress.Window is null)
                {
                    return ShardOutcome.Finished(children);
                }
            }

            return ShardOutcome.Paused;
        }
        catch (KinesisNotFound error)
        {
            return ShardOutcome.SourceGone(error.Message);
        }
        catch (OperationCanceledException) when (generation.IsCancellationRequested)
        {
            return ShardOutcome.Paused;
        }
        finally
        {
            Opened.TrySetResult();
            if (reader is not null)
            {
                // Nothing read yet from a LATEST or AT_TIMESTAMP position: keep the reader, its position has no sequence number.
                if (!readAny && !stop.IsCancellationRequested && _progress.ResumePosition() is null && _children is null)
                {
                    _progress.Parked = reader;
                }
                else
                {
                    await reader.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private void End()
    {
        lock (_lock)
        {
            _ended = true;
        }

        foreach (Lane lane in _lanes)
        {
            lane.Signal.Set();
        }
    }

    private async Task PumpAsync(SourceShardReader reader, Action readSomething, CancellationToken generation)
    {
        try
        {
            while (true)
            {
                // Room for a whole read, so a lane that blocks (retrying) holds back the shard, not memory.
                while (true)
                {
                    Task room;
                    lock (_lock)
                    {
                        room = _room.Next;
                        if (_pending.Free >= Constraints.MaxGetRecordsLimit)
                        {
                            break;
                        }
                    }

                    await room.WaitAsync(generation).ConfigureAwait(false);
                }

                SourceBatch batch = await reader.ReadAsync(Timeout.InfiniteTimeSpan, generation).ConfigureAwait(false);
                lock (_lock)
                {
                    _caughtUp = batch.MillisBehindLatest == 0;
                }

                if (batch.Count > 0)
                {
                    readSomething();
                    Route(batch);
                }

                if (batch.IsShardEnd)
                {
                    lock (_lock)
                    {
                        _children = batch.ChildShards;
                    }

                    return;
                }
            }
        }
        finally
        {
            End();
        }
    }

    /// <summary>
    /// Copies the batch's records into event records (the batch is lent until the next read: keys and data are copied
    /// into shared arrays, and the strings and streams a handler may read are made when it reads them) and hands them
    /// to their lanes. Nothing here reads the clock or formats text per record.
    /// </summary>
    private void Route(SourceBatch batch)
    {
        long polled = 0, filtered = 0;
        lock (_lock)
        {
            SequenceNumber? checkpoint = null;
            foreach (SourceRecord record in batch)
            {
                polled++;
                long ordinal = _pending.Add(record.SequenceNumber);
                if (!_runner.Matches(record, _shardId, _settings))
                {
                    // Lambda counts a record that matches no filter as processed.
                    filtered++;
                    checkpoint = _pending.Finish(ordinal) ?? checkpoint;
                    continue;
                }

                ReadOnlySpan<byte> key = record.PartitionKeyUtf8.Span;
                ReadOnlySpan<byte> data = record.Data.Span;
                byte[] bytes = _bytes.Copy(key, data, out int offset);
                var kinesis = new KinesisEvent.Record
                {
                    KinesisSchemaVersion = "1.0",
                    ApproximateArrivalTimestamp = record.ApproximateArrivalTimestamp.UtcDateTime,
                };
                kinesis.SetLazy(bytes, offset, key.Length, offset + key.Length, data.Length, record.SequenceNumber);
                var envelope = new KinesisEvent.KinesisEventRecord
                {
                    AwsRegion = _runner.Region,
                    EventName = "aws:kinesis:record",
                    EventSource = "aws:kinesis",
                    EventSourceARN = _runner.Source.StreamArn,
                    EventVersion = "1.0",
                    InvokeIdentityArn = _runner.InvokeIdentityArn,
                    Kinesis = kinesis,
                };
                envelope.SetEventIdShard(_shardText);
                var item = new BatchItem(
                    ordinal,
                    record.SequenceNumber,
                    envelope,
                    _fixedRecordBytes + (((data.Length + 2) / 3) * 4) + (2 * key.Length),
                    record.ApproximateArrivalTimestamp);

                // A key always goes to the same lane (its string hash, computed without making the string).
                Lane lane = _lanes.Length == 1 ? _lanes[0] : _lanes[(int)((uint)KeyHash(key) % (uint)_lanes.Length)];
                lane.Items.Enqueue(item);
                lane.Bytes += item.PayloadBytes;
            }

            Moved(checkpoint);
        }

        _runner.Metrics.Polled(polled, filtered);
        foreach (Lane lane in _lanes)
        {
            lane.Signal.Set();
        }
    }

    /// <summary>The key's string hash (<c>string.GetHashCode(StringComparison.Ordinal)</c>), computed on its characters without making the string.</summary>
    private static int KeyHash(ReadOnlySpan<byte> key)
    {
        Span<char> chars = key.Length <= 1024 ? stackalloc char[key.Length] : new char[key.Length];
        int count = System.Text.Encoding.UTF8.GetChars(key, chars);
        return string.GetHashCode(chars[..count], StringComparison.Ordinal);
    }

    /// <summary>After records were finished (under the lock): moves the checkpoint once, and wakes the pump once.</summary>
    private void Moved(SequenceNumber? checkpoint)
    {
        if (checkpoint is { } moved)
        {
            _progress.Advance(moved, _pending.FirstUnfinished);
            _room.Set();
        }
    }

    /// <summary>Marks records processed and moves the checkpoint (once for the batch).</summary>
    public void Finish(IReadOnlyList<BatchItem> items)
    {
        lock (_lock)
        {
            SequenceNumber? checkpoint = null;
            for (int i = 0; i < items.Count; i++)
            {
                checkpoint = _pending.Finish(items[i].Ordinal) ?? checkpoint;
            }

            Moved(checkpoint);
        }
    }

    private async Task RunLaneAsync(Lane lane, CancellationToken generation, CancellationToken stop)
    {
        var lifecycle = new BatchLifecycle(_runner, this, _settings);
        while (await (_settings.TumblingWindowInSeconds > 0 ? GatherWindowAsync(lane, generation) : GatherAsync(lane, generation)).ConfigureAwait(false) is { } batch)
        {
            if (!await lifecycle.ProcessAsync(batch.Items, batch.Window, generation, stop).ConfigureAwait(false))
            {
                return;
            }

            if (batch.Window is { Final: true } turn)
            {
                CloseWindow(turn.Window);
            }

            // The lifecycle keeps nothing of a finished batch: its list serves the lane's next batch.
            batch.Items.Clear();
            lane.Spare = batch.Items;
        }
    }

    /// <summary>After the window's final invocation (done, or discarded): the state is dropped; an early termination goes on in the same window.</summary>
    private void CloseWindow(TumblingWindow window)
    {
        lock (_lock)
        {
            if (window.TerminatedEarly)
            {
                window.Restart();
            }
            else if (ReferenceEquals(_progress.Window, window))
            {
                _progress.Window = null;
            }
        }
    }

    /// <summary>
    /// With tumbling windows, the lane's next batch: records of one window only (cut at the window's end, besides
    /// BatchSize, 6 MB and the batching window), and once the window is over (a later record is read, the shard ended,
    /// or its end passed with the reader caught up) or its state passed the cap, its final invocation (no records); null to stop.
    /// </summary>
    private async Task<LaneBatch?> GatherWindowAsync(Lane lane, CancellationToken generation)
    {
        while (true)
        {
            Task signal;
            TimeSpan wait;
            lock (_lock)
            {
                signal = lane.Signal.Next;
                if (generation.IsCancellationRequested)
                {
                    return null;
                }

                if (NextWindowBatch(lane, out wait) is { } batch)
                {
                    return batch;
                }

                if (lane.Items.Count == 0 && _ended && (_children is null || _progress.Window is null))
                {
                    return null;
                }
            }

            try
            {
                await (wait == Timeout.InfiniteTimeSpan ? signal.WaitAsync(generation) : signal.WaitAsync(wait, _runner.Time, generation)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The batching window or the tumbling window has passed: the next round decides.
            }
            catch (OperationCanceledException) when (generation.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    /// <summary>The next batch of a windowed lane, or null with how long to wait. Under the lock.</summary>
    private LaneBatch? NextWindowBatch(Lane lane, out TimeSpan wait)
    {
        wait = Timeout.InfiniteTimeSpan;
        DateTimeOffset now = _runner.Time.GetUtcNow();
        TumblingWindow? open = _progress.Window;
        if (open is { TerminatedEarly: true })
        {
            return new LaneBatch([], new WindowTurn(open, Final: true));
        }

        bool any = lane.Items.Count > 0;
        BatchItem first = any ? lane.Items.Peek() : default;
        if (open is not null && (!any || !open.Holds(first.Arrival)))
        {
            // Nothing of the open window waits: it is over once a later record is read, the shard ended, or its end
            // passed with the reader caught up (a record that arrives from now on belongs to a later window).
            bool over = any || _children is not null || (now >= open.End && _caughtUp);
            if (!over)
            {
                if (open.Invoked && now < open.End)
                {
                    wait = open.End - now;
                }

                return null;
            }

            if (open.Invoked)
            {
                return new LaneBatch([], new WindowTurn(open, Final: true));
            }

            // Nothing was invoked since the window opened (or since its early termination): nothing to close.
            _progress.Window = open = null;
        }

        if (!any)
        {
            return null;
        }

        open ??= _progress.Window = TumblingWindow.Holding(first.Arrival, _settings.TumblingWindowInSeconds);

        // The window's records at the head of the lane, as many as one batch takes.
        int own = 0;
        long bytes = EnvelopeBytes;
        bool cut = false;
        foreach (BatchItem item in lane.Items)
        {
            if (!open.Holds(item.Arrival) || own == _settings.BatchSize || (own > 0 && bytes + item.PayloadBytes + 1 > MaxPayloadBytes))
            {
                cut = true;
                break;
            }

            bytes += item.PayloadBytes + 1;
            own++;
        }

        TimeSpan window = TimeSpan.FromSeconds(_settings.MaximumBatchingWindowInSeconds);
        TimeSpan waited = now - first.Arrival;
        if (cut || _ended || waited >= window || (now >= open.End && _caughtUp))
        {
            return new LaneBatch(Take(lane, own), new WindowTurn(open, Final: false));
        }

        wait = window - waited;
        if (now < open.End && open.End - now < wait)
        {
            wait = open.End - now;
        }

        return null;
    }

    /// <summary>
    /// The lane's next batch: once it has a record, up to BatchSize records as soon as BatchSize are there, the payload
    /// would pass 6 MB, the batching window since the first record has passed, or the shard ended; null to stop.
    /// </summary>
    private async Task<LaneBatch?> GatherAsync(Lane lane, CancellationToken generation)
    {
        TimeSpan window = TimeSpan.FromSeconds(_settings.MaximumBatchingWindowInSeconds);
        while (true)
        {
            Task signal;
            TimeSpan wait;
            lock (_lock)
            {
                signal = lane.Signal.Next;
                if (generation.IsCancellationRequested || (lane.Items.Count == 0 && _ended))
                {
                    return null;
                }

                wait = Timeout.InfiniteTimeSpan;
                if (lane.Items.Count > 0)
                {
                    // The window runs from the first waiting record's arrival in the stream (not from when the poller saw it).
                    TimeSpan waited = _runner.Time.GetUtcNow() - lane.Items.Peek().Arrival;
                    if (_ended || lane.Items.Count >= _settings.BatchSize || lane.Bytes + EnvelopeBytes >= MaxPayloadBytes || waited >= window)
                    {
                        return new LaneBatch(Take(lane, _settings.BatchSize), null);
                    }

                    wait = window - waited;
                }
            }

            try
            {
                await (wait == Timeout.InfiniteTimeSpan ? signal.WaitAsync(generation) : signal.WaitAsync(wait, _runner.Time, generation)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The window has passed: the next round takes the batch.
            }
            catch (OperationCanceledException) when (generation.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    /// <summary>Takes up to <paramref name="max"/> records, stopping before the payload would pass 6 MB (but at least one). Under the lock.</summary>
    private static List<BatchItem> Take(Lane lane, int max)
    {
        List<BatchItem> batch = lane.Spare ?? new List<BatchItem>(Math.Min(lane.Items.Count, max));
        lane.Spare = null;
        long bytes = EnvelopeBytes;
        while (lane.Items.Count > 0 && batch.Count < max)
        {
            BatchItem next = lane.Items.Peek();
            if (batch.Count > 0 && bytes + next.PayloadBytes + 1 > MaxPayloadBytes)
            {
                break;
            }

            bytes += next.PayloadBytes + 1;
            lane.Bytes -= next.PayloadBytes;
            batch.Add(lane.Items.Dequeue());
        }

        return batch;
    }

    public string ShardText => _shardText;

    private sealed class Lane
    {
        public Queue<BatchItem> Items { get; } = new();

        public long Bytes { get; set; }

        /// <summary>The list of the lane's last finished batch, cleared, for the next (only the lane's own task touches it).</summary>
        public List<BatchItem>? Spare { get; set; }

        public AsyncSignal Signal { get; } = new();
    }
}

/// <summary>One record of a lane: its place in the shard's read order, its sequence number, its event record and its share of the payload.</summary>
internal readonly record struct BatchItem(long Ordinal, SequenceNumber Sequence, KinesisEvent.KinesisEventRecord Record, int PayloadBytes, DateTimeOffset Arrival);

/// <summary>A batch a lane took: its records (none for a window's final invocation) and, with tumbling windows, its window.</summary>
internal readonly record struct LaneBatch(List<BatchItem> Items, WindowTurn? Window);

/// <summary>How a shard's processing ended.</summary>
internal sealed record ShardOutcome(ShardOutcomeKind Kind, IReadOnlyList<SourceChildShard>? Children, string? Problem)
{
    public static readonly ShardOutcome Paused = new(ShardOutcomeKind.Paused, null, null);

    public static ShardOutcome Finished(IReadOnlyList<SourceChildShard> children) => new(ShardOutcomeKind.Finished, children, null);

    public static ShardOutcome SourceGone(string problem) => new(ShardOutcomeKind.SourceGone, null, problem);
}

internal enum ShardOutcomeKind
{
    Paused,
    Finished,
    SourceGone,
}
