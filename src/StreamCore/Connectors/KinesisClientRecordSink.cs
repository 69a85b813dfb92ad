using System.Globalization;
using System.Runtime.InteropServices;
using StreamCore.Errors;
using StreamCore.Kinesis;

namespace StreamCore.Connectors;

/// <summary>A sink over any <see cref="IKinesisClient"/>: the embedded engine, the StreamCore server, Amazon Kinesis.</summary>
internal sealed class KinesisClientRecordSink(IKinesisClient client, string streamName) : RecordSink
{
    public override string StreamName => streamName;

    public override async Task<SinkStreamDescription> DescribeAsync(CancellationToken cancellationToken)
    {
        var shards = new List<SinkShard>();
        string? token = null;
        do
        {
            ListShardsResponse page = await client.ListShardsAsync(
                token is null ? new ListShardsRequest { StreamName = streamName } : new ListShardsRequest { NextToken = token },
                cancellationToken).ConfigureAwait(false);
            foreach (Shard shard in page.Shards)
            {
                if (ShardId.TryParse(shard.ShardId, out ShardId id) && shard.HashKeyRange is { } range
                    && UInt128.TryParse(range.StartingHashKey, NumberStyles.None, CultureInfo.InvariantCulture, out UInt128 start)
                    && UInt128.TryParse(range.EndingHashKey, NumberStyles.None, CultureInfo.InvariantCulture, out UInt128 end))
                {
                    shards.Add(new SinkShard(id, new HashKeyRange(start, end), shard.SequenceNumberRange?.EndingSequenceNumber is null));
                }
            }

            token = page.NextToken;
        }
        while (token is not null);

        DescribeStreamSummaryResponse summary = await client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = streamName }, cancellationToken).ConfigureAwait(false);
        return new SinkStreamDescription(shards, summary.StreamDescriptionSummary?.MaxRecordSizeInKiB ?? Constraints.MinMaxRecordSizeKiB);
    }

    public override async ValueTask PutRecordsAsync(ReadOnlyMemory<SinkRecord> records, Memory<SinkResult> results, CancellationToken cancellationToken)
    {
        var entries = new List<PutRecordsRequestEntry>(records.Length);
        foreach (SinkRecord record in records.Span)
        {
            entries.Add(new PutRecordsRequestEntry
            {
                PartitionKey = record.PartitionKey,
                ExplicitHashKey = record.ExplicitHashKeyText ?? (record.ExplicitHashKey is { } key ? key.ToString(CultureInfo.InvariantCulture) : null),
                Data = Stream(record.Data),
            });
        }

        PutRecordsResponse response = await client.PutRecordsAsync(new PutRecordsRequest { StreamName = streamName, Records = entries }, cancellationToken).ConfigureAwait(false);
        if (response.Records.Count != records.Length)
        {
            // The KPL fails every record of such a response ("Record Count Mismatch"); they are retried.
            throw new InternalFailureException($"Record Count Mismatch: PutRecords returned {response.Records.Count.ToString(CultureInfo.InvariantCulture)} results for {records.Length.ToString(CultureInfo.InvariantCulture)} records.");
        }

        Span<SinkResult> span = results.Span;
        for (int i = 0; i < span.Length; i++)
        {
            PutRecordsResultEntry entry = response.Records[i];
            if (entry.ErrorCode is { } code)
            {
                span[i] = new SinkResult { ErrorCode = code, ErrorMessage = entry.ErrorMessage };
            }
            else if (ShardId.TryParse(entry.ShardId, out ShardId shard) && SequenceNumber.TryParse(entry.SequenceNumber, out SequenceNumber sequence))
            {
                span[i] = new SinkResult { ShardId = shard, SequenceNumber = sequence };
            }
            else
            {
                span[i] = new SinkResult { ErrorCode = "InternalFailure", ErrorMessage = $"PutRecords returned an unreadable result: shard '{entry.ShardId}', sequence number '{entry.SequenceNumber}'." };
            }
        }
    }

    private static MemoryStream Stream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out ArraySegment<byte> segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false, publiclyVisible: true)
            : new MemoryStream(data.ToArray(), writable: false);
}
