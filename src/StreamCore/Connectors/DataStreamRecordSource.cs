using StreamCore.Errors;

namespace StreamCore.Connectors;

/// <summary>
/// A source over the event-bus face: batches lend the records stored in the engine (no copy, no allocation per record),
/// valid until the reader reads again; a caught-up reader waits on the shard's log, woken by the next append.
/// </summary>
internal sealed class DataStreamRecordSource(DataStream stream) : RecordSource
{
    public override string StreamName => stream.Name;

    public override Task<IReadOnlyList<SourceShard>> ListShardsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDeleted(stream);
        IReadOnlyList<SourceShard> shards = [.. stream.Shards.Select(s => new SourceShard(s.ShardId, s.ParentShardId, s.AdjacentParentShardId, s.HashKeyRange, s.StartingSequenceNumber, s.EndingSequenceNumber))];
        return Task.FromResult(shards);
    }

    public override ValueTask<SourceShardReader> OpenReaderAsync(ShardId shardId, ShardPosition position, int maxRecords, CancellationToken cancellationToken)
    {
        ValidateMaxRecords(maxRecords);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDeleted(stream);
        return ValueTask.FromResult<SourceShardReader>(new Reader(stream, stream.OpenReader(shardId, position, maxRecords)));
    }

    private static void ThrowIfDeleted(DataStream stream)
    {
        if (stream.Status == DataStreamStatus.Deleting)
        {
            throw ErrorMessages.StreamNotFound(stream.Name, AccountOf(stream.Arn));
        }
    }

    // arn:aws:kinesis:region:account:stream/name
    private static string AccountOf(string arn) => arn.Split(':') is { Length: > 4 } parts ? parts[4] : string.Empty;

    private sealed class Reader(DataStream stream, ShardReader reader) : SourceShardReader
    {
        // Cancelled at disposal: releases a pending wait before the reader's storage hold goes.
        private readonly CancellationTokenSource _lifetime = new();
        private Task<bool>? _pendingWait;
        private IReadOnlyList<SourceChildShard>? _children;
        private bool _disposed;

        public override ShardId ShardId => reader.ShardId;

        public override async ValueTask<SourceBatch> ReadAsync(TimeSpan maxWait, CancellationToken cancellationToken)
        {
            ValidateMaxWait(maxWait);
            ObjectDisposedException.ThrowIf(_disposed, this);
            long started = maxWait == Timeout.InfiniteTimeSpan ? 0 : stream.TimeProvider.GetTimestamp();
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reader.TryRead(out RecordBatch batch))
                {
                    return new SourceBatch(batch, reader.MillisBehindLatest(), reader.IsAtShardEnd ? End() : null);
                }

                if (reader.IsAtShardEnd)
                {
                    return new SourceBatch(batch, 0, End());
                }

                TimeSpan remaining = maxWait == Timeout.InfiniteTimeSpan ? maxWait : maxWait - stream.TimeProvider.GetElapsedTime(started);
                if (maxWait != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
                {
                    return new SourceBatch(batch, 0, null);
                }

                // One wait at a time (the reader's wait handle serves one); a wait that outlives a timed-out read is
                // kept for the next, so no wake-up is lost and none is registered twice.
                _pendingWait ??= reader.WaitToReadAsync(_lifetime.Token).AsTask();
                if (remaining == Timeout.InfiniteTimeSpan)
                {
                    await _pendingWait.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    Task delay = Task.Delay(remaining, stream.TimeProvider, timer.Token);
                    Task first = await Task.WhenAny(_pendingWait, delay).ConfigureAwait(false);
                    await timer.CancelAsync().ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (first != _pendingWait)
                    {
                        continue; // the time is up: the next turn returns an empty batch unless a record arrived
                    }
                }

                bool more = await _pendingWait.ConfigureAwait(false);
                _pendingWait = null;
                if (!more && !reader.IsAtShardEnd)
                {
                    throw new ObjectDisposedException(nameof(StreamEngine), $"The engine serving stream {stream.Name} was disposed while shard {reader.ShardId} was read.");
                }
            }
        }

        // The end of a closed shard: its children, from the stream's shard list (once). A reader that ends on an open
        // shard or a deleted stream is not at a shard's end: saying so would let a consumer checkpoint SHARD_END.
        private IReadOnlyList<SourceChildShard> End()
        {
            if (_children is { } known)
            {
                return known;
            }

            ThrowIfDeleted(stream);
            IReadOnlyList<ShardInfo> shards = stream.Shards;
            if (shards.FirstOrDefault(s => s.ShardId == reader.ShardId) is { IsOpen: true })
            {
                throw new ObjectDisposedException(nameof(StreamEngine), $"The engine serving stream {stream.Name} was disposed while shard {reader.ShardId} was read.");
            }

            _children = [.. shards
                .Where(s => s.ParentShardId == reader.ShardId || s.AdjacentParentShardId == reader.ShardId)
                .Select(s => new SourceChildShard(s.ShardId, new SourceShard(s.ShardId, s.ParentShardId, s.AdjacentParentShardId, s.HashKeyRange, s.StartingSequenceNumber, s.EndingSequenceNumber).ParentShardIds, s.HashKeyRange))];
            return _children;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _lifetime.CancelAsync().ConfigureAwait(false);
            if (_pendingWait is not null)
            {
                await ((Task)_pendingWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            reader.Dispose();
            _lifetime.Dispose();
        }
    }
}
