using StreamCore.Errors;
using StreamCore.Kinesis;

namespace StreamCore.Connectors;

internal sealed partial class KinesisClientRecordSource
{
    private static readonly List<Record> NoRecords = [];

    /// <summary>
    /// GetRecords polling of one shard. Only a successful call moves the iterator, so a cancelled or failed read loses
    /// nothing: the next read repeats it. An expired iterator is replaced by one after the last record read.
    /// </summary>
    private sealed class PollingReader(KinesisClientRecordSource source, ShardId shardId, ShardPosition start, int maxRecords) : SourceShardReader
    {
        private readonly TimeProvider _time = source._options.TimeProvider;
        private Backoff _backoff = new(source._options);
        private string? _iterator;
        private Record? _lastRecord; // its sequence number is formatted only when an iterator must be made after it
        private DateTimeOffset _nextCallAt;
        private long _millisBehindLatest;
        private IReadOnlyList<SourceChildShard>? _children;
        private bool _disposed;

        public override ShardId ShardId => shardId;

        public async Task OpenAsync(CancellationToken cancellationToken) =>
            _iterator = await GetIteratorAsync(cancellationToken).ConfigureAwait(false);

        public override async ValueTask<SourceBatch> ReadAsync(TimeSpan maxWait, CancellationToken cancellationToken)
        {
            ValidateMaxWait(maxWait);
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_children is not null)
            {
                return new SourceBatch(NoRecords, 0, _children);
            }

            DateTimeOffset now = _time.GetUtcNow();
            DateTimeOffset? deadline = maxWait == Timeout.InfiniteTimeSpan ? null : now + maxWait;
            while (true)
            {
                if (_nextCallAt > now)
                {
                    if (deadline is { } due && due < _nextCallAt)
                    {
                        if (due > now)
                        {
                            await Task.Delay(due - now, _time, cancellationToken).ConfigureAwait(false);
                        }

                        return new SourceBatch(NoRecords, _millisBehindLatest, null);
                    }

                    await Task.Delay(_nextCallAt - now, _time, cancellationToken).ConfigureAwait(false);
                }

                GetRecordsResponse response;
                try
                {
                    _iterator ??= await GetIteratorAsync(cancellationToken).ConfigureAwait(false);
                    response = await source._client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = _iterator, Limit = maxRecords }, cancellationToken).ConfigureAwait(false);
                }
                catch (ExpiredIteratorException)
                {
                    _iterator = null; // the consumer paused longer than an iterator lives: resume after the last record read
                    now = _time.GetUtcNow();
                    continue;
                }
                catch (Exception ex) when (IsThrottling(ex))
                {
                    now = _time.GetUtcNow();
                    _nextCallAt = now + _backoff.Next();
                    continue;
                }
                catch (ResourceNotFoundException ex)
                {
                    throw source.Deleted(shardId, ex);
                }

                _backoff.Reset();
                now = _time.GetUtcNow();
                List<Record> records = response.Records;
                _iterator = response.NextShardIterator;
                _millisBehindLatest = response.MillisBehindLatest ?? 0;
                if (records.Count > 0)
                {
                    _lastRecord = records[^1];
                }

                if (_iterator is null)
                {
                    _children = ToChildren(response.ChildShards);
                    return new SourceBatch(records, 0, _children);
                }

                // Caught up: the KCL's idle time before the next call. Behind: the next call follows at once.
                _nextCallAt = records.Count == 0 || _millisBehindLatest == 0 ? now + source._options.IdleTimeBetweenReads : now;
                if (records.Count > 0 || (deadline is { } end && now >= end))
                {
                    return new SourceBatch(records, _millisBehindLatest, null);
                }
            }
        }

        private async Task<string> GetIteratorAsync(CancellationToken cancellationToken)
        {
            (ShardIteratorType type, string? sequenceNumber, DateTime? timestamp) = _lastRecord?.FormatSequenceNumberAlone() is { } last
                ? (ShardIteratorType.AFTER_SEQUENCE_NUMBER, last, null)
                : Starting(start);
            GetShardIteratorResponse response = await source._client.GetShardIteratorAsync(
                source.Addressed(new GetShardIteratorRequest { ShardId = shardId.ToString(), ShardIteratorType = type, StartingSequenceNumber = sequenceNumber, Timestamp = timestamp }),
                cancellationToken).ConfigureAwait(false);
            return response.ShardIterator ?? throw new InternalFailureException($"GetShardIterator returned no iterator for shard {shardId} of stream {source.StreamName}.");
        }

        public override ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
