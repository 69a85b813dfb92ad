using StreamCore.Errors;

namespace StreamCore.Connectors;

/// <summary>
/// A sink over the event-bus face: each record is appended straight from the caller's buffer into the shard's log,
/// with no request objects. The Kinesis-shaped client's fault injection and throughput emulation do not apply here.
/// </summary>
/// <remarks>
/// A call of small records goes through the face's batch append (<see cref="AppendBatch"/>: one clock read for the
/// call, one reservation and publication per shard), a fraction of the cost of single appends; a call of large
/// records (aggregates) is appended record by record, since the batch would copy every byte once more.
/// </remarks>
internal sealed class DataStreamRecordSink(DataStream stream) : RecordSink
{
    /// <summary>Above this many payload bytes in one call, single appends (the batch's copy would cost more than it saves).</summary>
    internal const int MaxBatchedBytes = 512 * 1024;

    /// <summary>
    /// The batch a thread fills and appends (the append is synchronous, so one per thread suffices; it is taken while
    /// in use, so a nested call gets a fresh one). A sink is made per call by <see cref="EmbeddedEngineRecordSink"/>,
    /// so the batch is not the sink's.
    /// </summary>
    [ThreadStatic]
    private static AppendBatch? t_batch;

    public override string StreamName => stream.Name;

    public override Task<SinkStreamDescription> DescribeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SinkShard[] shards = [.. stream.Shards.Select(s => new SinkShard(s.ShardId, s.HashKeyRange, s.IsOpen))];
        return Task.FromResult(new SinkStreamDescription(shards, stream.MaxRecordSizeInKiB));
    }

    public override ValueTask PutRecordsAsync(ReadOnlyMemory<SinkRecord> records, Memory<SinkResult> results, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ReadOnlySpan<SinkRecord> input = records.Span;
        Span<SinkResult> output = results.Span;
        if (input.Length > 1 && Batchable(input) && TryAppendBatch(input, output))
        {
            return ValueTask.CompletedTask;
        }

        for (int i = 0; i < input.Length; i++)
        {
            ref readonly SinkRecord record = ref input[i];
            try
            {
                AppendResult appended = (record.ExplicitHashKey ?? record.RouteHashKey) is { } hashKey
                    ? stream.Append(record.PartitionKey, hashKey, record.Data.Span)
                    : stream.Append(record.PartitionKey, record.Data.Span);
                output[i] = new SinkResult { ShardId = appended.ShardId, SequenceNumber = appended.SequenceNumber };
            }
            catch (KinesisException ex)
            {
                output[i] = new SinkResult { ErrorCode = ex.ErrorCode, ErrorMessage = ex.Message };
            }
        }

        return ValueTask.CompletedTask;
    }

    private static bool Batchable(ReadOnlySpan<SinkRecord> input)
    {
        long bytes = 0;
        foreach (ref readonly SinkRecord record in input)
        {
            bytes += record.Data.Length;
        }

        return bytes <= MaxBatchedBytes;
    }

    /// <summary>
    /// Appends the records as one batch and fills their results; false if the batch was refused whole (a bad record,
    /// a stream not ready), which stores nothing, so the caller appends them one by one and each gets its own error.
    /// </summary>
    private bool TryAppendBatch(ReadOnlySpan<SinkRecord> input, Span<SinkResult> output)
    {
        AppendBatch batch = t_batch ?? new AppendBatch(input.Length);
        t_batch = null;
        try
        {
            foreach (ref readonly SinkRecord record in input)
            {
                if ((record.ExplicitHashKey ?? record.RouteHashKey) is { } hashKey)
                {
                    batch.Add(record.PartitionKey, hashKey, record.Data.Span);
                }
                else
                {
                    batch.Add(record.PartitionKey, record.Data.Span);
                }
            }

            int refused;
            try
            {
                refused = stream.Append(batch);
            }
            catch (KinesisException)
            {
                return false;
            }

            ReadOnlySpan<AppendResult> appended = batch.Results;
            for (int i = 0; i < appended.Length; i++)
            {
                if (refused > 0 && batch.ErrorAt(i) is { } error)
                {
                    output[i] = new SinkResult { ErrorCode = (error as KinesisException)?.ErrorCode ?? error.GetType().Name, ErrorMessage = error.Message };
                }
                else
                {
                    output[i] = new SinkResult { ShardId = appended[i].ShardId, SequenceNumber = appended[i].SequenceNumber };
                }
            }

            return true;
        }
        catch (ValidationException)
        {
            // A partition key the face refuses (the producer validates keys first, so only a caller of the sink itself).
            return false;
        }
        finally
        {
            batch.Clear();
            t_batch = batch;
        }
    }
}
