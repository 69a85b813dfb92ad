namespace StreamCore.Analytics;

/// <summary>
/// One running aggregation: the watermark tracker over the input's partitions (shards) and one
/// <see cref="WindowOperator{TEvent, TKey, TAcc, TResult}"/> per worker, keys spread over workers by hash. Events come
/// in batches per partition; the watermark the batch's events are judged against is the one before the batch, and it
/// advances after the batch (as a periodic watermark would). With several workers a batch's events are added to the
/// workers side by side; results and late events are collected in worker order. Single caller at a time.
/// </summary>
internal sealed class WindowEngine<TEvent, TKey, TAcc, TResult>
    where TKey : notnull
{
    private readonly WindowSettings<TEvent> _settings;
    private readonly Func<TEvent, TKey> _key;
    private readonly WatermarkTracker _tracker;
    private readonly WindowOperator<TEvent, TKey, TAcc, TResult>[] _workers;
    private readonly WorkerSink[] _sinks;
    private readonly Batch[] _batches;
    private readonly IAggregator<TEvent, TAcc, TResult> _aggregator;

    public WindowEngine(WindowSettings<TEvent> settings, Func<TEvent, TKey> key, IAggregator<TEvent, TAcc, TResult> aggregator, int parallelism)
    {
        _settings = settings;
        _key = key;
        _aggregator = aggregator;
        _tracker = new WatermarkTracker(settings.OutOfOrderness, settings.IdleTimeout, settings.AdvanceWhenIdle);
        _workers = new WindowOperator<TEvent, TKey, TAcc, TResult>[parallelism];
        _sinks = new WorkerSink[parallelism];
        _batches = new Batch[parallelism];
        for (int i = 0; i < parallelism; i++)
        {
            _sinks[i] = new WorkerSink();
            _batches[i] = new Batch();
            _workers[i] = new WindowOperator<TEvent, TKey, TAcc, TResult>(settings.Assigner, aggregator, settings.AllowedLateness, settings.Trigger, _sinks[i]);
        }
    }

    public int Parallelism => _workers.Length;

    public Queue<WindowResult<TKey, TResult>> Results { get; } = new();

    public Queue<LateEvent<TEvent>> LateEvents { get; } = new();

    public long RecordsIn { get; private set; }

    public long LateCount { get; private set; }

    public long Firings { get; private set; }

    public long Watermark => _workers[0].Watermark;

    public int LiveWindowCount => _workers.Sum(w => w.LiveWindowCount);

    internal WatermarkTracker Tracker => _tracker;

    public int OpenPartition(string name, IReadOnlyList<string>? parents, long now) => _tracker.Open(name, parents, now);

    public bool TryGetPartition(string name, out int partition) => _tracker.TryGet(name, out partition);

    /// <summary>A partition was read to its end: a closed shard whose children take over, or the end of an enumerable.</summary>
    public void EndPartition(int partition, long now)
    {
        _tracker.End(partition);
        Advance(now);
    }

    /// <summary>Adds a batch of one partition's events, in order, then advances the watermark.</summary>
    /// <param name="partition">The partition (shard) they were read from.</param>
    /// <param name="events">The events.</param>
    /// <param name="arrivalTimes">Their arrival times in epoch ms (arrival-time queries); empty: <paramref name="now"/>.</param>
    /// <param name="now">The clock, read once for the batch.</param>
    public void Process(int partition, ReadOnlySpan<TEvent> events, ReadOnlySpan<long> arrivalTimes, long now)
    {
        if (_settings.TimeKind != WindowTimeKind.ProcessingTime)
        {
            _tracker.Touch(partition, now);
        }

        Func<TEvent, long>? eventTime = _settings.EventTime;
        WindowTimeKind kind = _settings.TimeKind;
        if (_workers.Length == 1)
        {
            // The hot loop: the partition's max seen time is kept in a local and handed to the tracker once per batch.
            WindowOperator<TEvent, TKey, TAcc, TResult> worker = _workers[0];
            Func<TEvent, TKey> keyOf = _key;
            long maxSeen = long.MinValue;
            if (kind == WindowTimeKind.EventTime)
            {
                for (int i = 0; i < events.Length; i++)
                {
                    TEvent value = events[i];
                    long timestamp = eventTime!(value);
                    maxSeen = Math.Max(maxSeen, timestamp);
                    worker.Add(value, keyOf(value), timestamp);
                }
            }
            else
            {
                for (int i = 0; i < events.Length; i++)
                {
                    TEvent value = events[i];
                    long timestamp = kind == WindowTimeKind.ArrivalTime && arrivalTimes.Length > 0 ? arrivalTimes[i] : now;
                    maxSeen = Math.Max(maxSeen, timestamp);
                    worker.Add(value, keyOf(value), timestamp);
                }
            }

            if (events.Length > 0)
            {
                _tracker.Observe(partition, maxSeen);
            }
        }
        else
        {
            for (int i = 0; i < events.Length; i++)
            {
                TEvent value = events[i];
                long timestamp = kind == WindowTimeKind.EventTime ? eventTime!(value) : kind == WindowTimeKind.ArrivalTime && arrivalTimes.Length > 0 ? arrivalTimes[i] : now;
                _tracker.Observe(partition, timestamp);
                TKey key = _key(value);
                _batches[WorkerOf(key)].Add(value, key, timestamp);
            }

            Parallel.For(0, _workers.Length, w =>
            {
                Batch batch = _batches[w];
                WindowOperator<TEvent, TKey, TAcc, TResult> worker = _workers[w];
                for (int i = 0; i < batch.Count; i++)
                {
                    worker.Add(batch.Values[i], batch.Keys[i], batch.Timestamps[i]);
                }

                batch.Clear();
            });
        }

        RecordsIn += events.Length;
        Advance(now);
    }

    /// <summary>The clock moved: idleness, processing-time windows, early firings.</summary>
    public void Advance(long now)
    {
        // Processing time: a window fires once the clock reaches its end (its timer at max timestamp = end - 1 ms).
        long watermark = _settings.TimeKind == WindowTimeKind.ProcessingTime ? now - 1 : _tracker.Update(now);
        if (_workers.Length == 1)
        {
            _workers[0].AdvanceWatermark(watermark);
            _workers[0].OnProcessingTime(now);
        }
        else
        {
            Parallel.For(0, _workers.Length, w =>
            {
                _workers[w].AdvanceWatermark(watermark);
                _workers[w].OnProcessingTime(now);
            });
        }

        Collect();
    }

    /// <summary>End of input: the watermark goes to +infinity and every window fires.</summary>
    public void Complete(long now)
    {
        foreach ((string name, _, _, bool ended) in _tracker.Snapshot().ToList())
        {
            if (!ended && _tracker.TryGet(name, out int p))
            {
                _tracker.End(p);
            }
        }

        if (_tracker.LiveCount == 0)
        {
            _tracker.Update(now);
        }

        foreach (WindowOperator<TEvent, TKey, TAcc, TResult> worker in _workers)
        {
            worker.AdvanceWatermark(long.MaxValue);
        }

        Collect();
    }

    public long PartitionWatermark(string name) => _tracker.TryGet(name, out int p) ? _tracker.PartitionWatermark(p) : long.MinValue;

    public EngineState<TKey, TAcc> Checkpoint()
    {
        var windows = new List<OperatorWindowState<TKey, TAcc>>();
        long nextEarly = 0;
        foreach (WindowOperator<TEvent, TKey, TAcc, TResult> worker in _workers)
        {
            OperatorState<TKey, TAcc> state = worker.Checkpoint();
            windows.AddRange(state.Windows);
            nextEarly = Math.Max(nextEarly, state.NextEarly);
        }

        return new EngineState<TKey, TAcc>(Watermark, _tracker.Current, nextEarly, [.. _tracker.Snapshot()], windows, RecordsIn);
    }

    public void Restore(EngineState<TKey, TAcc> state, long now)
    {
        _tracker.Restore(state.TrackerWatermark, state.Partitions, now);
        var perWorker = new List<OperatorWindowState<TKey, TAcc>>[_workers.Length];
        for (int i = 0; i < perWorker.Length; i++)
        {
            perWorker[i] = [];
        }

        foreach (OperatorWindowState<TKey, TAcc> window in state.Windows)
        {
            perWorker[WorkerOf(window.Key)].Add(window);
        }

        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i].Restore(new OperatorState<TKey, TAcc>(state.Watermark, state.NextEarly, perWorker[i]));
        }

        RecordsIn = state.RecordsIn;
    }

    internal IAggregator<TEvent, TAcc, TResult> Aggregator => _aggregator;

    private int WorkerOf(TKey key) => (int)((uint)EqualityComparer<TKey>.Default.GetHashCode(key) % (uint)_workers.Length);

    private void Collect()
    {
        foreach (WorkerSink sink in _sinks)
        {
            while (sink.Results.TryDequeue(out WindowResult<TKey, TResult> result))
            {
                Results.Enqueue(result);
                Firings++;
            }

            while (sink.Late.TryDequeue(out LateEvent<TEvent> late))
            {
                LateEvents.Enqueue(late);
                LateCount++;
            }
        }
    }

    private sealed class WorkerSink : IWindowSink<TEvent, TKey, TResult>
    {
        public readonly Queue<WindowResult<TKey, TResult>> Results = new();
        public readonly Queue<LateEvent<TEvent>> Late = new();

        public void OnResult(in WindowResult<TKey, TResult> result) => Results.Enqueue(result);

        public void OnLate(in LateEvent<TEvent> late) => Late.Enqueue(late);
    }

    private sealed class Batch
    {
        public TEvent[] Values = new TEvent[64];
        public TKey[] Keys = new TKey[64];
        public long[] Timestamps = new long[64];
        public int Count;

        public void Add(TEvent value, TKey key, long timestamp)
        {
            if (Count == Values.Length)
            {
                Array.Resize(ref Values, Count * 2);
                Array.Resize(ref Keys, Count * 2);
                Array.Resize(ref Timestamps, Count * 2);
            }

            Values[Count] = value;
            Keys[Count] = key;
            Timestamps[Count] = timestamp;
            Count++;
        }

        public void Clear()
        {
            Array.Clear(Values, 0, Count);
            Array.Clear(Keys, 0, Count);
            Count = 0;
        }
    }
}

/// <summary>An engine's whole state: the watermark and each partition's, every live key window.</summary>
internal sealed record EngineState<TKey, TAcc>(
    long Watermark,
    long TrackerWatermark,
    long NextEarly,
    IReadOnlyList<(string Name, long MaxSeen, long Floor, bool Ended)> Partitions,
    IReadOnlyList<OperatorWindowState<TKey, TAcc>> Windows,
    long RecordsIn);
