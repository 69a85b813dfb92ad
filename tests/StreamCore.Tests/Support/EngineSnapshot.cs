using System.Globalization;
using System.Text;
using StreamCore.Kinesis;

namespace StreamCore.Tests.Support;

/// <summary>
/// Everything a Kinesis caller can observe about an engine, as text: streams and their statuses, modes, retention,
/// encryption, monitoring and limits, every shard (ranges, lineage, sequence ranges), tags, consumers, and every
/// record of every shard (sequence number, arrival, partition key, data). Two snapshots are equal exactly when no
/// caller could tell the engines apart; taken through the face so that it does not depend on the engine's insides.
/// </summary>
public static class EngineSnapshot
{
    public static async Task<string> TakeAsync(IKinesisClient client)
    {
        var text = new StringBuilder();
        DescribeLimitsResponse limits = await client.DescribeLimitsAsync(new DescribeLimitsRequest());
        text.Append(CultureInfo.InvariantCulture, $"limits open={limits.OpenShardCount} limit={limits.ShardLimit} onDemand={limits.OnDemandStreamCount}\n");
        ListStreamsResponse streams = await client.ListStreamsAsync(new ListStreamsRequest { Limit = 100 });
        foreach (string name in streams.StreamNames)
        {
            StreamDescriptionSummary s = (await client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary!;
            text.Append(CultureInfo.InvariantCulture, $"stream {s.StreamName} {s.StreamARN} {s.StreamStatus?.Value} {s.StreamModeDetails?.StreamMode?.Value} retention={s.RetentionPeriodHours} ")
                .Append(CultureInfo.InvariantCulture, $"encryption={s.EncryptionType?.Value}/{s.KeyId} open={s.OpenShardCount} consumers={s.ConsumerCount} maxKiB={s.MaxRecordSizeInKiB} ")
                .Append(CultureInfo.InvariantCulture, $"created={s.StreamCreationTimestamp:O} metrics=[{string.Join(",", s.EnhancedMonitoring.SelectMany(m => m.ShardLevelMetrics).Order(StringComparer.Ordinal))}]\n");

            ListTagsForStreamResponse tags = await client.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = name, Limit = 50 });
            text.Append("  tags ").AppendJoin(",", tags.Tags.Select(t => $"{t.Key}={t.Value}")).Append('\n');

            ListStreamConsumersResponse consumers = await client.ListStreamConsumersAsync(new ListStreamConsumersRequest { StreamARN = s.StreamARN, MaxResults = 100 });
            foreach (Consumer c in consumers.Consumers)
            {
                text.Append(CultureInfo.InvariantCulture, $"  consumer {c.ConsumerName} {c.ConsumerARN} {c.ConsumerStatus?.Value} {c.ConsumerCreationTimestamp:O}\n");
            }

            if (s.StreamStatus?.Value == "CREATING")
            {
                continue;
            }

            ListShardsResponse shards = await client.ListShardsAsync(new ListShardsRequest { StreamName = name, MaxResults = 1000 });
            foreach (Shard shard in shards.Shards)
            {
                text.Append(CultureInfo.InvariantCulture, $"  shard {shard.ShardId} parent={shard.ParentShardId} adjacent={shard.AdjacentParentShardId} ")
                    .Append(CultureInfo.InvariantCulture, $"hash=[{shard.HashKeyRange?.StartingHashKey},{shard.HashKeyRange?.EndingHashKey}] ")
                    .Append(CultureInfo.InvariantCulture, $"seq=[{shard.SequenceNumberRange?.StartingSequenceNumber},{shard.SequenceNumberRange?.EndingSequenceNumber}]\n");
                string? iterator = (await client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = name, ShardId = shard.ShardId, ShardIteratorType = ShardIteratorType.TRIM_HORIZON })).ShardIterator;
                while (iterator is not null)
                {
                    GetRecordsResponse page = await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
                    foreach (StreamCore.Kinesis.Record r in page.Records)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"    {r.SequenceNumber} {r.ApproximateArrivalTimestamp:O} {r.PartitionKey} {r.EncryptionType?.Value} {Convert.ToHexString(r.Data!.ToArray())}\n");
                    }

                    iterator = page.Records.Count == 0 ? null : page.NextShardIterator;
                }
            }
        }

        return text.ToString();
    }
}
