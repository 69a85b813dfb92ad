using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace StreamCore.Analytics;

/// <summary>What an input hands the run's loop.</summary>
internal sealed class InputItem<TEvent>
{
    public static readonly InputItem<TEvent> Tick = new() { Kind = InputKind.Tick };

    public InputKind Kind { get; init; }

    public string Partition { get; init; } = "";

    public IReadOnlyList<string>? Parents { get; init; }

    public TEvent[] Events { get; init; } = [];

    public long[] ArrivalTimes { get; init; } = [];

    public int Count { get; init; }

    /// <summary>The sequence number of the batch's last record (stream inputs).</summary>
    public string? LastSequenceNumber { get; init; }

    public TaskCompletionSource<WindowCheckpoint>? Checkpoint { get; init; }
}

internal enum InputKind
{
    Open,
    Batch,
    End,
    EndOfInput,
    Tick,
    Checkpoint,
}

/// <summary>An input: pumps batches (and shard openings and ends) into the run's inbox.</summary>
internal abstract class WindowInput<TEvent>
{
    public abstract Task PumpAsync(ChannelWriter<InputItem<TEvent>> inbox, TimeProvider time, CancellationToken cancellationToken);

    /// <summary>Where reading started, recorded in checkpoints.</summary>
    public virtual ShardPosition? StartPosition => null;
}

/// <summary>
/// The loop of a run: one task owns the engine and handles the inbox in order (batches, ticks of the clock,
/// checkpoint requests), handing results and late events to bounded channels it waits on.
/// </summary>
internal sealed class WindowRunner<TEvent, TKey, TAcc, TResult> : WindowRun<TEvent, TKey, TResult>
    where TKey : notnull
{
    private readonly WindowQuery<TEvent, TKey, TAcc, TResult> _query;
    private readonly WindowEngine<TEvent, TKey, TAcc, TResult> _engine;
    private readonly WindowInput<TEvent> _input;
    private readonly WindowRunOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<InputItem<TEvent>> _inbox = Channel.CreateBounded<InputItem<TEvent>>(new BoundedChannelOptions(16) { SingleReader = true });
    private readonly Channel<WindowResult<TKey, TResult>> _results;
    private readonly Channel<LateEvent<TEvent>> _late;
    private readonly Dictionary<string, string> _positions;
    private readonly CancellationTokenSource _stop = new();
    private readonly AnalyticsMetrics _metrics;
    private ITimer? _ticker;
    private Task _loop = Task.CompletedTask;
    private long _consumed;
    private long _watermark = long.MinValue;
    private long _recordsIn;
    private int _disposed;

    private WindowRunner(WindowQuery<TEvent, TKey, TAcc, TResult> query, WindowInput<TEvent> input, WindowRunOptions options, IMeterFactory? engineMeters)
    {
        _query = query;
        _input = input;
        _options = options;
        _time = options.TimeProvider;
        _engine = query.CreateEngine(options.Parallelism, options.RestoreFrom, Now);
        _consumed = options.RestoreFrom?.EventsConsumed ?? 0;
        _positions = options.RestoreFrom is { } restored ? new Dictionary<string, string>(restored.ShardPositions, StringComparer.Ordinal) : new(StringComparer.Ordinal);
        var output = new BoundedChannelOptions(options.OutputCapacity) { SingleWriter = true };
        _results = Channel.CreateBounded<WindowResult<TKey, TResult>>(output);
        _late = Channel.CreateBounded<LateEvent<TEvent>>(output);
        _metrics = new AnalyticsMetrics(options.Name, options.MeterFactory ?? engineMeters);
        _watermark = _engine.Watermark;
        _recordsIn = _engine.RecordsIn;
    }

    public override IAsyncEnumerable<WindowResult<TKey, TResult>> Results => _results.Reader.ReadAllAsync();

    public override IAsyncEnumerable<LateEvent<TEvent>> LateEvents => _late.Reader.ReadAllAsync();

    public override Task Completion => _loop;

    public override long Watermark => Volatile.Read(ref _watermark);

    public override long RecordsIn => Volatile.Read(ref _recordsIn);

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // engineMeters: over a stream of the embedded engine, its meter factory, so the run records on the engine's meter unless the options name another.
    public static WindowRunner<TEvent, TKey, TAcc, TResult> Start(WindowQuery<TEvent, TKey, TAcc, TResult> query, WindowInput<TEvent> input, WindowRunOptions options, IMeterFactory? engineMeters = null)
    {
        var runner = new WindowRunner<TEvent, TKey, TAcc, TResult>(query, input, options, engineMeters);
        runner._ticker = options.TimeProvider.CreateTimer(static s => ((WindowRunner<TEvent, TKey, TAcc, TResult>)s!)._inbox.Writer.TryWrite(InputItem<TEvent>.Tick), runner, options.TickInterval, options.TickInterval);
        Task pump = Task.Run(() => input.PumpAsync(runner._inbox.Writer, options.TimeProvider, runner._stop.Token));
        runner._loop = Task.Run(() => runner.LoopAsync(pump));
        return runner;
    }

    public override async ValueTask<WindowCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        var request = new TaskCompletionSource<WindowCheckpoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _inbox.Writer.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Checkpoint, Checkpoint = request }, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The run has ended; take checkpoints while it runs.");
        }

        using (cancellationToken.Register(static s => ((TaskCompletionSource<WindowCheckpoint>)s!).TrySetCanceled(), request))
        {
            return await request.Task.ConfigureAwait(false);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _ticker?.Dispose();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Stopping: the loop's own error (if any) was already surfaced through Completion.
        }

        _metrics.Dispose();
    }

    private async Task LoopAsync(Task pump)
    {
        _ = pump.ContinueWith(static (t, s) => ((Channel<InputItem<TEvent>>)s!).Writer.TryComplete(t.Exception?.InnerException), _inbox, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Exception? failure = null;
        try
        {
            CancellationToken stop = _stop.Token;
            while (await _inbox.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (_inbox.Reader.TryRead(out InputItem<TEvent>? item))
                {
                    Handle(item);
                    await FlushAsync(stop).ConfigureAwait(false);
                    Publish();
                    if (item.Kind == InputKind.EndOfInput)
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            _ticker?.Dispose();
            _inbox.Writer.TryComplete();
            while (_inbox.Reader.TryRead(out InputItem<TEvent>? left))
            {
                left.Checkpoint?.TrySetException(new InvalidOperationException("The run ended before the checkpoint was taken."));
            }

            _results.Writer.TryComplete(failure);
            _late.Writer.TryComplete(failure);
            if (!_stop.IsCancellationRequested)
            {
                await _stop.CancelAsync().ConfigureAwait(false); // stop the pump
            }
        }
    }

    private void Handle(InputItem<TEvent> item)
    {
        long now = Now;
        long recordsBefore = _engine.RecordsIn, lateBefore = _engine.LateCount, firedBefore = _engine.Firings;
        switch (item.Kind)
        {
            case InputKind.Open:
                _engine.OpenPartition(item.Partition, item.Parents, now);
                break;
            case InputKind.Batch:
                int partition = _engine.TryGetPartition(item.Partition, out int p) ? p : _engine.OpenPartition(item.Partition, item.Parents, now);
                _engine.Process(partition, item.Events.AsSpan(0, item.Count), item.ArrivalTimes.AsSpan(0, Math.Min(item.Count, item.ArrivalTimes.Length)), now);
                _consumed += item.Count;
                if (item.LastSequenceNumber is { } sequence)
                {
                    _positions[item.Partition] = sequence;
                }

                break;
            case InputKind.End:
                if (_engine.TryGetPartition(item.Partition, out int ended))
                {
                    _engine.EndPartition(ended, now);
                }

                break;
            case InputKind.EndOfInput:
                _engine.Complete(now);
                break;
            case InputKind.Tick:
                _engine.Advance(now);
                break;
            case InputKind.Checkpoint:
                EngineState<TKey, TAcc> state = _engine.Checkpoint();
                item.Checkpoint!.TrySetResult(new WindowCheckpoint(state, _consumed, new Dictionary<string, string>(_positions, StringComparer.Ordinal), _time.GetUtcNow(), _query.Settings.Assigner.ToString())
                {
                    StartPosition = _input.StartPosition,
                    Partitions = [.. state.Partitions.Select(p => (p.Name, p.Ended))],
                });
                break;
        }

        _metrics.Record(_engine.RecordsIn - recordsBefore, _engine.LateCount - lateBefore, _engine.Firings - firedBefore, _engine.Watermark, now);
    }

    /// <summary>Progress is published once the results of what it counts are in the output channels.</summary>
    private void Publish()
    {
        Volatile.Write(ref _watermark, _engine.Watermark);
        Volatile.Write(ref _recordsIn, _engine.RecordsIn);
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        while (_engine.Results.TryDequeue(out WindowResult<TKey, TResult> result))
        {
            if (!_results.Writer.TryWrite(result))
            {
                await _results.Writer.WriteAsync(result, cancellationToken).ConfigureAwait(false);
            }
        }

        while (_engine.LateEvents.TryDequeue(out LateEvent<TEvent> late))
        {
            if (!_late.Writer.TryWrite(late))
            {
                await _late.Writer.WriteAsync(late, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
