using static StreamCore.Aggregation.AggregatedRecordFormat;

namespace StreamCore.Producing;

/// <summary>Admission, aggregation per predicted shard, collection into PutRecords batches, deadlines.</summary>
public sealed partial class KinesisProducer
{
    /// <summary>Takes room for one record, or returns null when a bound is reached (one record always fits).</summary>
    private UserRecordCompletion? TryAdmit(int bytes)
    {
        if (_outstandingRecords > 0 && (_outstandingRecords >= _options.MaxOutstandingRecords || _outstandingBytes + bytes > _options.MaxOutstandingBytes))
        {
            return null;
        }

        _outstandingRecords++;
        _outstandingBytes += bytes;
        _pendingInGeneration++;
        UserRecordCompletion completion = UserRecordCompletion.Rent(_completions);
        completion.Generation = _generation;
        completion.Bytes = bytes;
        return completion;
    }

    /// <summary>
    /// Puts a user record into the aggregate of its predicted shard, or alone into a Kinesis record of its own. Under
    /// the lock. <paramref name="arrival"/> is 0 for a new record; a record re-sent after a reshard keeps its arrival
    /// and expiry.
    /// </summary>
    private void Enqueue(UserRecordCompletion completion, ProducerKey key, string? explicitHashKey, ReadOnlySpan<byte> data, long arrival, long expiry)
    {
        ShardMap map = _map!;
        ShardMap.Entry? predicted = _options.AggregationEnabled ? map.Predict(completion.HashKey) : null;
        int keyBytes = key.Utf8Length;
        int ehkBytes = explicitHashKey?.Length ?? 0;
        int aloneSize = Overhead + FieldSize(keyBytes) + (explicitHashKey is null ? 0 : FieldSize(ehkBytes))
            + FieldSize(RecordBodySize(0, explicitHashKey is null ? -1 : 0, data.Length));
        if (predicted is null || aloneSize > _options.AggregationMaxSize)
        {
            KinesisRecord alone = NewKinesisRecord(data.Length, (predicted ?? map.Predict(completion.HashKey))?.ShardId, arrival, expiry);
            data.CopyTo(alone.Buffer);
            alone.Length = data.Length;
            alone.FirstPartitionKey = key.Value;
            alone.FirstPartitionKeyBytes = keyBytes;
            alone.FirstExplicitHashKey = explicitHashKey;
            alone.FirstDataOffset = 0;
            alone.FirstDataLength = data.Length;
            alone.Add(completion);
            Collect(alone);
            return;
        }

        Aggregator aggregator = _aggregators[predicted.Index];
        if (aggregator.Current is { } current)
        {
            int pk = key.AggregateSerial == current.Serial ? key.Index : current.PartitionKeys.Count;
            int tablesGrowth = pk == current.PartitionKeys.Count ? FieldSize(keyBytes) : 0;
            int ehk = -1;
            if (explicitHashKey is not null)
            {
                ehk = aggregator.ExplicitHashKeys.TryGetValue(explicitHashKey, out int knownHashKey) ? knownHashKey : current.ExplicitHashKeys.Count;
                tablesGrowth += ehk == current.ExplicitHashKeys.Count ? FieldSize(ehkBytes) : 0;
            }

            int recordSize = FieldSize(RecordBodySize(pk, ehk, data.Length));
            if (current.Count >= _options.AggregationMaxCount || Overhead + current.TablesSize + tablesGrowth + current.Length + recordSize > _options.AggregationMaxSize)
            {
                Seal(aggregator);
            }
        }

        KinesisRecord target = aggregator.Current ??= NewKinesisRecord(_buffers.Size, predicted.ShardId, arrival, expiry);
        if (key.AggregateSerial != target.Serial)
        {
            key.AggregateSerial = target.Serial;
            key.Index = target.PartitionKeys.Count;
            target.PartitionKeys.Add(key.Value);
            target.TablesSize += FieldSize(keyBytes);
        }

        int pkIndex = key.Index;
        int ehkIndex = -1;
        if (explicitHashKey is not null && !aggregator.ExplicitHashKeys.TryGetValue(explicitHashKey, out ehkIndex))
        {
            ehkIndex = target.ExplicitHashKeys.Count;
            aggregator.ExplicitHashKeys.Add(explicitHashKey, ehkIndex);
            target.ExplicitHashKeys.Add(explicitHashKey);
            target.TablesSize += FieldSize(ehkBytes);
        }

        target.EnsureCapacity(FieldSize(RecordBodySize(pkIndex, ehkIndex, data.Length)));
        int written = WriteRecord(target.Buffer.AsSpan(target.Length), pkIndex, ehkIndex, data);
        if (target.Count == 0)
        {
            target.FirstPartitionKey = key.Value;
            target.FirstPartitionKeyBytes = keyBytes;
            target.FirstExplicitHashKey = explicitHashKey;
            target.FirstDataOffset = target.Length + written - data.Length;
            target.FirstDataLength = data.Length;
        }

        target.Length += written;
        target.Add(completion);
        if (target.Count >= _options.AggregationMaxCount)
        {
            Seal(aggregator);
        }
    }

    private KinesisRecord NewKinesisRecord(int capacity, ShardId? predicted, long arrival, long expiry)
    {
        long now = _time.GetTimestamp();
        KinesisRecord record = _records.Rent(capacity, ++_serial);
        record.PredictedShard = predicted;
        record.ArrivalTimestamp = arrival == 0 ? now : arrival;
        record.ExpiryTimestamp = arrival == 0 ? now + _ttlTicks : expiry;
        record.DeadlineTimestamp = now + (arrival == 0 ? _bufferedTicks : _retryBufferedTicks);
        Arm(record.DeadlineTimestamp, now);
        return record;
    }

    /// <summary>Moves an aggregator's record into its lane's collection.</summary>
    private void Seal(Aggregator aggregator)
    {
        if (aggregator.Current is { } record)
        {
            aggregator.Current = null;
            aggregator.ExplicitHashKeys.Clear();
            Collect(record);
        }
    }

    /// <summary>Adds a Kinesis record to its lane, cutting a PutRecords batch when the collection limits are reached.</summary>
    private void Collect(KinesisRecord record)
    {
        Lane lane = LaneOf(record);
        int size = record.Size;
        if (lane.Pending.Count > 0 && lane.PendingBytes + size > _options.CollectionMaxSize)
        {
            Cut(lane);
        }

        lane.Pending.Add(record);
        lane.PendingBytes += size;
        lane.EarliestDeadline = Math.Min(lane.EarliestDeadline, record.DeadlineTimestamp);
        // Strict ordering sends one Kinesis record per call: a partly failed PutRecords stores later records of a shard
        // before the failed earlier ones, so only a call of one record (an aggregate keeps its own order) is safe.
        if (lane.Pending.Count >= (_options.StrictOrdering ? 1 : _options.CollectionMaxCount) || lane.PendingBytes >= _options.CollectionMaxSize)
        {
            Cut(lane);
        }
    }

    private Lane LaneOf(KinesisRecord record)
    {
        if (!_options.StrictOrdering || record.PredictedShard is not { } shard)
        {
            return _lane;
        }

        if (!_shardLanes.TryGetValue(shard, out Lane? lane))
        {
            lane = new Lane(shard);
            _shardLanes[shard] = lane;
        }

        return lane;
    }

    private void Cut(Lane lane)
    {
        if (lane.Pending.Count == 0)
        {
            return;
        }

        lane.Ready.Enqueue(RentBatch(lane));
        lane.Pending.Clear();
        lane.PendingBytes = 0;
        lane.EarliestDeadline = long.MaxValue;
        Dispatch(lane);
    }

    /// <summary>Hands a lane's ready batches to the starter, up to its limit of calls in flight.</summary>
    private void Dispatch(Lane lane)
    {
        int limit = lane.Shard is null && !_options.StrictOrdering ? _options.MaxConcurrentRequests : 1;
        while (lane.InFlight < limit && lane.Ready.Count > 0)
        {
            lane.InFlight++;
            _toStart.Enqueue(lane.Ready.Dequeue());
            _toStartCount = _toStart.Count;
        }
    }

    /// <summary>Seals every aggregate and cuts every lane (flush, a full producer, a new shard map).</summary>
    private void SealAll()
    {
        foreach (Aggregator aggregator in _aggregators)
        {
            Seal(aggregator);
        }

        Cut(_lane);
        foreach (Lane lane in _shardLanes.Values)
        {
            Cut(lane);
        }
    }

    /// <summary>Starts the batches handed over, outside the lock; a start from inside a send leaves them to the outer loop.</summary>
    private void StartReadyBatches()
    {
        if (_toStartCount == 0 || t_starting)
        {
            return;
        }

        t_starting = true;
        try
        {
            while (true)
            {
                SendBatch? batch;
                lock (_lock)
                {
                    if (!_toStart.TryDequeue(out batch))
                    {
                        _toStartCount = 0;
                        return;
                    }

                    _toStartCount = _toStart.Count;
                }

                _ = SendAsync(batch);
            }
        }
        finally
        {
            t_starting = false;
        }
    }

    /// <summary>Makes the timer fire by <paramref name="deadline"/>. Under the lock.</summary>
    private void Arm(long deadline, long now)
    {
        if (deadline < _timerDue)
        {
            _timerDue = deadline;
            _timer.Change(TimeSpan.FromSeconds(Math.Max(0, deadline - now) / (double)_time.TimestampFrequency), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Sends what reached its deadline, then re-arms for the next one.</summary>
    private void OnTimer()
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            _timerDue = long.MaxValue;
            long next = long.MaxValue;
            foreach (Aggregator aggregator in _aggregators)
            {
                if (aggregator.Current is { } record)
                {
                    if (record.DeadlineTimestamp <= now)
                    {
                        Seal(aggregator);
                    }
                    else
                    {
                        next = Math.Min(next, record.DeadlineTimestamp);
                    }
                }
            }

            next = Math.Min(next, CutDue(_lane, now));
            foreach (Lane lane in _shardLanes.Values)
            {
                next = Math.Min(next, CutDue(lane, now));
            }

            if (next != long.MaxValue)
            {
                Arm(next, now);
            }
        }

        StartReadyBatches();
    }

    private long CutDue(Lane lane, long now)
    {
        if (lane.Pending.Count > 0 && lane.EarliestDeadline <= now)
        {
            Cut(lane);
        }

        return lane.Pending.Count > 0 ? lane.EarliestDeadline : long.MaxValue;
    }

    /// <summary>Loads the shard map the first time (or again after a failed load).</summary>
    private async Task<ShardMap> LoadMapAsync(CancellationToken cancellationToken)
    {
        Task<ShardMap> load;
        lock (_lock)
        {
            if (_mapLoad is null || _mapLoad.IsFaulted || _mapLoad.IsCanceled)
            {
                _mapLoad = RefreshMapAsync();
            }

            load = _mapLoad;
        }

        return await load.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the stream's shards and swaps the map in; aggregates filled by the old map are sent as they are.</summary>
    private async Task<ShardMap> RefreshMapAsync()
    {
        ShardMap map;
        try
        {
            map = new ShardMap(await _sink.DescribeAsync(CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                AdmitEarlyRecords(null, ex);
            }

            throw;
        }

        lock (_lock)
        {
            SealAll();
            _map = map;
            _aggregators = [.. Enumerable.Range(0, map.OpenShardCount).Select(_ => new Aggregator())];
            AdmitEarlyRecords(map, null);
        }

        StartReadyBatches();
        return map;
    }

    /// <summary>
    /// One predicted shard's aggregate in progress, and its explicit hash key table's indexes (a partition key's index
    /// is kept on its <see cref="ProducerKey"/>).
    /// </summary>
    private sealed class Aggregator
    {
        public KinesisRecord? Current;
        public readonly Dictionary<string, int> ExplicitHashKeys = new(StringComparer.Ordinal);
    }

    /// <summary>A collection of Kinesis records on their way into PutRecords calls: the whole producer, or one shard (strict ordering).</summary>
    private sealed class Lane(ShardId? shard)
    {
        public readonly ShardId? Shard = shard;
        public readonly List<KinesisRecord> Pending = [];
        public long PendingBytes;
        public long EarliestDeadline = long.MaxValue;
        public int InFlight;
        public readonly Queue<SendBatch> Ready = new();
    }

    /// <summary>A batch for the lane's pending records, reused once a batch is done. Under the lock.</summary>
    private SendBatch RentBatch(Lane lane)
    {
        SendBatch batch = _freeBatches.TryPop(out SendBatch? free) ? free : new SendBatch(this);
        batch.Lane = lane;
        if (batch.Records.Length < lane.Pending.Count)
        {
            batch.Records = new KinesisRecord[Math.Max(lane.Pending.Count, Math.Min(2 * batch.Records.Length, 500))];
        }

        lane.Pending.CopyTo(batch.Records);
        batch.Count = lane.Pending.Count;
        batch.FirstAttempt = true;
        return batch;
    }

    /// <summary>Keeps a finished batch for reuse, holding no records. Under the lock.</summary>
    private void ReturnBatch(SendBatch batch)
    {
        Array.Clear(batch.Records);
        batch.Stored.Clear();
        batch.Lane = null!;
        if (_freeBatches.Count < 64)
        {
            _freeBatches.Push(batch);
        }
    }

    /// <summary>One PutRecords call's records, retried together until each is final; reused (<see cref="RentBatch"/>).</summary>
    private sealed class SendBatch(KinesisProducer producer)
    {
        public readonly KinesisProducer Producer = producer;
        public Lane Lane = null!;
        public KinesisRecord[] Records = [];
        public int Count;
        public bool FirstAttempt = true;

        /// <summary>The records an attempt stored, kept for the next batch's attempts.</summary>
        public readonly List<KinesisRecord> Stored = [];
    }
}
