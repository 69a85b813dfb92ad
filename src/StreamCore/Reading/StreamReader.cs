using System.Runtime.CompilerServices;
using StreamCore.Engine;
using StreamCore.Reading;

namespace StreamCore;

/// <summary>
/// Reads a whole stream across reshards: a shard's parents are read to their end before the shard itself, so the
/// records of a partition key come out in the order they were written, through any number of splits and merges;
/// shards with no parent-child relation are read side by side. Batches carry their <see cref="RecordBatch.ShardId"/>.
/// </summary>
internal sealed class StreamFollower(StreamEngine engine, StreamState stream)
{
    private readonly Dictionary<ShardState, ShardReader> _active = [];
    private readonly Dictionary<ShardState, Task<bool>> _waits = [];
    private readonly HashSet<ShardState> _finished = [];
    private readonly HashSet<ShardState> _initial = [];
    private readonly Dictionary<ShardState, bool> _considered = [];

    public async IAsyncEnumerable<RecordBatch> ReadAsync(ShardPosition position, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            Start(position);
            while (_active.Count > 0)
            {
                bool read = false;
                foreach ((ShardState shard, ShardReader reader) in _active.ToArray())
                {
                    if (reader.TryRead(out RecordBatch batch))
                    {
                        read = true;
                        yield return batch; // valid until this reader reads again
                    }
                    else if (reader.IsAtShardEnd)
                    {
                        Finish(shard);
                    }
                }

                if (!read && _active.Count > 0)
                {
                    await WaitForAnyAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            foreach (ShardReader reader in _active.Values)
            {
                reader.Dispose();
            }
        }
    }

    private void Start(ShardPosition position)
    {
        long now = engine.NowMs;
        ShardState[] live = [.. stream.LiveShards(now)];
        IEnumerable<ShardState> start = position.Kind switch
        {
            // The roots of what is retained: shards none of whose parents is still retained.
            ShardPositionKind.TrimHorizon => live.Where(s => !Parents(s).Any(p => live.Contains(p))),
            ShardPositionKind.Latest => live.Where(s => s.IsOpen),
            ShardPositionKind.AtTimestamp => live.Where(s => OpenAt(s, Math.Max(position.Timestamp.ToUnixTimeMilliseconds(), s.CreatedAtMs))),
            _ => throw new ArgumentException("A stream is followed from TRIM_HORIZON, LATEST or AT_TIMESTAMP; sequence numbers belong to one shard.", nameof(position)),
        };
        foreach (ShardState shard in start.ToArray())
        {
            _initial.Add(shard);
            Activate(shard, position.Kind == ShardPositionKind.AtTimestamp && position.Timestamp.ToUnixTimeMilliseconds() < shard.CreatedAtMs ? ShardPosition.TrimHorizon : position);
        }

        static bool OpenAt(ShardState s, long t) => s.CreatedAtMs <= t && (s.ClosedAtMs is not { } closed || closed > t);
    }

    private void Activate(ShardState shard, ShardPosition position)
    {
        long index = ShardPositions.Resolve(engine, stream, shard, position, engine.NowMs);
        _active[shard] = new ShardReader(engine, stream, shard, index, 10_000);
    }

    private void Finish(ShardState shard)
    {
        _active.Remove(shard, out ShardReader? reader);
        reader?.Dispose();
        _waits.Remove(shard);
        _finished.Add(shard);
        foreach (ShardState child in shard.Children)
        {
            if (!_active.ContainsKey(child) && !_finished.Contains(child) && Parents(child).Where(IsConsidered).All(_finished.Contains))
            {
                Activate(child, ShardPosition.TrimHorizon);
            }
        }
    }

    // A shard is read if it is one of the starting shards or descends from one; only those parents hold a child back.
    private bool IsConsidered(ShardState shard)
    {
        if (!_considered.TryGetValue(shard, out bool considered))
        {
            considered = _initial.Contains(shard) || Parents(shard).Any(IsConsidered);
            _considered[shard] = considered;
        }

        return considered;
    }

    private IEnumerable<ShardState> Parents(ShardState shard)
    {
        ShardState[] shards = stream.Shards;
        foreach (ShardId? id in new[] { shard.ParentShardId, shard.AdjacentParentShardId })
        {
            if (id is { } parent && parent.Index < shards.Length)
            {
                yield return shards[parent.Index];
            }
        }
    }

    private async Task WaitForAnyAsync(CancellationToken cancellationToken)
    {
        foreach ((ShardState shard, ShardReader reader) in _active)
        {
            // One wait per reader at a time: a reader's wait handle serves a single pending wait.
            if (!_waits.TryGetValue(shard, out Task<bool>? wait) || wait.IsCompleted)
            {
                _waits[shard] = reader.WaitToReadAsync(cancellationToken).AsTask();
            }
        }

        Task<bool> done = await Task.WhenAny(_waits.Values).ConfigureAwait(false);
        await done.ConfigureAwait(false); // surfaces cancellation
        foreach (ShardState shard in _waits.Where(w => w.Value.IsCompleted).Select(w => w.Key).ToArray())
        {
            _waits.Remove(shard);
        }
    }
}
