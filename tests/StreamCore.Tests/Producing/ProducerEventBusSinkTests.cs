using StreamCore.Connectors;
using StreamCore.Hashing;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Producing;

/// <summary>
/// The event-bus sink's batch path (a call of small records is one <see cref="AppendBatch"/>): every record is stored
/// once on the shard its hash key routes to, in order, and its result names where; a record the batch refuses whole
/// sends the call down the single-append path, where only that record fails.
/// </summary>
public sealed class ProducerEventBusSinkTests
{
    [Fact]
    public async Task A_call_of_small_records_stores_each_once_where_its_result_says_in_order()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 4);
        DataStream stream = t.Engine.GetStream("s");
        var sink = new DataStreamRecordSink(stream);
        SinkRecord[] records = [.. Enumerable.Range(0, 300).Select(i => Record("key-" + (i % 37), i, routeByHash: i % 2 == 0))];
        var results = new SinkResult[records.Length];

        await sink.PutRecordsAsync(records, results, TestContext.Current.CancellationToken);

        var stored = new Dictionary<(ShardId, SequenceNumber), string>();
        foreach (ShardInfo shard in stream.Shards)
        {
            using ShardReader reader = stream.OpenReader(shard.ShardId, ShardPosition.TrimHorizon);
            while (reader.TryRead(out RecordBatch batch) && batch.Count > 0)
            {
                foreach (StreamRecord record in batch)
                {
                    stored.Add((shard.ShardId, record.SequenceNumber), record.PartitionKey + "/" + System.Text.Encoding.UTF8.GetString(record.Data.Span));
                }
            }
        }

        Assert.Equal(records.Length, stored.Count);
        var lastByKey = new Dictionary<string, SequenceNumber>();
        for (int i = 0; i < records.Length; i++)
        {
            Assert.True(results[i].Succeeded);
            Assert.Equal(records[i].PartitionKey + "/" + i, stored[(results[i].ShardId, results[i].SequenceNumber)]);
            Assert.True(stream.Shards.Single(s => s.ShardId == results[i].ShardId).HashKeyRange.Contains(PartitionKeyHash.Hash(records[i].PartitionKey)));
            if (lastByKey.TryGetValue(records[i].PartitionKey, out SequenceNumber previous))
            {
                Assert.True(previous.CompareTo(results[i].SequenceNumber) < 0, "records of a key keep their order");
            }

            lastByKey[records[i].PartitionKey] = results[i].SequenceNumber;
        }
    }

    [Fact]
    public async Task A_record_the_batch_refuses_fails_alone_and_the_others_are_stored_once()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        DataStream stream = t.Engine.GetStream("s");
        var sink = new DataStreamRecordSink(stream);
        // A partition key the face refuses (the producer validates keys before this; a caller of the sink may not).
        SinkRecord[] records = [Record("a", 0, false), Record("", 1, false), Record("c", 2, false)];
        var results = new SinkResult[records.Length];

        await sink.PutRecordsAsync(records, results, TestContext.Current.CancellationToken);

        Assert.True(results[0].Succeeded);
        Assert.Equal("ValidationException", results[1].ErrorCode);
        Assert.True(results[2].Succeeded);
        int count = 0;
        foreach (ShardInfo shard in stream.Shards)
        {
            using ShardReader reader = stream.OpenReader(shard.ShardId, ShardPosition.TrimHorizon);
            while (reader.TryRead(out RecordBatch batch) && batch.Count > 0)
            {
                count += batch.Count;
            }
        }

        Assert.Equal(2, count);
    }

    private static SinkRecord Record(string key, int i, bool routeByHash) =>
        new(key, null, null, System.Text.Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            RouteHashKey = routeByHash ? PartitionKeyHash.Hash(key) : null,
        };
}
