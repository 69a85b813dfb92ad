using StreamCore.Errors;

namespace StreamCore.Connectors;

/// <summary>
/// A sink over the event-bus face: each record is appended straight from the caller's buffer into the shard's log,
/// with no request objects. The Kinesis-shaped client's fault injection and throughput emulation do not apply here.
/// </summary>
internal sealed class DataStreamRecordSink(DataStream stream) : RecordSink
{
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
}
