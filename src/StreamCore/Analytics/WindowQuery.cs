using System.Diagnostics.Metrics;

namespace StreamCore.Analytics;

/// <summary>
/// A keyed, windowed aggregation, immutable and reusable: run it over an <see cref="IAsyncEnumerable{T}"/> or a stream
/// (<c>Start</c>), or push events into a <see cref="WindowProcessor{TEvent, TKey, TResult}"/> yourself. Built with
/// <see cref="WindowQuery.Of{TEvent}"/>.
/// </summary>
/// <typeparam name="TEvent">The events.</typeparam>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TResult">What each window's aggregation gives.</typeparam>
public abstract class WindowQuery<TEvent, TKey, TResult>
    where TKey : notnull
{
    private protected WindowQuery()
    {
    }

    /// <summary>Which clock assigns events to windows.</summary>
    public abstract WindowTimeKind TimeKind { get; }

    /// <summary>The windows.</summary>
    public abstract WindowAssigner Assigner { get; }

    /// <summary>
    /// A processor to push events into, synchronously, on the caller's thread (one caller at a time): the cheapest way
    /// to aggregate, and the one to embed in your own loop.
    /// </summary>
    /// <param name="timeProvider">The clock (arrival and processing time, idleness, early firings); default the system clock.</param>
    /// <param name="restoreFrom">A checkpoint of a processor or run of this query to continue from.</param>
    /// <returns>The processor.</returns>
    public abstract WindowProcessor<TEvent, TKey, TResult> CreateProcessor(TimeProvider? timeProvider = null, WindowCheckpoint? restoreFrom = null);

    /// <summary>
    /// Runs the query over <paramref name="source"/> in the background: the events are one partition, its end is the
    /// end of input (every window fires). On restore the first <see cref="WindowCheckpoint.EventsConsumed"/> events of
    /// the source are skipped: the source must replay the same events.
    /// </summary>
    /// <param name="source">The events.</param>
    /// <param name="options">The clock, parallelism, capacities, a checkpoint to restore.</param>
    /// <returns>The run: read its <see cref="WindowRun{TEvent, TKey, TResult}.Results"/> and <see cref="WindowRun{TEvent, TKey, TResult}.LateEvents"/>.</returns>
    public abstract WindowRun<TEvent, TKey, TResult> Start(IAsyncEnumerable<TEvent> source, WindowRunOptions? options = null);

    /// <summary>
    /// Runs the query over a stream of the embedded engine (zero-copy, through the event-bus face), every shard, parents
    /// before children: each shard is a partition with its own watermark; a child starts at its parents' watermark. On
    /// restore each shard resumes after the last record the checkpoint had folded in.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="decode">Turns a record's data into an event (the memory is valid only during the call).</param>
    /// <param name="position">Where to start when not restoring: TRIM_HORIZON (default), LATEST or AT_TIMESTAMP.</param>
    /// <param name="options">The clock, parallelism, capacities, a checkpoint to restore.</param>
    /// <returns>The run.</returns>
    public abstract WindowRun<TEvent, TKey, TResult> Start(DataStream stream, Func<ReadOnlyMemory<byte>, TEvent> decode, ShardPosition? position = null, WindowRunOptions? options = null);

    /// <summary>
    /// Runs the query over a stream of any Kinesis (the embedded engine's client, the StreamCore server, Amazon
    /// Kinesis) with GetRecords polling, as <see cref="Start(DataStream, Func{ReadOnlyMemory{byte}, TEvent}, ShardPosition?, WindowRunOptions?)"/> does.
    /// </summary>
    /// <param name="client">The Kinesis client.</param>
    /// <param name="streamName">The stream's name or ARN.</param>
    /// <param name="decode">Turns a record's data into an event (the memory is valid only during the call).</param>
    /// <param name="position">Where to start when not restoring: TRIM_HORIZON (default), LATEST or AT_TIMESTAMP.</param>
    /// <param name="options">The clock, parallelism, capacities, a checkpoint to restore.</param>
    /// <returns>The run.</returns>
    public abstract WindowRun<TEvent, TKey, TResult> Start(Kinesis.IKinesisClient client, string streamName, Func<ReadOnlyMemory<byte>, TEvent> decode, ShardPosition? position = null, WindowRunOptions? options = null);
}

/// <summary>The query with its accumulator type.</summary>
internal sealed partial class WindowQuery<TEvent, TKey, TAcc, TResult> : WindowQuery<TEvent, TKey, TResult>
    where TKey : notnull
{
    public WindowQuery(WindowSettings<TEvent> settings, Func<TEvent, TKey> key, IAggregator<TEvent, TAcc, TResult> aggregator)
    {
        Settings = settings;
        Key = key;
        Aggregator = aggregator;
    }

    public WindowSettings<TEvent> Settings { get; }

    public Func<TEvent, TKey> Key { get; }

    public IAggregator<TEvent, TAcc, TResult> Aggregator { get; }

    public override WindowTimeKind TimeKind => Settings.TimeKind;

    public override WindowAssigner Assigner => Settings.Assigner;

    public override WindowProcessor<TEvent, TKey, TResult> CreateProcessor(TimeProvider? timeProvider = null, WindowCheckpoint? restoreFrom = null)
    {
        TimeProvider time = timeProvider ?? TimeProvider.System;
        WindowEngine<TEvent, TKey, TAcc, TResult> engine = CreateEngine(1, restoreFrom, time.GetUtcNow().ToUnixTimeMilliseconds());
        return new Processor(this, engine, time, restoreFrom);
    }

    public override WindowRun<TEvent, TKey, TResult> Start(IAsyncEnumerable<TEvent> source, WindowRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options = WindowRunOptions.Checked(options);
        return WindowRunner<TEvent, TKey, TAcc, TResult>.Start(this, new EnumerableInput<TEvent>(source, options.RestoreFrom?.EventsConsumed ?? 0), options);
    }

    public override WindowRun<TEvent, TKey, TResult> Start(DataStream stream, Func<ReadOnlyMemory<byte>, TEvent> decode, ShardPosition? position = null, WindowRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(decode);
        options = WindowRunOptions.Checked(options);
        return WindowRunner<TEvent, TKey, TAcc, TResult>.Start(this, new RecordSourceInput<TEvent>(new Connectors.DataStreamRecordSource(stream), decode, position ?? ShardPosition.TrimHorizon, options.RestoreFrom), options, stream.Engine.Options.MeterFactory);
    }

    public override WindowRun<TEvent, TKey, TResult> Start(Kinesis.IKinesisClient client, string streamName, Func<ReadOnlyMemory<byte>, TEvent> decode, ShardPosition? position = null, WindowRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        ArgumentNullException.ThrowIfNull(decode);
        options = WindowRunOptions.Checked(options);
        var source = new Connectors.KinesisClientRecordSource(client, streamName, new Connectors.KinesisClientSourceOptions { TimeProvider = options.TimeProvider });
        IMeterFactory? engineMeters = client is Kinesis.KinesisClient { Engine: { } engine } ? engine.Options.MeterFactory : null;
        return WindowRunner<TEvent, TKey, TAcc, TResult>.Start(this, new RecordSourceInput<TEvent>(source, decode, position ?? ShardPosition.TrimHorizon, options.RestoreFrom), options, engineMeters);
    }

    internal WindowEngine<TEvent, TKey, TAcc, TResult> CreateEngine(int parallelism, WindowCheckpoint? restoreFrom, long now)
    {
        var engine = new WindowEngine<TEvent, TKey, TAcc, TResult>(Settings, Key, Aggregator, parallelism);
        if (restoreFrom is not null)
        {
            if (restoreFrom.State is not EngineState<TKey, TAcc> state)
            {
                throw new ArgumentException("The checkpoint was taken by a query of other event, key or accumulator types.", nameof(restoreFrom));
            }

            engine.Restore(state, now);
        }

        return engine;
    }

    private sealed class Processor(WindowQuery<TEvent, TKey, TAcc, TResult> query, WindowEngine<TEvent, TKey, TAcc, TResult> engine, TimeProvider time, WindowCheckpoint? restored)
        : WindowProcessor<TEvent, TKey, TResult>
    {
        private readonly int _partition = engine.TryGetPartition(DefaultPartition, out int p) ? p : engine.OpenPartition(DefaultPartition, null, time.GetUtcNow().ToUnixTimeMilliseconds());
        private readonly TEvent[] _one = new TEvent[1];
        private long _consumed = restored?.EventsConsumed ?? 0;
        private bool _completed;

        public override long Watermark => engine.Watermark;

        public override long RecordsIn => engine.RecordsIn;

        public override int LiveWindowCount => engine.LiveWindowCount;

        public override void Add(TEvent value)
        {
            _one[0] = value;
            Add(_one);
            _one[0] = default!;
        }

        public override void Add(ReadOnlySpan<TEvent> values)
        {
            ThrowIfCompleted();
            engine.Process(_partition, values, default, time.GetUtcNow().ToUnixTimeMilliseconds());
            _consumed += values.Length;
        }

        public override void AdvanceTime()
        {
            ThrowIfCompleted();
            engine.Advance(time.GetUtcNow().ToUnixTimeMilliseconds());
        }

        public override void Complete()
        {
            if (!_completed)
            {
                _completed = true;
                engine.Complete(time.GetUtcNow().ToUnixTimeMilliseconds());
            }
        }

        public override bool TryRead(out WindowResult<TKey, TResult> result) => engine.Results.TryDequeue(out result);

        public override bool TryReadLate(out LateEvent<TEvent> late) => engine.LateEvents.TryDequeue(out late);

        public override WindowCheckpoint Checkpoint()
        {
            ThrowIfCompleted();
            if (engine.Results.Count > 0 || engine.LateEvents.Count > 0)
            {
                throw new InvalidOperationException("Read every result and late event (TryRead, TryReadLate) before taking a checkpoint: a checkpoint holds no unread output.");
            }

            EngineState<TKey, TAcc> state = engine.Checkpoint();
            return new WindowCheckpoint(state, _consumed, new Dictionary<string, string>(), time.GetUtcNow(), query.Settings.Assigner.ToString()) { Partitions = [.. state.Partitions.Select(p => (p.Name, p.Ended))] };
        }

        private void ThrowIfCompleted()
        {
            if (_completed)
            {
                throw new InvalidOperationException("The processor is complete: every window has fired.");
            }
        }
    }

    internal const string DefaultPartition = "0";
}
