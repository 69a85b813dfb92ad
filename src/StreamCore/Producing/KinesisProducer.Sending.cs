using StreamCore.Hashing;
using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StreamCore.Aggregation;
using StreamCore.Connectors;
using StreamCore.Errors;

namespace StreamCore.Producing;

/// <summary>Rate limiting, PutRecords attempts with retries, results, and the bookkeeping of final records.</summary>
public sealed partial class KinesisProducer
{
    private const string Throttled = "ProvisionedThroughputExceededException";

    /// <summary>An empty list for Settle's unused side (never added to).</summary>
    private static readonly List<KinesisRecord> NoRecords = [];

    private async Task SendAsync(SendBatch batch)
    {
        try
        {
            if (_rateLimiter is not null)
            {
                TimeSpan wait = TimeSpan.Zero;
                for (int i = 0; i < batch.Count; i++)
                {
                    if (batch.Records[i].PredictedShard is { } shard)
                    {
                        TimeSpan need = _rateLimiter.Take(shard, batch.Records[i].Size);
                        wait = need > wait ? need : wait;
                    }
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time).ConfigureAwait(false);
                }
            }

            await _retry.ExecuteAsync(static (b, _) => b.Producer.AttemptAsync(b), batch, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever went wrong, every caller must get a result.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            List<KinesisRecord> failed = [.. batch.Records.AsSpan(0, batch.Count)];
            batch.Count = 0;
            Settle(NoRecords, failed, ex is KinesisException k ? k.ErrorCode : ex.GetType().Name, ex);
        }
        finally
        {
            lock (_lock)
            {
                batch.Lane.InFlight--;
                Dispatch(batch.Lane);
                ReturnBatch(batch);
            }

            StartReadyBatches();
        }
    }

    /// <summary>One PutRecords attempt for the batch's records not yet final; returns how many remain to retry.</summary>
    private async ValueTask<int> AttemptAsync(SendBatch batch)
    {
        long now = _time.GetTimestamp();
        List<KinesisRecord>? expired = null;
        int live = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            KinesisRecord record = batch.Records[i];
            if (record.ExpiryTimestamp <= now)
            {
                (expired ??= []).Add(record);
            }
            else
            {
                batch.Records[live++] = record;
            }
        }

        batch.Count = live;
        if (expired is not null)
        {
            Settle(NoRecords, expired, "Expired", null);
        }

        if (live == 0)
        {
            return 0;
        }

        SinkRecord[] requests = ArrayPool<SinkRecord>.Shared.Rent(live);
        SinkResult[] results = ArrayPool<SinkResult>.Shared.Rent(live);
        try
        {
            DigestNewAggregates(batch.Records.AsSpan(0, live));
            for (int i = 0; i < live; i++)
            {
                KinesisRecord record = batch.Records[i];
                requests[i] = record.ToSinkRecord();
                record.Attempts++;
                if (batch.FirstAttempt)
                {
                    _metrics.Record(_metrics.BufferingTime, _time.GetElapsedTime(record.ArrivalTimestamp, now).TotalMilliseconds);
                }
            }

            batch.FirstAttempt = false;
            _metrics.Record(_metrics.KinesisRecordsPerPutRecordsRequest, live);
            try
            {
                await _sink.PutRecordsAsync(requests.AsMemory(0, live), results.AsMemory(0, live), CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failed call is an outcome of the attempt: retried or reported to every caller.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                string code = ex is KinesisException kinesis ? kinesis.ErrorCode : ex.GetType().Name;
                _metrics.Error(code, 1);
                for (int i = 0; i < live; i++)
                {
                    batch.Records[i].LastErrorCode = code;
                    batch.Records[i].LastErrorMessage = ex.Message;
                    batch.Records[i].LastError = ex;
                }

                if (!IsRetryable(ex) || (_options.FailIfThrottled && code == Throttled))
                {
                    List<KinesisRecord> failed = [.. batch.Records.AsSpan(0, live)];
                    batch.Count = 0;
                    Settle(NoRecords, failed, code, ex);
                    return 0;
                }

                return live;
            }
            finally
            {
                _metrics.Record(_metrics.RequestTime, _time.GetElapsedTime(now).TotalMilliseconds);
            }

            return await ApplyResultsAsync(batch, results, live).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<SinkRecord>.Shared.Return(requests, clearArray: true);
            ArrayPool<SinkResult>.Shared.Return(results, clearArray: true);
        }
    }

    private async ValueTask<int> ApplyResultsAsync(SendBatch batch, SinkResult[] results, int live)
    {
        List<KinesisRecord> stored = batch.Stored;
        stored.Clear();
        List<KinesisRecord>? failed = null;
        List<KinesisRecord>? moved = null;
        ShardMap? refreshed = null;
        string? failCode = null;
        int remaining = 0;
        for (int i = 0; i < live; i++)
        {
            KinesisRecord record = batch.Records[i];
            SinkResult result = results[i];
            if (result.Succeeded)
            {
                if (record.PredictedShard is { } predicted && predicted != result.ShardId)
                {
                    // The stream was resharded since the prediction: refresh the map. A plain record was routed by its
                    // own key; an aggregate is good only if every user record lies in the shard it landed on.
                    if (record.IsAggregate)
                    {
                        refreshed ??= await RefreshAfterWrongShardAsync().ConfigureAwait(false);
                        if (!AllWithin(record, refreshed, result.ShardId))
                        {
                            (moved ??= []).Add(record);
                            continue;
                        }
                    }
                    else
                    {
                        refreshed ??= await RefreshAfterWrongShardAsync().ConfigureAwait(false);
                    }
                }

                record.LastErrorCode = null;
                record.StoredShard = result.ShardId;
                record.StoredSequenceNumber = result.SequenceNumber;
                stored.Add(record);
                continue;
            }

            string code = result.ErrorCode!;
            _metrics.Error(code, 1);
            record.LastErrorCode = code;
            record.LastErrorMessage = result.ErrorMessage;
            record.LastError = null;
            if (!IsRetryable(code) || (_options.FailIfThrottled && code == Throttled))
            {
                (failed ??= []).Add(record);
                failCode = code;
            }
            else
            {
                batch.Records[remaining++] = record;
            }
        }

        batch.Count = remaining;
        Settle(stored, failed ?? NoRecords, failCode ?? "Unknown", null);
        if (moved is not null)
        {
            Resend(moved);
        }

        return remaining;
    }

    private async Task<ShardMap> RefreshAfterWrongShardAsync()
    {
        try
        {
            return await RefreshMapAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Keep the old map; the next wrong shard tries again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRefreshFailed(_logger, StreamName, ex);
            return Volatile.Read(ref _map)!;
        }
    }

    private static bool AllWithin(KinesisRecord record, ShardMap map, ShardId shard)
    {
        if (!map.TryGetRange(shard, out HashKeyRange range))
        {
            return false;
        }

        foreach (UserRecordCompletion user in record.UserRecords)
        {
            if (!range.Contains(user.HashKey))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Takes apart aggregates that landed on a shard not owning all their keys (readers drop them whole, as the KCL
    /// does) and sends their user records again by the refreshed map, with their original arrival and expiry.
    /// </summary>
    private void Resend(List<KinesisRecord> moved)
    {
        var users = new List<DeaggregatedRecord>();
        lock (_lock)
        {
            foreach (KinesisRecord record in moved)
            {
                users.Clear();
                Unpacker.Deaggregate(record.EncodedData, "a", null, null, users);
                LogResent(_logger, record.Count, StreamName);
                for (int i = 0; i < users.Count; i++)
                {
                    UserRecordCompletion completion = record.UserRecords[i];
                    completion.PriorAttempts += record.Attempts;
                    Enqueue(completion, _keyTable.Get(users[i].PartitionKey), users[i].ExplicitHashKey, users[i].Data.Span, record.ArrivalTimestamp, record.ExpiryTimestamp);
                }
            }

            if (_flushWaiters.Count > 0)
            {
                SealAll();
            }

            foreach (KinesisRecord record in moved)
            {
                record.Release();
                _records.Return(record);
            }
        }
    }

    /// <summary>
    /// Makes records final: releases their room under the lock (waking producers blocked on the bounds), completes each
    /// caller (after which a completion may be reused at once, so nothing of it is read afterwards), and only then counts
    /// them final for FlushAsync under the lock again, so a flush never completes before every record it waits for has
    /// its result, also while another send settles concurrently.
    /// </summary>
    private void Settle(List<KinesisRecord> stored, List<KinesisRecord> failed, string failCode, Exception? error)
    {
        if (stored.Count == 0 && failed.Count == 0)
        {
            return;
        }

        List<TaskCompletionSource>? wake = null;
        int generations = 0;
        foreach (List<KinesisRecord> records in (ReadOnlySpan<List<KinesisRecord>>)[stored, failed])
        {
            foreach (KinesisRecord record in records)
            {
                generations += record.MixedGenerations ? record.UserRecords.Count : 1;
            }
        }

        (long Generation, int Count)[] final = ArrayPool<(long, int)>.Shared.Rent(generations);
        int finalCount = 0;
        lock (_lock)
        {
            Release(stored, final, ref finalCount);
            Release(failed, final, ref finalCount);
            if (_fullWaiters.Count > 0)
            {
                wake = [.. _fullWaiters];
                _fullWaiters.Clear();
            }
        }

        long userRecords = 0, userBytes = 0, kinesisBytes = 0;
        foreach (KinesisRecord record in stored)
        {
            bool aggregated = record.IsAggregate;
            userRecords += record.Count;
            userBytes += record.UserBytes;
            kinesisBytes += record.Size;
            _metrics.Record(_metrics.UserRecordsPerKinesisRecord, record.Count);
            int attempts = record.Attempts;
            for (int i = 0; i < record.UserRecords.Count; i++)
            {
                UserRecordCompletion completion = record.UserRecords[i];
                int total = completion.PriorAttempts + attempts;
                _metrics.Record(_metrics.RetriesPerRecord, total - 1);
                completion.SetResult(new UserRecordResult(record.StoredShard, record.StoredSequenceNumber, aggregated ? i : 0, total, aggregated));
            }

            record.Release();
        }

        _metrics.Add(_metrics.UserRecordsPut, userRecords);
        _metrics.Add(_metrics.UserRecordsDataPut, userBytes);
        _metrics.Add(_metrics.KinesisRecordsPut, stored.Count);
        _metrics.Add(_metrics.KinesisRecordsDataPut, kinesisBytes);

        foreach (KinesisRecord record in failed)
        {
            string code = record.LastErrorCode ?? failCode;
            bool expired = failCode == "Expired";
            if (expired)
            {
                _metrics.Add(_metrics.UserRecordExpired, record.Count);
            }

            foreach (UserRecordCompletion completion in record.UserRecords)
            {
                int total = completion.PriorAttempts + record.Attempts;
                _metrics.Record(_metrics.RetriesPerRecord, Math.Max(0, total - 1));
                completion.SetException(expired
                    ? UserRecordFailedException.Expired(_options.RecordTtl, total, record.LastErrorCode, record.LastErrorMessage, record.LastError)
                    : new UserRecordFailedException(code, string.Create(CultureInfo.InvariantCulture, $"{code}: {record.LastErrorMessage ?? error?.Message} (after {total} attempt(s); not retried)."), total, record.LastError ?? error));
            }

            record.Release();
        }

        lock (_lock)
        {
            foreach ((long generation, int count) in final.AsSpan(0, finalCount))
            {
                ReleaseGeneration(generation, count);
            }

            foreach (KinesisRecord record in stored)
            {
                _records.Return(record);
            }

            foreach (KinesisRecord record in failed)
            {
                _records.Return(record);
            }

            for (int i = _flushWaiters.Count - 1; i >= 0; i--)
            {
                (long generation, TaskCompletionSource done) = _flushWaiters[i];
                if (!_pendingByOlderGeneration.Keys.Any(g => g <= generation))
                {
                    (wake ??= []).Add(done);
                    _flushWaiters.RemoveAt(i);
                }
            }
        }

        ArrayPool<(long, int)>.Shared.Return(final);
        if (wake is not null)
        {
            foreach (TaskCompletionSource done in wake)
            {
                done.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Gives back the records' room and notes the flush generations they finish (counted by the caller once their
    /// results are set). Under the lock.
    /// </summary>
    private void Release(List<KinesisRecord> records, (long Generation, int Count)[] final, ref int finalCount)
    {
        foreach (KinesisRecord record in records)
        {
            if (!record.MixedGenerations)
            {
                // The usual case: every user record of one flush generation, their bytes summed when they were added.
                _outstandingRecords -= record.Count;
                _outstandingBytes -= record.UserBytes;
                final[finalCount++] = (record.Generation, record.Count);
                continue;
            }

            foreach (UserRecordCompletion completion in record.UserRecords)
            {
                _outstandingRecords--;
                _outstandingBytes -= completion.Bytes;
                final[finalCount++] = (completion.Generation, 1);
            }
        }
    }

    /// <summary>Counts <paramref name="count"/> records of <paramref name="generation"/> final. Under the lock.</summary>
    private void ReleaseGeneration(long generation, int count)
    {
        if (generation == _generation)
        {
            _pendingInGeneration -= count;
        }
        else if (_pendingByOlderGeneration.TryGetValue(generation, out int left))
        {
            if (left <= count)
            {
                _pendingByOlderGeneration.Remove(generation);
            }
            else
            {
                _pendingByOlderGeneration[generation] = left - count;
            }
        }
    }

    /// <summary>Throttling, internal failures and transport errors are retried; a bad request or a missing stream is not.</summary>
    private static bool IsRetryable(Exception error) => error switch
    {
        KinesisException kinesis => IsRetryable(kinesis.ErrorCode),
        ArgumentException or ObjectDisposedException or InvalidOperationException => false,
        _ => true,
    };

    private static bool IsRetryable(string code) => code is Throttled or "InternalFailure" or "InternalFailureException"
        or "ServiceUnavailable" or "ServiceUnavailableException" or "KMSThrottlingException" or "LimitExceededException";

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Could not refresh the shard map of stream {StreamName}; keeping the old one.")]
    private static partial void LogRefreshFailed(ILogger logger, string streamName, Exception error);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "An aggregate of {Count} user records landed on a shard that does not own all their keys (stream {StreamName} was resharded); sending them again by the new shard map.")]
    private static partial void LogResent(ILogger logger, int count, string streamName);
    /// <summary>
    /// Encodes the request's aggregates that are new (not retries) and writes their MD5 trailers, hashed together:
    /// 8 or 16 aggregates share one pass of the MD5 rounds (<see cref="Md5MultiBuffer"/>), where hashing each alone
    /// would cost as much as everything else the producer does per user record.
    /// </summary>
    private static void DigestNewAggregates(Span<KinesisRecord> records)
    {
        KinesisRecord[] fresh = ArrayPool<KinesisRecord>.Shared.Rent(records.Length);
        UInt128[] digests = ArrayPool<UInt128>.Shared.Rent(records.Length);
        try
        {
            int count = 0;
            foreach (KinesisRecord record in records)
            {
                if (record.EncodeWithoutDigest())
                {
                    fresh[count++] = record;
                }
            }

            if (count == 0)
            {
                return;
            }

            var messages = new AggregateBodies(fresh, count);
            Md5MultiBuffer.Hash(ref messages, digests);
            for (int i = 0; i < count; i++)
            {
                fresh[i].WriteDigest(digests[i]);
            }
        }
        finally
        {
            Array.Clear(fresh, 0, records.Length);
            ArrayPool<KinesisRecord>.Shared.Return(fresh);
            ArrayPool<UInt128>.Shared.Return(digests);
        }
    }

    /// <summary>The bytes each aggregate's MD5 trailer covers, for <see cref="Md5MultiBuffer"/>.</summary>
    private readonly struct AggregateBodies(KinesisRecord[] records, int count) : IMessageList
    {
        public int Count => count;

        public ReadOnlySpan<byte> this[int index] => records[index].DigestedBytes;
    }
}
