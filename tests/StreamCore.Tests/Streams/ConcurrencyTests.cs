using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Streams;

/// <summary>
/// Several producers and readers at once on several shards. Every reader must see every record exactly once,
/// in sequence order per shard, with each writer's order kept per partition key.
/// </summary>
public class ConcurrencyTests
{
    [Fact]
    public Task Producers_and_readers_on_several_shards_lose_and_duplicate_nothing() =>
        RunAsync(producers: 4, recordsPerProducer: 20_000, readerGroups: 3, shards: 4);

    [Fact(Explicit = true)]
    [Trait("Category", "Stress")]
    public Task Stress_many_records() =>
        RunAsync(producers: 8, recordsPerProducer: 500_000, readerGroups: 4, shards: 8);

    private static async Task RunAsync(int producers, int recordsPerProducer, int readerGroups, int shards)
    {
        using var t = new TestEngine(o => o.SegmentRecordCapacity = 1024);
        DataStream stream = t.Engine.CreateStream("s", shards);
        int total = producers * recordsPerProducer;
        CancellationToken testToken = TestContext.Current.CancellationToken;

        // Readers start first, from TRIM_HORIZON, and race the producers.
        var groups = new List<(ConcurrentBag<(ShardId Shard, SequenceNumber Seq, string Data)> Seen, Task Done)>();
        for (int g = 0; g < readerGroups; g++)
        {
            var seen = new ConcurrentBag<(ShardId, SequenceNumber, string)>();
            groups.Add((seen, ReadGroupAsync(stream, shards, total, seen, testToken)));
        }

        Task[] writers = [.. Enumerable.Range(0, producers).Select(p => Task.Run(
            async () =>
            {
                if (p == 0)
                {
                    // One producer goes through the Kinesis face, in PutRecords batches.
                    for (int start = 0; start < recordsPerProducer; start += 500)
                    {
                        var request = new PutRecordsRequest { StreamName = "s" };
                        for (int i = start; i < Math.Min(start + 500, recordsPerProducer); i++)
                        {
                            request.Records.Add(new PutRecordsRequestEntry { PartitionKey = Key(p, i), Data = TestEngine.Bytes(Payload(p, i)) });
                        }

                        Assert.Equal(0, (await t.Client.PutRecordsAsync(request, testToken)).FailedRecordCount);
                    }

                    return;
                }

                for (int i = 0; i < recordsPerProducer; i++)
                {
                    stream.Append(Key(p, i), Encoding.UTF8.GetBytes(Payload(p, i)));
                }
            },
            testToken))];
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(5), testToken);
        await Task.WhenAll(groups.Select(g => g.Done)).WaitAsync(TimeSpan.FromMinutes(5), testToken);

        foreach ((ConcurrentBag<(ShardId Shard, SequenceNumber Seq, string Data)> seen, _) in groups)
        {
            var records = seen.ToList();
            Assert.Equal(total, records.Count);
            Assert.Equal(total, records.Select(r => r.Data).Distinct().Count());

            // Per partition key, the writer's order: within a key every record is on one shard, so sequence order
            // must match the writer's counter order.
            foreach (IGrouping<string, (ShardId Shard, SequenceNumber Seq, string Data)> key in records.GroupBy(r => KeyOfPayload(r.Data)))
            {
                Assert.Single(key.Select(r => r.Shard).Distinct());
                int[] counters = [.. key.OrderBy(r => r.Seq).Select(r => CounterOf(r.Data))];
                Assert.Equal(counters.Order(), counters);
            }
        }
    }

    private static async Task ReadGroupAsync(DataStream stream, int shards, int total, ConcurrentBag<(ShardId, SequenceNumber, string)> seen, CancellationToken testToken)
    {
        int count = 0;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(testToken);
        Task[] readers = [.. Enumerable.Range(0, shards).Select(s => Task.Run(
            async () =>
            {
                SequenceNumber previous = default;
                try
                {
                    await foreach (RecordBatch batch in stream.ReadAsync(new ShardId(s), ShardPosition.TrimHorizon, done.Token))
                    {
                        foreach (StreamRecord record in batch)
                        {
                            Assert.True(record.SequenceNumber > previous, "sequence numbers increase within a shard");
                            previous = record.SequenceNumber;
                            seen.Add((record.SequenceNumber.ShardId, record.SequenceNumber, Encoding.UTF8.GetString(record.Data.Span)));
                        }

                        if (Interlocked.Add(ref count, batch.Count) == total)
                        {
                            await done.CancelAsync(); // every record is in: wake the other shards' readers
                        }
                    }
                }
                catch (OperationCanceledException) when (Volatile.Read(ref count) == total)
                {
                }
            },
            testToken))];
        await Task.WhenAll(readers);
    }

    private static string Key(int producer, int i) => string.Create(CultureInfo.InvariantCulture, $"p{producer}-k{i % 17}");

    private static string Payload(int producer, int i) => string.Create(CultureInfo.InvariantCulture, $"{Key(producer, i)}/{i}");

    private static string KeyOfPayload(string payload) => payload[..payload.IndexOf('/', StringComparison.Ordinal)];

    private static int CounterOf(string payload) => int.Parse(payload.AsSpan(payload.IndexOf('/', StringComparison.Ordinal) + 1), CultureInfo.InvariantCulture);
}
