using StreamCore.Errors;
using StreamCore.Kinesis;

namespace StreamCore.Connectors;

internal sealed partial class KinesisClientRecordSource
{
    /// <summary>
    /// Enhanced fan-out of one shard: events pushed by SubscribeToShard. A subscription ends after its lifetime (5 minutes
    /// on Kinesis) or on a transient failure; the reader then subscribes again AFTER_SEQUENCE_NUMBER the last
    /// ContinuationSequenceNumber (as the KCL's FanOutRecordsPublisher does), so nothing is skipped or repeated. An event
    /// larger than the batch size is handed out in parts.
    /// </summary>
    /// <remarks>
    /// Kinesis refuses a consumer's new subscription to a shard within 5 seconds of the previous one (ResourceInUse): the
    /// reader then subscribes on a later read, with backoff. LATEST is therefore fixed at the first successful
    /// subscription, as with the KCL.
    /// </remarks>
    private sealed class FanOutReader(KinesisClientRecordSource source, string consumerArn, ShardId shardId, ShardPosition start, int maxRecords) : SourceShardReader
    {
        private readonly TimeProvider _time = source._options.TimeProvider;

        // Cancelled at disposal: ends the subscription and a pending MoveNextAsync.
        private readonly CancellationTokenSource _lifetime = new();
        private Backoff _backoff = new(source._options);
        private IAsyncEnumerator<SubscribeToShardEvent>? _events;
        private Task<bool>? _pendingMove;
        private string? _continuation;
        private DateTimeOffset _nextSubscribeAt;
        private long _millisBehindLatest;
        private IReadOnlyList<SourceChildShard>? _children;

        // An event larger than a batch is handed out in parts: the event, how much of it is out, and, for the shard's
        // last event, the children to report with its last part.
        private SubscribeToShardEvent? _current;
        private int _offset;
        private IReadOnlyList<SourceChildShard>? _endChildren;
        private bool _disposed;

        public override ShardId ShardId => shardId;

        /// <summary>Subscribes for the first time: a bad shard or position fails here; a subscription refused for now waits.</summary>
        public async Task OpenAsync(CancellationToken cancellationToken)
        {
            try
            {
                await SubscribeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ResourceInUseException or LimitExceededException)
            {
                // Another subscription of this consumer to this shard started less than 5 seconds ago (a lease that
                // just moved): Kinesis lets the new one take over after that, so the first read subscribes then.
                _nextSubscribeAt = _time.GetUtcNow() + _backoff.Next();
            }
        }

        public async Task SubscribeAsync(CancellationToken cancellationToken)
        {
            (ShardIteratorType type, string? sequenceNumber, DateTime? timestamp) = _continuation is { } continuation
                ? (ShardIteratorType.AFTER_SEQUENCE_NUMBER, continuation, null)
                : Starting(start);
            cancellationToken.ThrowIfCancellationRequested();

            // The event stream lives as long as the reader, not as long as one read: the call takes the reader's token
            // (a subscription call is short; one abandoned half-way would leave a subscription behind).
            SubscribeToShardResponse response = await source._client.SubscribeToShardAsync(
                new SubscribeToShardRequest
                {
                    ConsumerARN = consumerArn,
                    ShardId = shardId.ToString(),
                    StartingPosition = new StartingPosition { Type = type, SequenceNumber = sequenceNumber, Timestamp = timestamp },
                },
                _lifetime.Token).ConfigureAwait(false);
            IAsyncEnumerable<SubscribeToShardEvent> events = response.EventStream
                ?? throw new InternalFailureException($"SubscribeToShard returned no event stream for shard {shardId} of stream {source.StreamName}.");
            _events = events.GetAsyncEnumerator(_lifetime.Token);
        }

        public override async ValueTask<SourceBatch> ReadAsync(TimeSpan maxWait, CancellationToken cancellationToken)
        {
            ValidateMaxWait(maxWait);
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_children is not null)
            {
                return new SourceBatch(NoRecords, 0, _children);
            }

            if (_current is not null)
            {
                return Emit();
            }

            DateTimeOffset now = _time.GetUtcNow();
            DateTimeOffset? deadline = maxWait == Timeout.InfiniteTimeSpan ? null : now + maxWait;
            while (true)
            {
                if (_events is null)
                {
                    if (_nextSubscribeAt > now)
                    {
                        if (deadline is { } due && due < _nextSubscribeAt)
                        {
                            if (due > now)
                            {
                                await Task.Delay(due - now, _time, cancellationToken).ConfigureAwait(false);
                            }

                            return new SourceBatch(NoRecords, _millisBehindLatest, null);
                        }

                        await Task.Delay(_nextSubscribeAt - now, _time, cancellationToken).ConfigureAwait(false);
                    }

                    try
                    {
                        await SubscribeAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsTransient(ex, cancellationToken))
                    {
                        now = _time.GetUtcNow();
                        _nextSubscribeAt = now + _backoff.Next();
                        continue;
                    }
                    catch (ResourceNotFoundException ex)
                    {
                        throw source.Deleted(shardId, ex);
                    }
                }

                _pendingMove ??= _events!.MoveNextAsync().AsTask();
                if (!_pendingMove.IsCompleted)
                {
                    if (deadline is null)
                    {
                        await ((Task)_pendingMove).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                    else
                    {
                        TimeSpan remaining = deadline.Value - _time.GetUtcNow();
                        if (remaining > TimeSpan.Zero)
                        {
                            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                            await Task.WhenAny(_pendingMove, Task.Delay(remaining, _time, timer.Token)).ConfigureAwait(false);
                            await timer.CancelAsync().ConfigureAwait(false);
                            cancellationToken.ThrowIfCancellationRequested();
                        }

                        if (!_pendingMove.IsCompleted)
                        {
                            return new SourceBatch(NoRecords, _millisBehindLatest, null); // the event in flight is kept for the next read
                        }
                    }
                }

                bool moved;
                try
                {
                    moved = await _pendingMove.ConfigureAwait(false);
                }
                catch (ResourceNotFoundException ex)
                {
                    await DropSubscriptionAsync().ConfigureAwait(false);
                    throw source.Deleted(shardId, ex);
                }
                catch (Exception ex) when (IsTransient(ex, cancellationToken))
                {
                    await DropSubscriptionAsync().ConfigureAwait(false);
                    now = _time.GetUtcNow();
                    _nextSubscribeAt = now + _backoff.Next();
                    continue;
                }
                finally
                {
                    _pendingMove = null;
                }

                now = _time.GetUtcNow();
                if (!moved)
                {
                    await DropSubscriptionAsync().ConfigureAwait(false); // its lifetime is over: subscribe again from the continuation
                    continue;
                }

                SubscribeToShardEvent e = _events!.Current;
                _backoff.Reset();
                _millisBehindLatest = e.MillisBehindLatest ?? 0;
                if (e.ChildShards.Count > 0 || e.ContinuationSequenceNumber is null)
                {
                    _endChildren = ToChildren(e.ChildShards);
                    await DropSubscriptionAsync().ConfigureAwait(false);
                    _current = e;
                    return Emit();
                }

                _continuation = e.ContinuationSequenceNumber;
                if (e.Records.Count > 0)
                {
                    _current = e;
                    return Emit();
                }

                if (deadline is { } end && now >= end)
                {
                    return new SourceBatch(NoRecords, _millisBehindLatest, null);
                }
            }
        }

        /// <summary>The next part (at most a batch) of the current event; with its last part, the shard's end if it is.</summary>
        private SourceBatch Emit()
        {
            SubscribeToShardEvent e = _current!;
            int at = _offset;
            int count = Math.Min(maxRecords, e.Records.Count - at);
            _offset += count;
            if (_offset < e.Records.Count)
            {
                return new SourceBatch(e.Records, at, count, _millisBehindLatest, null);
            }

            _current = null;
            _offset = 0;
            _children = _endChildren;
            return new SourceBatch(e.Records, at, count, _children is null ? _millisBehindLatest : 0, _children);
        }

        // Failures a new subscription may cure: throttling, a subscription still held or replaced, transport errors.
        private bool IsTransient(Exception ex, CancellationToken cancellationToken) => ex switch
        {
            OperationCanceledException => !cancellationToken.IsCancellationRequested && !_lifetime.IsCancellationRequested, // a transport timeout
            ResourceNotFoundException or InvalidArgumentException or ValidationException or AccessDeniedException
                or KMSAccessDeniedException or KMSDisabledException or KMSInvalidStateException or KMSNotFoundException or KMSOptInRequired => false,
            _ => true,
        };

        private async Task DropSubscriptionAsync()
        {
            IAsyncEnumerator<SubscribeToShardEvent>? events = _events;
            _events = null;
            if (events is not null)
            {
                try
                {
                    await events.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A subscription that failed may fail again as it is released; the next one starts clean.
                }
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _lifetime.CancelAsync().ConfigureAwait(false);
            if (_pendingMove is not null)
            {
                await ((Task)_pendingMove).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await DropSubscriptionAsync().ConfigureAwait(false);
            _lifetime.Dispose();
        }
    }
}
