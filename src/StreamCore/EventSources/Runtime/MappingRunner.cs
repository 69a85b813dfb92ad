using System.Collections.Concurrent;
using StreamCore.Connectors;
using StreamCore.Functions;
using KinesisNotFound = StreamCore.Errors.ResourceNotFoundException;

namespace StreamCore.EventSources;

/// <summary>
/// A mapping's poller. Each time the mapping's settings take effect (<see cref="Apply"/>) the running generation is
/// paused (its invocations in flight finish and are checkpointed; nothing new starts) and, when enabled, a new
/// generation resumes every shard from its checkpoint with the new settings. Shards are processed parents first: a
/// child starts once all its parents are read to their end and processed. <see cref="StopAsync"/> (delete, dispose)
/// cancels everything, invocations included.
/// </summary>
internal sealed partial class MappingRunner : IDisposable
{
    private readonly LambdaService _service;
    private readonly EventSourceMapping _mapping;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<ShardId, ShardProgress> _progress = new();
    private CancellationTokenSource? _pause;
    private Task _running = Task.CompletedTask;
    private bool _stopped;
    private Task? _stopping;
    private bool _listed;
    private TaskCompletionSource _polling = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MappingRunner(LambdaService service, EventSourceMapping mapping)
    {
        _service = service;
        _mapping = mapping;
        Source = mapping.Source;
        Region = service.Functions.Region;
        InvokeIdentityArn = $"arn:{service.Functions.Partition}:iam::{service.Functions.AccountId}:role/StreamCoreEventSourceMapping";
        StartingPosition = mapping.StartingPosition switch
        {
            "TRIM_HORIZON" => ShardPosition.TrimHorizon,
            "AT_TIMESTAMP" => ShardPosition.AtTimestamp(new DateTimeOffset(mapping.StartingPositionTimestamp!.Value, TimeSpan.Zero)),
            _ => ShardPosition.Latest,
        };
        Metrics = new RunnerMetrics(service.Metrics, mapping);
    }

    public EventSource Source { get; }

    public string Region { get; }

    public string InvokeIdentityArn { get; }

    public ShardPosition StartingPosition { get; }

    public TimeProvider Time => _service.Time;

    public RunnerMetrics Metrics { get; }

    /// <summary>Completes once the running generation has opened a reader on every shard it can start (LATEST is then fixed).</summary>
    public Task Polling => Volatile.Read(ref _polling).Task;

    /// <summary>The shards' checkpoints (for tests and the host).</summary>
    public IReadOnlyDictionary<ShardId, SequenceNumber?> Checkpoints => _progress.ToDictionary(p => p.Key, p => p.Value.Checkpoint);

    /// <summary>Puts settings into effect (called under the service's control lock; never blocks).</summary>
    public void Apply(MappingSettings settings)
    {
        CancellationTokenSource? previousPause;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            previousPause = _pause;
            _pause = null;
            if (settings.Enabled)
            {
                var pause = new CancellationTokenSource();
                _pause = pause;
                _polling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                TaskCompletionSource polling = _polling;
                Task previous = _running;
                _running = Task.Run(() => RunAfterAsync(previous, settings, polling, pause.Token));
            }
        }

        // At once, so no batch starts after the change is in effect (an invocation in flight finishes). The lanes' wake-ups
        // run asynchronously, so little runs on the caller's thread.
        previousPause?.Cancel();
    }

    /// <summary>Stops for good: cancels invocations in flight, waits for every loop, releases parked readers.</summary>
    public Task StopAsync()
    {
        lock (_gate)
        {
            _stopped = true;
            return _stopping ??= StopCoreAsync(_running);
        }
    }

    private async Task StopCoreAsync(Task running)
    {

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (ShardProgress progress in _progress.Values)
        {
            if (progress.Parked is { } parked)
            {
                progress.Parked = null;
                await parked.DisposeAsync().ConfigureAwait(false);
            }
        }

        Dispose();
    }

    /// <summary>Releases the stop signal (after <see cref="StopAsync"/>).</summary>
    public void Dispose() => _stop.Dispose();

    private async Task RunAfterAsync(Task previous, MappingSettings settings, TaskCompletionSource polling, CancellationToken pause)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A generation never fails the next one.
        }

        try
        {
            if (!pause.IsCancellationRequested && !_stop.IsCancellationRequested)
            {
                await RunGenerationAsync(settings, polling, pause).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (pause.IsCancellationRequested || _stop.IsCancellationRequested)
        {
        }
        finally
        {
            polling.TrySetResult();
        }
    }

    /// <summary>Whether a shard still to process names a parent that is neither listed nor known to be gone.</summary>
    private bool HasUnlistedParent(SortedDictionary<ShardId, IReadOnlyList<ShardId>> known, HashSet<ShardId> absent)
    {
        foreach ((ShardId id, IReadOnlyList<ShardId> parents) in known)
        {
            if (_progress[id].Finished)
            {
                continue;
            }

            foreach (ShardId parent in parents)
            {
                if (!known.ContainsKey(parent) && !absent.Contains(parent))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The stream's retention period now (it may change while the mapping runs), or null when the stream is gone.</summary>
    public TimeSpan? StreamRetention()
    {
        try
        {
            return TimeSpan.FromHours(_service.Engine.GetStream(Source.StreamName).RetentionPeriodHours);
        }
        catch (KinesisNotFound)
        {
            return null;
        }
    }

    private RecordSource CreateSource() => Source.ConsumerArn is { } consumer
        ? new KinesisClientRecordSource(_service.Kinesis, Source.StreamArn, new KinesisClientSourceOptions { ConsumerArn = consumer, TimeProvider = Time })
        : new DataStreamRecordSource(_service.Engine.GetStream(Source.StreamName));

    private async Task RunGenerationAsync(MappingSettings settings, TaskCompletionSource polling, CancellationToken pause)
    {
        using var generation = CancellationTokenSource.CreateLinkedTokenSource(pause, _stop.Token);
        CancellationToken token = generation.Token;
        RecordSource source;
        IReadOnlyList<SourceShard> shards;
        try
        {
            source = CreateSource();
            shards = await source.ListShardsAsync(token).ConfigureAwait(false);
        }
        catch (KinesisNotFound error)
        {
            _service.SourceGone(_mapping, error.Message);
            return;
        }

        var known = new SortedDictionary<ShardId, IReadOnlyList<ShardId>>();
        foreach (SourceShard shard in shards)
        {
            known[shard.ShardId] = shard.ParentShardIds;
            _progress.TryAdd(shard.ShardId, new ShardProgress { UseMappingPosition = !_listed });
        }

        _listed = true;

        // Parents that a listing no longer has (trimmed past retention): nothing left to process before their children.
        var absent = new HashSet<ShardId>();
        var running = new Dictionary<ShardId, (ShardProcessor Processor, Task<ShardOutcome> Task)>();
        bool first = true;
        while (true)
        {
            if (!token.IsCancellationRequested && HasUnlistedParent(known, absent))
            {
                // A child names a parent this generation never listed (a reshard of a shard that was itself a child, or
                // that came after the listing): list again, so that the parent is processed before the child.
                try
                {
                    IReadOnlyList<SourceShard> listed = await source.ListShardsAsync(token).ConfigureAwait(false);
                    foreach (SourceShard shard in listed)
                    {
                        if (known.TryAdd(shard.ShardId, shard.ParentShardIds))
                        {
                            _progress.TryAdd(shard.ShardId, new ShardProgress { UseMappingPosition = false });
                        }
                    }

                    foreach (IReadOnlyList<ShardId> parents in known.Values)
                    {
                        foreach (ShardId parent in parents)
                        {
                            if (!known.ContainsKey(parent))
                            {
                                absent.Add(parent);
                            }
                        }
                    }
                }
                catch (KinesisNotFound error)
                {
                    _service.SourceGone(_mapping, error.Message);
                    await generation.CancelAsync().ConfigureAwait(false);
                }
            }

            if (!token.IsCancellationRequested)
            {
                foreach ((ShardId id, IReadOnlyList<ShardId> parents) in known)
                {
                    ShardProgress progress = _progress[id];
                    if (progress.Finished || running.ContainsKey(id) || !parents.All(p => absent.Contains(p) || (known.ContainsKey(p) && _progress[p].Finished)))
                    {
                        continue;
                    }

                    var processor = new ShardProcessor(this, id, progress, settings);
                    running[id] = (processor, processor.RunAsync(source, token, _stop.Token));
                }
            }

            if (first)
            {
                first = false;
                Task[] opened = [.. running.Values.Select(r => r.Processor.Opened.Task)];
                _ = Task.WhenAll(opened).ContinueWith(_ => polling.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            if (running.Count == 0)
            {
                if (token.IsCancellationRequested)
                {
                    return;
                }

                // Nothing to read (every shard finished): wait for the pause or the stop.
                await Task.Delay(Timeout.InfiniteTimeSpan, Time, token).ConfigureAwait(false);
            }

            Task<ShardOutcome> done = await Task.WhenAny(running.Values.Select(r => r.Task)).ConfigureAwait(false);
            ShardId doneId = running.First(r => r.Value.Task == done).Key;
            running.Remove(doneId);
            ShardOutcome outcome;
            try
            {
                outcome = await done.ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // An unexpected read failure: note it and restart the shard from its checkpoint after a second.
                _mapping.LastProcessingResult = "PROBLEM: " + error.Message;
                await Task.Delay(TimeSpan.FromSeconds(1), Time, token).ConfigureAwait(false);
                continue;
            }

            switch (outcome.Kind)
            {
                case ShardOutcomeKind.Finished:
                    _progress[doneId].Finished = true;
                    foreach (SourceChildShard child in outcome.Children!)
                    {
                        known.TryAdd(child.ShardId, child.ParentShardIds);
                        _progress.TryAdd(child.ShardId, new ShardProgress { UseMappingPosition = false });
                    }

                    break;
                case ShardOutcomeKind.SourceGone:
                    _service.SourceGone(_mapping, outcome.Problem!);
                    await generation.CancelAsync().ConfigureAwait(false);
                    break;
                default:
                    if (!token.IsCancellationRequested)
                    {
                        // Paused without a pause (its lane stopped): restart it.
                        continue;
                    }

                    break;
            }

            if (token.IsCancellationRequested && running.Count == 0)
            {
                return;
            }
        }
    }
}
