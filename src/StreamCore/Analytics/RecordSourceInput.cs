using System.Threading.Channels;
using StreamCore.Connectors;

namespace StreamCore.Analytics;

/// <summary>
/// A stream through the processing layer's <see cref="RecordSource"/> (the event-bus face, or any Kinesis client):
/// one reader per shard, parents to their end before their children. Every shard is a partition with its own
/// watermark. The first shards read are the roots (no retained parent; the open shards at LATEST); at a shard's end its
/// children whose parents have all ended open at their parents' watermark (opened before the parent ends, so the
/// stream's watermark never sees a gap), and are read from their start. On restore each shard resumes after the last
/// record the checkpoint folded in; shards with nothing folded in start where the first run started.
/// </summary>
internal sealed class RecordSourceInput<TEvent>(RecordSource source, Func<ReadOnlyMemory<byte>, TEvent> decode, ShardPosition position, WindowCheckpoint? restoreFrom) : WindowInput<TEvent>
{
    private const int MaxRecords = 10_000;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly List<Task> _readers = [];
    private ShardPosition? _start;

    public override ShardPosition? StartPosition => _start;

    public override async Task PumpAsync(ChannelWriter<InputItem<TEvent>> inbox, TimeProvider time, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IReadOnlyList<SourceShard> shards = await source.ListShardsAsync(cancellationToken).ConfigureAwait(false);
        var retained = shards.ToDictionary(s => s.ShardId.ToString(), StringComparer.Ordinal);
        _start = restoreFrom?.StartPosition ?? (position.Kind == ShardPositionKind.Latest ? ShardPosition.AtTimestamp(time.GetUtcNow()) : position);
        var first = new List<(SourceShard Shard, ShardPosition Position, IReadOnlyList<string>? Parents)>();
        if (restoreFrom is { } checkpoint)
        {
            foreach ((string name, bool ended) in checkpoint.Partitions)
            {
                _started.Add(name);
                if (ended)
                {
                    _ended.Add(name);
                }
            }

            foreach ((string name, bool ended) in checkpoint.Partitions)
            {
                if (!ended && retained.TryGetValue(name, out SourceShard? shard))
                {
                    ShardPosition at = checkpoint.ShardPositions.TryGetValue(name, out string? last) && SequenceNumber.TryParse(last, out SequenceNumber sequence)
                        ? ShardPosition.AfterSequenceNumber(sequence)
                        : _start.Value;
                    first.Add((shard, at, null));
                }
            }

            // Children whose parents all ended before the checkpoint but that it had not opened yet.
            foreach (SourceShard shard in shards)
            {
                string id = shard.ShardId.ToString();
                IReadOnlyList<string> parents = [.. shard.ParentShardIds.Select(p => p.ToString())];
                if (!_started.Contains(id) && parents.Count > 0 && parents.All(_ended.Contains))
                {
                    _started.Add(id);
                    first.Add((shard, ShardPosition.TrimHorizon, parents));
                }
            }
        }
        else
        {
            foreach (SourceShard shard in shards)
            {
                bool root = position.Kind == ShardPositionKind.Latest ? shard.IsOpen : shard.ParentShardIds.All(p => !retained.ContainsKey(p.ToString()));
                if (root)
                {
                    _started.Add(shard.ShardId.ToString());
                    first.Add((shard, position, null));
                }
            }
        }

        foreach ((SourceShard shard, ShardPosition at, IReadOnlyList<string>? parents) in first)
        {
            await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Open, Partition = shard.ShardId.ToString(), Parents = parents }, cancellationToken).ConfigureAwait(false);
        }

        foreach ((SourceShard shard, ShardPosition at, _) in first)
        {
            StartReader(shard.ShardId, at, inbox, failed);
        }

        // Wait for every reader, including the children started along the way; the first failure stops the others.
        while (true)
        {
            Task[] readers;
            lock (_gate)
            {
                readers = [.. _readers];
            }

            if (readers.Length == 0)
            {
                break; // a stream without shards
            }

            Task done = await Task.WhenAny(readers).ConfigureAwait(false);
            if (done.IsFaulted || done.IsCanceled)
            {
                await failed.CancelAsync().ConfigureAwait(false);
                await done.ConfigureAwait(false);
            }

            lock (_gate)
            {
                _readers.Remove(done);
                if (_readers.Count == 0)
                {
                    break;
                }
            }
        }

        // Every shard read to its end with no children left: the end of input.
        await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.EndOfInput }, cancellationToken).ConfigureAwait(false);
    }

    private void StartReader(ShardId shard, ShardPosition at, ChannelWriter<InputItem<TEvent>> inbox, CancellationTokenSource failed)
    {
        lock (_gate)
        {
            _readers.Add(Task.Run(() => ReadShardAsync(shard, at, inbox, failed), failed.Token));
        }
    }

    private async Task ReadShardAsync(ShardId shard, ShardPosition at, ChannelWriter<InputItem<TEvent>> inbox, CancellationTokenSource failed)
    {
        CancellationToken cancellationToken = failed.Token;
        string id = shard.ToString();
        SourceShardReader reader = await source.OpenReaderAsync(shard, at, MaxRecords, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (true)
            {
                SourceBatch batch = await reader.ReadAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                if (batch.Count > 0)
                {
                    // Decoded before the next read: the batch lends the source's storage until then.
                    var events = new TEvent[batch.Count];
                    var arrivals = new long[batch.Count];
                    int i = 0;
                    foreach (SourceRecord record in batch)
                    {
                        events[i] = decode(record.Data);
                        arrivals[i] = record.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds();
                        i++;
                    }

                    await inbox.WriteAsync(new InputItem<TEvent>
                    {
                        Kind = InputKind.Batch,
                        Partition = id,
                        Events = events,
                        ArrivalTimes = arrivals,
                        Count = events.Length,
                        LastSequenceNumber = batch.LastSequenceNumber.ToString(),
                    }, cancellationToken).ConfigureAwait(false);
                }

                if (batch.IsShardEnd)
                {
                    await EndAsync(id, batch.ChildShards!, inbox, failed).ConfigureAwait(false);
                    return;
                }
            }
        }
    }

    private async Task EndAsync(string shard, IReadOnlyList<SourceChildShard> children, ChannelWriter<InputItem<TEvent>> inbox, CancellationTokenSource failed)
    {
        var ready = new List<(SourceChildShard Child, string[] Parents)>();
        lock (_gate)
        {
            _ended.Add(shard);
            foreach (SourceChildShard child in children)
            {
                string[] parents = [.. child.ParentShardIds.Select(p => p.ToString())];
                if (parents.All(_ended.Contains) && _started.Add(child.ShardId.ToString()))
                {
                    ready.Add((child, parents));
                }
            }
        }

        // The children open (at their parents' watermark) before the parent ends.
        foreach ((SourceChildShard child, string[] parents) in ready)
        {
            await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Open, Partition = child.ShardId.ToString(), Parents = parents }, failed.Token).ConfigureAwait(false);
        }

        await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.End, Partition = shard }, failed.Token).ConfigureAwait(false);
        foreach ((SourceChildShard child, _) in ready)
        {
            StartReader(child.ShardId, ShardPosition.TrimHorizon, inbox, failed);
        }
    }
}
