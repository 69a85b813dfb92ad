using StreamCore.Aggregation;
using StreamCore.Connectors;
using StreamCore.Delivery.Buffering;
using StreamCore.Errors;

namespace StreamCore.Delivery;

public sealed partial class Firehose
{
    /// <summary>
    /// Starts reading the source stream of a KinesisStreamAsSource delivery stream through the processing layer's
    /// source (called once, under the state's gate, when the delivery stream becomes ACTIVE).
    /// </summary>
    partial void StartKinesisSource(DeliveryStreamState state, string streamName)
    {
        var reader = new KinesisSourceReader(
            records => Accept(state, records),
            state.Pipeline,
            () => new DataStreamRecordSource(Engine.GetStream(streamName)),
            _sourcePosition,
            Engine.Time);
        state.SourceReader = reader;
        state.StopSource = reader.StopAsync;
        reader.Start();
    }
}

/// <summary>
/// Reads a KinesisStreamAsSource delivery stream's source through a <see cref="RecordSource"/>: every shard from
/// TRIM_HORIZON (or, as configured, the open shards from LATEST), a child only once all its parents are read to their
/// end, each Kinesis record de-aggregated (a KPL aggregate gives its user records, in order) and handed on with the
/// Kinesis record's arrival time, then checkpointed. A shard whose read fails transiently is reopened after its
/// checkpoint, so nothing handed on is read twice and nothing is skipped. While the destination is behind (too many
/// objects waiting for the writer) the reader waits, so records stay in the stream, under its retention, as Firehose does.
/// </summary>
internal sealed class KinesisSourceReader(
    Action<IncomingRecord[]> accept,
    DeliveryPipeline pipeline,
    Func<RecordSource> openSource,
    ShardPosition start,
    TimeProvider time) : IDisposable
{
    /// <summary>GetRecords' most records per call.</summary>
    private const int MaxRecords = 10_000;

    /// <summary>Objects waiting for the writer above which the reader waits for the destination to catch up.</summary>
    internal const int MaxPendingObjects = 16;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<ShardId, SequenceNumber> _checkpoints = [];
    private readonly HashSet<ShardId> _known = [];
    private readonly HashSet<ShardId> _started = [];
    private readonly HashSet<ShardId> _ended = [];
    private readonly List<Task> _readers = [];
    private readonly RecordDeaggregator _deaggregator = new();
    private readonly TaskCompletionSource _listed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _run = Task.CompletedTask;

    // Read loops running, plus one for the listing while it runs; _finished completes when it returns to zero.
    private int _active = 1;
    private Task? _stopping;

    /// <summary>The last sequence number handed on, per shard (a copy).</summary>
    public IReadOnlyDictionary<ShardId, SequenceNumber> Checkpoints
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<ShardId, SequenceNumber>(_checkpoints);
            }
        }
    }

    /// <summary>The shards read to their end.</summary>
    public IReadOnlyCollection<ShardId> EndedShards
    {
        get
        {
            lock (_gate)
            {
                return [.. _ended];
            }
        }
    }

    /// <summary>Completes once the shards are listed and their first readers started (or the stream turned out to be gone).</summary>
    public Task Listed => _listed.Task;

    /// <summary>Completes when every shard reader has ended: the stream was deleted, every shard ended, or the reader stopped.</summary>
    public Task Finished => _finished.Task;

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>Stops reading: every shard reader finishes the batch it is handing on (which is then checkpointed) and ends.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _ = cancellationToken; // reading stops at once; nothing to wait for beyond the batch in hand
        lock (_gate)
        {
            return _stopping ??= StopCoreAsync();
        }
    }

    private async Task StopCoreAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        while (true)
        {
            Task[] readers;
            lock (_gate)
            {
                readers = [.. _readers];
            }

            await Task.WhenAll(readers).ConfigureAwait(false);
            lock (_gate)
            {
                // A reader that ended as the stop began may have started children: wait for those too.
                if (_readers.Count == readers.Length)
                {
                    break;
                }
            }
        }

        Dispose();
    }

    /// <summary>Releases the stop signal (after <see cref="StopAsync"/>).</summary>
    public void Dispose() => _stop.Dispose();

    private async Task RunAsync()
    {
        try
        {
            RecordSource source = openSource();
            IReadOnlyList<SourceShard> shards = await source.ListShardsAsync(_stop.Token).ConfigureAwait(false);
            var roots = new List<ShardId>();
            lock (_gate)
            {
                foreach (SourceShard shard in shards)
                {
                    _known.Add(shard.ShardId);
                }

                foreach (SourceShard shard in shards)
                {
                    // From LATEST only the open shards are read; from TRIM_HORIZON the roots (no retained parent), and
                    // every other shard after its parents.
                    bool root = start.Kind == ShardPositionKind.Latest ? shard.IsOpen : shard.ParentShardIds.All(p => !_known.Contains(p));
                    if (root && _started.Add(shard.ShardId))
                    {
                        roots.Add(shard.ShardId);
                    }
                }
            }

            // Opened before any is read, so LATEST is fixed for every shard once Listed completes.
            var opened = new List<(ShardId Shard, SourceShardReader Reader)>();
            try
            {
                foreach (ShardId shard in roots)
                {
                    opened.Add((shard, await source.OpenReaderAsync(shard, start, MaxRecords, _stop.Token).ConfigureAwait(false)));
                }
            }
            catch
            {
                foreach ((_, SourceShardReader reader) in opened)
                {
                    await reader.DisposeAsync().ConfigureAwait(false);
                }

                throw;
            }

            lock (_gate)
            {
                foreach ((ShardId shard, SourceShardReader reader) in opened)
                {
                    StartReader(source, shard, start, reader);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ResourceNotFoundException)
        {
            // The source stream is gone: nothing to read.
        }
        finally
        {
            _listed.TrySetResult();
            ReaderEnded();
        }
    }

    /// <summary>Starts a shard's read loop (under <see cref="_gate"/>).</summary>
    private void StartReader(RecordSource source, ShardId shard, ShardPosition position, SourceShardReader? opened = null)
    {
        _active++;
        _readers.Add(Task.Run(() => ReadShardAsync(source, shard, position, opened)));
    }

    private void ReaderEnded()
    {
        lock (_gate)
        {
            if (--_active == 0)
            {
                _finished.TrySetResult();
            }
        }
    }

    private async Task ReadShardAsync(RecordSource source, ShardId shardId, ShardPosition position, SourceShardReader? opened)
    {
        try
        {
            await ReadShardCoreAsync(source, shardId, position, opened).ConfigureAwait(false);
        }
        finally
        {
            ReaderEnded();
        }
    }

    private async Task ReadShardCoreAsync(RecordSource source, ShardId shardId, ShardPosition position, SourceShardReader? opened)
    {
        CancellationToken stop = _stop.Token;
        var users = new List<DeaggregatedRecord>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                ShardPosition at;
                lock (_gate)
                {
                    at = _checkpoints.TryGetValue(shardId, out SequenceNumber done) ? ShardPosition.AfterSequenceNumber(done) : position;
                }

                SourceShardReader reader = opened ?? await source.OpenReaderAsync(shardId, at, MaxRecords, stop).ConfigureAwait(false);
                opened = null;
                await using (reader.ConfigureAwait(false))
                {
                    while (true)
                    {
                        if (pipeline.PendingBatches > MaxPendingObjects)
                        {
                            await pipeline.WhenDeliveredAsync(stop).ConfigureAwait(false);
                        }

                        SourceBatch batch = await reader.ReadAsync(Timeout.InfiniteTimeSpan, stop).ConfigureAwait(false);
                        if (batch.Count > 0)
                        {
                            HandOn(batch, users);
                            lock (_gate)
                            {
                                _checkpoints[shardId] = batch.LastSequenceNumber;
                            }
                        }

                        if (batch.IsShardEnd)
                        {
                            Ended(source, shardId, batch.ChildShards!);
                            return;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ResourceNotFoundException)
            {
                // The source stream was deleted, or the delivery stream is stopping (the batch was refused whole and not
                // checkpointed): this shard is done.
                return;
            }
            catch (ServiceUnavailableException)
            {
                return;
            }
#pragma warning disable CA1031 // A transient failure of the source (throttling, an expired iterator) is retried from the checkpoint.
            catch (Exception)
#pragma warning restore CA1031
            {
                try
                {
                    await Task.Delay(RetryDelay, time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>De-aggregates the batch's records and hands them on together (copied: the batch lends the source's storage).</summary>
    private void HandOn(SourceBatch batch, List<DeaggregatedRecord> users)
    {
        var arrivals = new long[batch.Count];
        var counts = new int[batch.Count];
        int total = 0;
        int i = 0;
        users.Clear();
        foreach (SourceRecord record in batch)
        {
            arrivals[i] = record.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds();
            int before = users.Count;

            // No hash-range filter: Firehose reads whole shards and delivers every user record of an aggregate.
            _deaggregator.Deaggregate(record.Data, record.PartitionKey, null, null, users);
            counts[i++] = users.Count - before;
        }

        foreach (DeaggregatedRecord user in users)
        {
            total += user.Data.Length;
        }

        byte[] copy = new byte[total];
        var incoming = new IncomingRecord[users.Count];
        int offset = 0;
        int u = 0;
        for (i = 0; i < counts.Length; i++)
        {
            for (int k = 0; k < counts[i]; k++, u++)
            {
                ReadOnlyMemory<byte> data = users[u].Data;
                data.CopyTo(copy.AsMemory(offset));
                incoming[u] = new IncomingRecord(copy.AsMemory(offset, data.Length), arrivals[i]);
                offset += data.Length;
            }
        }

        users.Clear();
        if (incoming.Length > 0)
        {
            accept(incoming);
        }
    }

    /// <summary>Marks a shard read to its end and starts the children whose parents have all ended (parents first).</summary>
    private void Ended(RecordSource source, ShardId shardId, IReadOnlyList<SourceChildShard> children)
    {
        lock (_gate)
        {
            _ended.Add(shardId);
            foreach (SourceChildShard child in children)
            {
                _known.Add(child.ShardId);
            }

            foreach (SourceChildShard child in children)
            {
                // A parent that was not retained when the shards were listed (expired) counts as ended.
                if (child.ParentShardIds.All(p => _ended.Contains(p) || !_known.Contains(p)) && !_stop.IsCancellationRequested && _started.Add(child.ShardId))
                {
                    StartReader(source, child.ShardId, ShardPosition.TrimHorizon);
                }
            }
        }
    }
}
