using System.Globalization;
using StreamCore.Aggregation;
using StreamCore.Connectors;

namespace StreamCore.Consuming;

/// <summary>
/// One held lease and its processor, through the KCL's states: waiting on parent shards, initializing, processing,
/// then shard end, lease lost or shutdown requested. Every write to the lease (renew, checkpoint, release) goes through
/// one gate, so this worker's own writes never race on the lease counter; a write whose condition fails means the lease
/// was taken, and ends processing with <see cref="IShardRecordProcessor.LeaseLostAsync"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2213", Justification = "No kernel handles: the gate's wait handle is never taken and the token sources have no timers; they go with the consumer.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "No kernel handles: the gate's wait handle is never taken and the token sources have no timers; they go with the consumer.")]
internal sealed class ShardConsumer
{
    private readonly KinesisConsumer _owner;
    private readonly KinesisConsumerOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _any;
    private readonly ConsumerRecords _records = new();
    private readonly List<DeaggregatedRecord> _userRecords = [];
    private readonly ShardCheckpointer _checkpointer;
    private readonly HashKeyRange? _range;
    private IReadOnlyList<string> _children = [];
    private long _lastWriteTimestamp;
    private volatile bool _isLost;
    private bool _readToEnd;
    private bool _retrying; // a failed batch waits for its retry: LargestDelivered is what was processed, not the batch's end
    private bool _inShardEnded;

    public ShardConsumer(KinesisConsumer owner, Lease lease)
    {
        _owner = owner;
        _options = owner.Options;
        Current = lease;
        ShardId = lease.LeaseKey;
        _any = CancellationTokenSource.CreateLinkedTokenSource(_lost.Token, _stop.Token);
        _checkpointer = new ShardCheckpointer(this);
        _lastWriteTimestamp = _options.TimeProvider.GetTimestamp();
        LastCheckpoint = ExtendedSequenceNumber.FromLease(lease.Checkpoint, lease.CheckpointSubSequenceNumber);
        LargestDelivered = LastCheckpoint;
        if (UInt128.TryParse(lease.StartingHashKey, NumberStyles.None, CultureInfo.InvariantCulture, out UInt128 start)
            && UInt128.TryParse(lease.EndingHashKey, NumberStyles.None, CultureInfo.InvariantCulture, out UInt128 end))
        {
            _range = new HashKeyRange(start, end);
        }
    }

    public string ShardId { get; }

    /// <summary>The lease as this worker last stored or read it (its counter is what the next write expects).</summary>
    public Lease Current { get; private set; }

    public ExtendedSequenceNumber LastCheckpoint { get; private set; }

    public ExtendedSequenceNumber LargestDelivered { get; private set; }

    public bool IsLost => _isLost;

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = Task.Run(RunAsync);

    /// <summary>Asks for a graceful end: the batch in hand completes, the processor may checkpoint, the lease is released.</summary>
    public void RequestShutdown() => _stop.Cancel();

    /// <summary>Abandons the lease without a word to the store (disposal without a graceful stop, or a stop cut short).</summary>
    public void Abandon() => MarkLost("the consumer was stopped before the processor finished");

    /// <summary>Renews the lease (a conditional write of the same lease); called by the renewer.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_isLost)
            {
                return;
            }

            Lease? renewed;
            try
            {
                renewed = await _owner.Store.TryUpdateLeaseAsync(Current, Current, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The store is unavailable: keep the lease while it may still be ours; past the failover time another
                // worker may have taken it, so stop processing (the taker picks the shard up again once the store is back).
                TimeSpan since = _options.TimeProvider.GetElapsedTime(_lastWriteTimestamp);
                ConsumerLog.RenewFailed(_owner.Logger, ShardId, since, ex);
                if (since > _options.FailoverTime)
                {
                    MarkLost("the lease store was unavailable for longer than the failover time");
                }

                return;
            }

            if (renewed is null)
            {
                MarkLost("another worker took the lease");
                return;
            }

            Current = renewed;
            _lastWriteTimestamp = _options.TimeProvider.GetTimestamp();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Checkpoints at <paramref name="target"/>, or at the last delivered record (SHARD_END at a shard's end).</summary>
    public async ValueTask CheckpointAsync(ExtendedSequenceNumber? target, CancellationToken cancellationToken)
    {
        ThrowIfLost("checkpoint");
        ExtendedSequenceNumber value = target ?? (_inShardEnded ? ExtendedSequenceNumber.ShardEnd : LargestDelivered);
        if (target is { } given)
        {
            if (given < LastCheckpoint || given > LargestDelivered)
            {
                throw new ArgumentException(
                    $"Could not checkpoint shard {ShardId} at {given}: a checkpoint must lie between the last checkpoint {LastCheckpoint} and the last record delivered to this processor {LargestDelivered}.",
                    nameof(target));
            }

            if (_readToEnd && !_retrying && given == LargestDelivered)
            {
                value = ExtendedSequenceNumber.ShardEnd; // the last record of a closed shard: the shard is done
            }
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfLost("checkpoint");
            bool end = value == ExtendedSequenceNumber.ShardEnd;
            Lease updated = Current with
            {
                Checkpoint = value.SequenceNumber,
                CheckpointSubSequenceNumber = value.SubSequenceNumber,
                PendingCheckpoint = null,
                PendingCheckpointSubSequenceNumber = null,
                PendingCheckpointState = null,
                OwnerSwitchesSinceCheckpoint = 0,
                ChildShardIds = end ? _children : Current.ChildShardIds,
            };
            Lease? stored = await _owner.Store.TryUpdateLeaseAsync(Current, updated, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                MarkLost("another worker took the lease");
                ThrowIfLost("checkpoint");
            }

            Current = stored!;
            LastCheckpoint = value;
            _lastWriteTimestamp = _options.TimeProvider.GetTimestamp();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void ThrowIfLost(string what)
    {
        if (_isLost)
        {
            throw new LeaseLostException(
                $"Can't {what} shard {ShardId}: worker {_owner.WorkerId} no longer holds its lease. The next owner resumes after the last stored checkpoint {LastCheckpoint}; records processed since then will be processed again.");
        }
    }

    private void MarkLost(string reason)
    {
        if (_isLost)
        {
            return;
        }

        _isLost = true;
        ConsumerLog.LeaseLost(_owner.Logger, ShardId, _owner.WorkerId, reason);
        _owner.OnLeaseLost(this);
        _ = _lost.CancelAsync(); // on the thread pool: this may run under the lease's gate
    }

    private async Task RunAsync()
    {
        CancellationToken any = _any.Token;
        IShardRecordProcessor? processor = null;
        SourceShardReader? reader = null;
        bool ended = false;
        try
        {
            await WaitForParentsAsync(any).ConfigureAwait(false);
            processor = _options.ProcessorFactory!() ?? throw new InvalidOperationException("ProcessorFactory returned null; it must create a processor for each shard.");
            await RetryAsync(() => processor.InitializeAsync(new InitializationInput(ShardId, LastCheckpoint), _lost.Token), "initialize", any).ConfigureAwait(false);
            if (LastCheckpoint == ExtendedSequenceNumber.ShardEnd)
            {
                ended = true;
                return;
            }

            var input = new ProcessRecordsInput(ShardId, _records, _checkpointer);
            while (true)
            {
                any.ThrowIfCancellationRequested();
                reader ??= await OpenReaderAsync(any).ConfigureAwait(false);
                SourceBatch batch;
                try
                {
                    batch = await reader.ReadAsync(_options.IdleTimeBetweenReads, any).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    ConsumerLog.ReadFailed(_owner.Logger, ShardId, ex);
                    await reader.DisposeAsync().ConfigureAwait(false);
                    reader = null; // reopened after the last record delivered
                    await Task.Delay(_options.TaskBackoffTime, _options.TimeProvider, any).ConfigureAwait(false);
                    continue;
                }

                Fill(batch);
                ExtendedSequenceNumber processedThrough = LargestDelivered;
                input.MillisBehindLatest = batch.MillisBehindLatest;
                input.IsAtShardEnd = batch.IsShardEnd;
                _owner.Metrics.RecordBatch(ShardId, batch.MillisBehindLatest);
                if (_records.Count > 0)
                {
                    LargestDelivered = _records[_records.Count - 1].Position;
                }

                if (batch.IsShardEnd)
                {
                    _readToEnd = true;
                    _children = [.. batch.ChildShards!.Select(c => c.ShardId.ToString())];
                }

                if (_records.Count > 0 || _options.CallProcessRecordsEvenForEmptyRecordList)
                {
                    await ProcessAsync(processor, input, processedThrough, any).ConfigureAwait(false);
                }

                _records.Clear();
                if (batch.IsShardEnd)
                {
                    await ShardEndAsync(processor, batch.ChildShards!, any).ConfigureAwait(false);
                    ended = true;
                    return;
                }
            }
        }
        catch (Exception) when (any.IsCancellationRequested || _isLost)
        {
            // The lease was lost or a shutdown requested: handled below.
        }
        catch (Exception ex)
        {
            ConsumerLog.ShardFailed(_owner.Logger, ShardId, ex);
            MarkLost("the shard's processing failed");
        }
        finally
        {
            _records.Clear();
            if (reader is not null)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }

            await FinishAsync(processor, ended).ConfigureAwait(false);
        }
    }

    private async Task FinishAsync(IShardRecordProcessor? processor, bool ended)
    {
        if (ended)
        {
            _owner.OnShardCompleted(this);
            return;
        }

        if (!_isLost && _stop.IsCancellationRequested)
        {
            try
            {
                if (processor is not null)
                {
                    await processor.ShutdownRequestedAsync(new ShutdownRequestedInput(ShardId, _checkpointer), _lost.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                ConsumerLog.CallbackFailed(_owner.Logger, ShardId, ex);
            }

            if (await ReleaseAsync().ConfigureAwait(false))
            {
                _owner.OnLeaseReleased(this);
                return;
            }
        }

        MarkLost("the consumer stopped");
        if (processor is not null)
        {
            try
            {
                await processor.LeaseLostAsync(new LeaseLostInput(ShardId), _owner.Disposing).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ConsumerLog.CallbackFailed(_owner.Logger, ShardId, ex);
            }
        }
    }

    /// <summary>Gives the lease up (owner cleared), so the next worker takes it at once and starts after the checkpoint.</summary>
    private async Task<bool> ReleaseAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_isLost)
            {
                return false;
            }

            Lease? released = await _owner.Store.TryUpdateLeaseAsync(Current, Current with { LeaseOwner = null }, CancellationToken.None).ConfigureAwait(false);
            if (released is not null)
            {
                Current = released;
                _isLost = true; // no longer ours; a checkpoint now throws
                return true;
            }

            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConsumerLog.ReleaseFailed(_owner.Logger, ShardId, ex);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WaitForParentsAsync(CancellationToken cancellationToken)
    {
        int attempt = 0;
        while (Current.ParentShardIds.Count > 0)
        {
            string? blocking = null;
            try
            {
                foreach (string parent in Current.ParentShardIds)
                {
                    Lease? lease = await _owner.Store.GetLeaseAsync(parent, cancellationToken).ConfigureAwait(false);
                    if (lease is not null && lease.Checkpoint != Lease.ShardEnd)
                    {
                        blocking = parent;
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ConsumerLog.StoreFailed(_owner.Logger, "reading the parent leases of " + ShardId, ex);
                await Task.Delay(Backoff(attempt++), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (blocking is null)
            {
                return;
            }

            await Task.Delay(_options.ParentShardPollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SourceShardReader> OpenReaderAsync(CancellationToken cancellationToken)
    {
        int attempt = 0;
        while (true)
        {
            try
            {
                return await _owner.Source.OpenReaderAsync(new StreamCore.ShardId(ParseShardIndex()), Position(), _options.MaxRecords, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not ArgumentException)
            {
                ConsumerLog.ReadFailed(_owner.Logger, ShardId, ex);
                await Task.Delay(Backoff(attempt++), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private int ParseShardIndex() => StreamCore.ShardId.TryParse(ShardId, out StreamCore.ShardId id)
        ? id.Index
        : throw new InvalidOperationException($"Lease key '{ShardId}' is not a shard id; this consumer reads single-stream lease tables.");

    // Resume where the processor is: at the last record delivered (re-read records up to it are filtered out).
    private ShardPosition Position()
    {
        ExtendedSequenceNumber from = LargestDelivered;
        return from.SequenceNumber switch
        {
            Lease.TrimHorizon => ShardPosition.TrimHorizon,
            Lease.Latest => ShardPosition.Latest,
            Lease.AtTimestamp => ShardPosition.AtTimestamp(_options.InitialTimestamp ?? DateTimeOffset.UnixEpoch),
            string text when StreamCore.SequenceNumber.TryParse(text, out StreamCore.SequenceNumber sequence) => ShardPosition.AtSequenceNumber(sequence),
            string text => throw new InvalidOperationException($"The checkpoint '{text}' of shard {ShardId} is not a sequence number of this stream."),
        };
    }

    /// <summary>
    /// The batch's user records, de-aggregated, without those at or before the last record delivered. A batch of plain
    /// records (the common case) is shown as it is, nothing copied; one holding KPL aggregates is materialized.
    /// </summary>
    private void Fill(SourceBatch batch)
    {
        _records.Clear();
        ExtendedSequenceNumber after = LargestDelivered;
        StreamCore.SequenceNumber? parsed = !after.IsSentinel && StreamCore.SequenceNumber.TryParse(after.SequenceNumber, out StreamCore.SequenceNumber p) ? p : null;
        int count = batch.Count;
        int first = 0;
        if (after == ExtendedSequenceNumber.ShardEnd)
        {
            first = count;
        }
        else if (parsed is { } resume)
        {
            // A read resumes at the last record delivered: what it covers is a prefix (an aggregate there is split below).
            while (first < count && batch[first].SequenceNumber < resume)
            {
                first++;
            }
        }

        // The tags set at append answer for a batch of plain records in one pass over its entries (no record made, no
        // payload touched); a batch with a tagged or encrypted record goes record by record.
        bool plain = batch.AreCertainlyPlain(first, out long plainBytes);
        long bytes = plain ? plainBytes : 0;
        int aggregate = -1;
        for (int i = first; i < count && !plain; i++)
        {
            // The tag set at append answers for the plain records, so their payloads are not touched here. Over a client
            // a batch is shown as it is only when each payload is read without a copy (the in-process client's response):
            // a record whose stream hides its buffer is materialized, so its payload is copied once, not at each read.
            SourceRecord record = batch[i];
            if (!record.HasDataWithoutCopy)
            {
                aggregate = i;
                break;
            }

            ReadOnlyMemory<byte> data = record.Data;
            if (record.MayBeAggregate && RecordDeaggregator.IsAggregate(data.Span))
            {
                aggregate = i;
                break;
            }

            bytes += data.Length;
        }

        if (aggregate < 0)
        {
            // Plain records only; one at the resume point itself is covered (a plain record has subsequence 0).
            if (first < count && parsed is { } at && batch[first].SequenceNumber == at)
            {
                bytes -= batch[first].Data.Length;
                first++;
            }

            _records.SetView(batch, first, count - first);
            _owner.Metrics.RecordRecords(ShardId, count - first, bytes);
            return;
        }

        // Past the prefix skipped above nothing is covered, except the record at the resume point itself (a plain one
        // wholly, an aggregate up to the last subsequence delivered): no sequence number is read per record.
        bytes = 0;
        _records.EnsureCapacity(count - first);
        for (int i = first; i < count; i++)
        {
            SourceRecord record = batch[i];
            ReadOnlyMemory<byte> data = record.Data;
            bool atResume = i == first && parsed is { } at && record.SequenceNumber == at;
            if (!record.MayBeAggregate || !RecordDeaggregator.IsAggregate(data.Span))
            {
                if (!atResume)
                {
                    _records.Add(new ConsumerRecord(record, data, null, null, 0, false));
                    bytes += data.Length;
                }

                continue;
            }

            _userRecords.Clear();
            _owner.Deaggregator.Deaggregate(data, record.PartitionKey, null, _range, _userRecords);
            foreach (DeaggregatedRecord user in _userRecords)
            {
                if (!atResume || user.SubSequenceNumber > after.SubSequenceNumber)
                {
                    _records.Add(new ConsumerRecord(record, user.Data, user.PartitionKey, user.ExplicitHashKey, user.SubSequenceNumber, user.IsAggregated));
                    bytes += user.Data.Length;
                }
            }
        }

        _owner.Metrics.RecordRecords(ShardId, _records.Count, bytes);
    }

    /// <summary>Processes a batch; <paramref name="processedThrough"/> is where processing stood before it.</summary>
    private async Task ProcessAsync(IShardRecordProcessor processor, ProcessRecordsInput input, ExtendedSequenceNumber processedThrough, CancellationToken cancellationToken)
    {
        int attempt = 0;
        while (true)
        {
            long started = _options.TimeProvider.GetTimestamp();
            try
            {
                await processor.ProcessRecordsAsync(input, _lost.Token).ConfigureAwait(false);
                _owner.Metrics.RecordProcessTime(ShardId, _options.TimeProvider.GetElapsedTime(started));
                return;
            }
            catch (Exception ex) when (!_isLost && !_lost.IsCancellationRequested)
            {
                ConsumerLog.ProcessFailed(_owner.Logger, ShardId, input.Records.Count, _options.ProcessingFailureMode, ex);
                if (_options.ProcessingFailureMode == ProcessingFailureMode.MoveOn)
                {
                    return;
                }

                // The shard waits; the retry delivers what the failed attempt did not checkpoint. A stop during the wait
                // ends here: the next owner starts after the last checkpoint. Until the retry delivers the batch again,
                // only what was processed may be checkpointed (a shutdown checkpoint must not cover the failed batch).
                ExtendedSequenceNumber attempted = LargestDelivered;
                LargestDelivered = LastCheckpoint > processedThrough ? LastCheckpoint : processedThrough;
                _retrying = true;
                await Task.Delay(Backoff(attempt++), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                LargestDelivered = attempted;
                _retrying = false;
                _records.RemoveThrough(LastCheckpoint, !LastCheckpoint.IsSentinel && StreamCore.SequenceNumber.TryParse(LastCheckpoint.SequenceNumber, out StreamCore.SequenceNumber s) ? s : null);
                if (_records.Count == 0 && !_options.CallProcessRecordsEvenForEmptyRecordList)
                {
                    return;
                }
            }
        }
    }

    private async Task ShardEndAsync(IShardRecordProcessor processor, IReadOnlyList<SourceChildShard> children, CancellationToken cancellationToken)
    {
        // The children's leases first (TRIM_HORIZON, whatever the initial position), so they exist once this one is done.
        foreach (SourceChildShard child in children)
        {
            Lease lease = new()
            {
                LeaseKey = child.ShardId.ToString(),
                Checkpoint = Lease.TrimHorizon,
                ParentShardIds = [.. child.ParentShardIds.Select(p => p.ToString())],
                StartingHashKey = child.HashKeyRange.StartingHashKey.ToString(CultureInfo.InvariantCulture),
                EndingHashKey = child.HashKeyRange.EndingHashKey.ToString(CultureInfo.InvariantCulture),
            };
            await RetryAsync(async () => { _ = await _owner.Store.CreateLeaseIfNotExistsAsync(lease, cancellationToken).ConfigureAwait(false); }, "create the lease of child shard " + lease.LeaseKey, cancellationToken).ConfigureAwait(false);
            if (child.ParentShardIds.Count > 1)
            {
                await RetryAsync(() => CreateOtherParentLeasesAsync(child, cancellationToken), "create the leases of the other parents of shard " + lease.LeaseKey, cancellationToken).ConfigureAwait(false);
            }
        }

        _inShardEnded = true;
        int attempt = 0;
        while (true)
        {
            try
            {
                await processor.ShardEndedAsync(new ShardEndedInput(ShardId, _checkpointer), _lost.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!_isLost)
            {
                ConsumerLog.CallbackFailed(_owner.Logger, ShardId, ex);
            }

            if (LastCheckpoint == ExtendedSequenceNumber.ShardEnd)
            {
                return;
            }

            ConsumerLog.NoShardEndCheckpoint(_owner.Logger, ShardId);
            await Task.Delay(Backoff(attempt++), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A merge child waits for every parent that has a lease; a parent without one (its own parent still being
    /// processed, so it was never leased) would not hold the child back, and the child's records of a key would come
    /// before the parent's. So the other parents get their leases now (TRIM_HORIZON, waiting on their own parents), as
    /// the KCL's shard syncer creates the whole lineage. This lease is not SHARD_END yet, so the child has not started and
    /// no finished parent lease was cleaned up: a missing lease is one never created.
    /// </summary>
    private async ValueTask CreateOtherParentLeasesAsync(SourceChildShard child, CancellationToken cancellationToken)
    {
        IReadOnlyList<SourceShard>? shards = null;
        foreach (ShardId parent in child.ParentShardIds)
        {
            string key = parent.ToString();
            if (key == ShardId || await _owner.Store.GetLeaseAsync(key, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            shards ??= await _owner.Source.ListShardsAsync(cancellationToken).ConfigureAwait(false);
            if (shards.FirstOrDefault(s => s.ShardId == parent) is not { } shard)
            {
                continue; // trimmed: nothing of it is left to read
            }

            Lease lease = new()
            {
                LeaseKey = key,
                Checkpoint = Lease.TrimHorizon,
                ParentShardIds = [.. shard.ParentShardIds.Select(p => p.ToString())],
                StartingHashKey = shard.HashKeyRange.StartingHashKey.ToString(CultureInfo.InvariantCulture),
                EndingHashKey = shard.HashKeyRange.EndingHashKey.ToString(CultureInfo.InvariantCulture),
            };
            if (await _owner.Store.CreateLeaseIfNotExistsAsync(lease, cancellationToken).ConfigureAwait(false))
            {
                ConsumerLog.LeaseCreated(_owner.Logger, key, Lease.TrimHorizon);
            }
        }
    }

    private async Task RetryAsync(Func<ValueTask> step, string what, CancellationToken cancellationToken)
    {
        int attempt = 0;
        while (true)
        {
            try
            {
                await step().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && !_isLost)
            {
                ConsumerLog.StepFailed(_owner.Logger, ShardId, what, ex);
                await Task.Delay(Backoff(attempt++), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromTicks(Math.Min(_options.MaxRetryBackoff.Ticks, _options.TaskBackoffTime.Ticks << Math.Min(attempt, 20)));
}
