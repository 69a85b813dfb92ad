using System.Globalization;
using System.Threading.Channels;

namespace StreamCore.Analytics;

/// <summary>Any <see cref="IAsyncEnumerable{T}"/> as one partition; its end is the end of input.</summary>
internal sealed class EnumerableInput<TEvent>(IAsyncEnumerable<TEvent> source, long skip) : WindowInput<TEvent>
{
    private const int MaxBatch = 512;

    public override async Task PumpAsync(ChannelWriter<InputItem<TEvent>> inbox, TimeProvider time, CancellationToken cancellationToken)
    {
        const string partition = "0";
        await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Open, Partition = partition }, cancellationToken).ConfigureAwait(false);
        IAsyncEnumerator<TEvent> events = source.GetAsyncEnumerator(cancellationToken);
        await using (events.ConfigureAwait(false))
        {
            long skipped = 0;
            var batch = new TEvent[MaxBatch];
            int count = 0;
            while (true)
            {
                ValueTask<bool> next = events.MoveNextAsync();
                if (!next.IsCompleted && count > 0)
                {
                    // Nothing more at hand: hand over what there is before waiting.
                    await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Batch, Partition = partition, Events = batch, Count = count }, cancellationToken).ConfigureAwait(false);
                    batch = new TEvent[MaxBatch];
                    count = 0;
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                if (skipped < skip)
                {
                    skipped++;
                    continue;
                }

                batch[count++] = events.Current;
                if (count == MaxBatch)
                {
                    await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Batch, Partition = partition, Events = batch, Count = count }, cancellationToken).ConfigureAwait(false);
                    batch = new TEvent[MaxBatch];
                    count = 0;
                }
            }

            if (count > 0)
            {
                await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Batch, Partition = partition, Events = batch, Count = count }, cancellationToken).ConfigureAwait(false);
            }

            await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.EndOfInput }, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// A stream of the embedded engine through its event-bus face, read across reshards (parents to their end before
/// their children). Every shard is a partition: the shards without a retained parent open at the start (so an empty
/// one holds the watermark back until it is idle); a child opens when its first records arrive, at its parents'
/// watermark, and its parents end then (they were read to their end).
/// </summary>
internal sealed class DataStreamInput<TEvent>(DataStream stream, Func<StreamRecord, TEvent> decode, ShardPosition position, WindowCheckpoint? restoreFrom) : WindowInput<TEvent>
{
    private ShardPosition? _start;

    public override ShardPosition? StartPosition => _start;

    public override async Task PumpAsync(ChannelWriter<InputItem<TEvent>> inbox, TimeProvider time, CancellationToken cancellationToken)
    {
        // A restore reads from where the first run started and skips what its checkpoint had folded in, shard by shard.
        ShardPosition start = restoreFrom?.StartPosition ?? (position.Kind == ShardPositionKind.Latest ? ShardPosition.AtTimestamp(time.GetUtcNow()) : position);
        _start = start;
        IReadOnlyDictionary<string, string> done = restoreFrom?.ShardPositions ?? new Dictionary<string, string>();
        var opened = new HashSet<string>(StringComparer.Ordinal);
        var ended = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<ShardInfo> shards = stream.Shards;
        var retained = shards.Select(s => s.ShardId.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (ShardInfo shard in shards)
        {
            if (Parents(shard).All(p => !retained.Contains(p)))
            {
                string id = shard.ShardId.ToString();
                opened.Add(id);
                await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Open, Partition = id }, cancellationToken).ConfigureAwait(false);
            }
        }

        await foreach (RecordBatch batch in stream.ReadStreamAsync(start, cancellationToken).ConfigureAwait(false))
        {
            if (batch.Count == 0)
            {
                continue;
            }

            string id = batch.ShardId.ToString();
            if (opened.Add(id))
            {
                ShardInfo? info = stream.Shards.FirstOrDefault(s => s.ShardId == batch.ShardId);
                string[] parents = info is null ? [] : [.. Parents(info)];
                await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.Open, Partition = id, Parents = parents }, cancellationToken).ConfigureAwait(false);
                foreach (string parent in parents)
                {
                    if (opened.Contains(parent) && ended.Add(parent))
                    {
                        await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.End, Partition = parent }, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            SequenceNumber after = done.TryGetValue(id, out string? text) && SequenceNumber.TryParse(text, out SequenceNumber parsed) ? parsed : default;
            bool skipping = text is not null;
            var events = new TEvent[batch.Count];
            var arrivals = new long[batch.Count];
            int count = 0;
            SequenceNumber last = default;
            foreach (StreamRecord record in batch)
            {
                last = record.SequenceNumber;
                if (skipping && last <= after)
                {
                    continue;
                }

                events[count] = decode(record);
                arrivals[count] = record.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds();
                count++;
            }

            if (count > 0)
            {
                await inbox.WriteAsync(new InputItem<TEvent>
                {
                    Kind = InputKind.Batch,
                    Partition = id,
                    Events = events,
                    ArrivalTimes = arrivals,
                    Count = count,
                    LastSequenceNumber = last.ToString(),
                }, cancellationToken).ConfigureAwait(false);
            }
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            await inbox.WriteAsync(new InputItem<TEvent> { Kind = InputKind.EndOfInput }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IEnumerable<string> Parents(ShardInfo shard)
    {
        if (shard.ParentShardId is { } parent)
        {
            yield return parent.ToString();
        }

        if (shard.AdjacentParentShardId is { } adjacent)
        {
            yield return adjacent.ToString();
        }
    }
}
