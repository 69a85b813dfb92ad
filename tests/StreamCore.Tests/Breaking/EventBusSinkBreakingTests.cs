using System.Collections.Concurrent;
using StreamCore.Connectors;
using StreamCore.Hashing;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Breaking;

/// <summary>
/// Attacks on the event-bus sink's batch path (a PutRecords call of small records is one AppendBatch): per-record
/// throttling inside a batch, many callers at once across a reshard; every record is counted in the stream and matched
/// to its result (stored once where its result says, or failed and not stored).
/// </summary>
public sealed class EventBusSinkBreakingTests
{
    [Fact]
    public async Task A_throttled_batch_fails_exactly_the_records_it_reports_and_stores_the_others_once_where_their_results_say()
    {
        using var t = new TestEngine(o => o.Throughput = new ThroughputLimits { ShardWriteRecordsPerSecond = 60 });
        await t.CreateAsync("s", 2);
        DataStream stream = t.Engine.GetStream("s");
        var sink = new DataStreamRecordSink(stream);
        SinkRecord[] records = [.. Enumerable.Range(0, 300).Select(i => Record("key-" + (i % 23), i))];
        var results = new SinkResult[records.Length];

        await sink.PutRecordsAsync(records, results, TestContext.Current.CancellationToken);

        Dictionary<(ShardId, SequenceNumber), string> stored = ReadAll(stream);
        int succeeded = 0;
        for (int i = 0; i < records.Length; i++)
        {
            if (results[i].Succeeded)
            {
                succeeded++;
                Assert.Equal(records[i].PartitionKey + "/" + i, stored[(results[i].ShardId, results[i].SequenceNumber)]);
            }
            else
            {
                Assert.Equal("ProvisionedThroughputExceededException", results[i].ErrorCode);
                Assert.False(string.IsNullOrEmpty(results[i].ErrorMessage));
                Assert.DoesNotContain(records[i].PartitionKey + "/" + i, stored.Values);
            }
        }

        Assert.Equal(succeeded, stored.Count); // none stored twice (no fallback after a partial batch), none unreported
        Assert.InRange(succeeded, 1, records.Length - 1); // the limit really refused some and admitted some
    }

    [Fact]
    public async Task Many_callers_across_a_reshard_store_every_record_once_in_order_per_key()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        DataStream stream = t.Engine.GetStream("s");
        const int Callers = 4, Calls = 150, PerCall = 20;
        var outcomes = new ConcurrentBag<(string Data, SinkResult Result)>();
        using var go = new Barrier(Callers + 1);
        Task[] callers = [.. Enumerable.Range(0, Callers).Select(c => Task.Run(async () =>
        {
            go.SignalAndWait(TestContext.Current.CancellationToken);
            for (int n = 0; n < Calls; n++)
            {
                var sink = new DataStreamRecordSink(stream);
                SinkRecord[] records = [.. Enumerable.Range(0, PerCall).Select(i => new SinkRecord("c" + c + "k" + (i % 5), null, null, System.Text.Encoding.UTF8.GetBytes($"{c}:{n}:{i}")))];
                var results = new SinkResult[PerCall];
                await sink.PutRecordsAsync(records, results, CancellationToken.None);
                for (int i = 0; i < PerCall; i++)
                {
                    outcomes.Add((records[i].PartitionKey + "/" + $"{c}:{n}:{i}", results[i]));
                }
            }
        }))];
        go.SignalAndWait(TestContext.Current.CancellationToken);
        while (outcomes.Count < Callers * Calls * PerCall / 4)
        {
            await Task.Yield();
        }

        stream.UpdateShardCount(4); // while the callers append
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Dictionary<(ShardId, SequenceNumber), string> stored = ReadAll(stream);
        Assert.Equal(Callers * Calls * PerCall, outcomes.Count);
        Assert.All(outcomes, o => Assert.True(o.Result.Succeeded, o.Result.ErrorCode));
        Assert.Equal(outcomes.Count, stored.Count); // each once
        foreach ((string data, SinkResult result) in outcomes)
        {
            Assert.Equal(data, stored[(result.ShardId, result.SequenceNumber)]);
        }

        // Per key, the calls' order is the sequence order (a child's records come after its parent's).
        foreach (IGrouping<string, (string Data, SinkResult Result)> key in outcomes.GroupBy(o => o.Data.Split('/')[0]))
        {
            var ordered = key.OrderBy(o => int.Parse(o.Data.Split('/')[1].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))
                .ThenBy(o => int.Parse(o.Data.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                if (ordered[i].Result.ShardId == ordered[i - 1].Result.ShardId)
                {
                    Assert.True(ordered[i - 1].Result.SequenceNumber.CompareTo(ordered[i].Result.SequenceNumber) < 0, $"{ordered[i - 1].Data} before {ordered[i].Data}");
                }
            }
        }
    }

    private static Dictionary<(ShardId, SequenceNumber), string> ReadAll(DataStream stream)
    {
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

        return stored;
    }

    private static SinkRecord Record(string key, int i) =>
        new(key, null, null, System.Text.Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))) { RouteHashKey = PartitionKeyHash.Hash(key) };
}
