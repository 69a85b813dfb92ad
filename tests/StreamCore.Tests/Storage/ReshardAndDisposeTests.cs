using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Storage;

/// <summary>
/// Lifecycle edges under concurrency, counting every record: reshard while writing and reading, expiry while holding
/// a batch, the engine disposed while producers and readers run.
/// </summary>
public class ReshardAndDisposeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string Payload(int producer, int counter) => string.Create(CultureInfo.InvariantCulture, $"{producer}:{counter}");

    private static (int Producer, int Counter) Parse(ReadOnlySpan<byte> data)
    {
        string text = Encoding.UTF8.GetString(data);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return (int.Parse(text.AsSpan(0, colon), CultureInfo.InvariantCulture), int.Parse(text.AsSpan(colon + 1), CultureInfo.InvariantCulture));
    }

    [Fact]
    public Task Reshard_while_writing_and_following_loses_and_duplicates_nothing_and_keeps_each_keys_order() =>
        RunReshardAsync(producers: 3, recordsPerProducer: 4_000, reshards: 6);

    [Fact(Explicit = true)]
    [Trait("Category", "Stress")]
    public Task Stress_reshard_while_writing_and_following() =>
        RunReshardAsync(producers: 6, recordsPerProducer: 200_000, reshards: 40);

    private static async Task RunReshardAsync(int producers, int recordsPerProducer, int reshards)
    {
        CancellationToken testToken = TestContext.Current.CancellationToken;
        using var t = new TestEngine(o =>
        {
            o.SegmentRecordCapacity = 256;
            o.SegmentArenaBytes = 32 * 1024;
        });
        DataStream stream = t.Engine.CreateStream("s", 2);
        int total = producers * recordsPerProducer;

        // The follower starts first and races producers and reshards; it must see each record once, per key in order.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(testToken);
        var seen = new List<(int Producer, int Counter)>();
        Task follower = Task.Run(
            async () =>
            {
                await foreach (RecordBatch batch in stream.ReadStreamAsync(ShardPosition.TrimHorizon, stop.Token))
                {
                    foreach (StreamRecord record in batch)
                    {
                        seen.Add(Parse(record.Data.Span));
                    }

                    if (seen.Count >= total)
                    {
                        return;
                    }
                }
            },
            testToken);

        int done = 0;
        Task[] writers = [.. Enumerable.Range(0, producers).Select(p => Task.Run(
            async () =>
            {
                try
                {
                    for (int i = 0; i < recordsPerProducer;)
                    {
                        if (p == 0 && i % 100 == 0)
                        {
                            // One producer batches through the Kinesis face (one reservation per shard per call).
                            var request = new PutRecordsRequest { StreamName = "s" };
                            for (int j = i; j < Math.Min(i + 100, recordsPerProducer); j++)
                            {
                                request.Records.Add(new PutRecordsRequestEntry { PartitionKey = "k" + (j % 16).ToString(CultureInfo.InvariantCulture) + "p" + p.ToString(CultureInfo.InvariantCulture), Data = TestEngine.Bytes(Payload(p, j)) });
                            }

                            PutRecordsResponse response = await t.Client.PutRecordsAsync(request, testToken);
                            Assert.Equal(0, response.FailedRecordCount);
                            i += request.Records.Count;
                            continue;
                        }

                        stream.Append("k" + (i % 16).ToString(CultureInfo.InvariantCulture) + "p" + p.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(Payload(p, i)));
                        i++;
                    }
                }
                finally
                {
                    Interlocked.Increment(ref done);
                }
            },
            testToken))];

        // Splits and merges while the producers write: always on open shards, alternating.
        var random = new Random(12345);
        for (int r = 0; r < reshards && Volatile.Read(ref done) < producers; r++)
        {
            ShardInfo[] open = [.. stream.Shards.Where(s => s.IsOpen).OrderBy(s => s.HashKeyRange.StartingHashKey)];
            if (open.Length < 4 && (r % 2 == 0 || open.Length < 2))
            {
                ShardInfo victim = open[random.Next(open.Length)];
                UInt128 start = victim.HashKeyRange.StartingHashKey, end = victim.HashKeyRange.EndingHashKey;
                stream.SplitShard(victim.ShardId, start + ((end - start) / 2));
            }
            else
            {
                int i = random.Next(open.Length - 1);
                stream.MergeShards(open[i].ShardId, open[i + 1].ShardId);
            }

            await Task.Yield();
        }

        await Task.WhenAll(writers).WaitAsync(Timeout, testToken);
        await follower.WaitAsync(Timeout, testToken);

        Assert.Equal(total, seen.Count);
        Assert.Equal(total, seen.Distinct().Count());
        foreach (IGrouping<(int, int), (int Producer, int Counter)> key in seen.GroupBy(x => (x.Producer, x.Counter % 16)))
        {
            int[] counters = [.. key.Select(x => x.Counter)];
            Assert.Equal(counters.Order(), counters); // a key's records in write order, through every split and merge
        }
    }

    // Expiry while holding: a reader holds a batch of a parent shard while the parent ages out and is released, and
    // another stream churns through storage. The batch keeps showing its own records; the reader then ends, the batch
    // goes stale, and the storage comes back once the reader let go.
    [Fact]
    public void A_batch_held_while_its_closed_shard_expires_and_is_released_keeps_its_records_then_goes_stale()
    {
        using var t = new TestEngine(o =>
        {
            o.SegmentRecordCapacity = 256;
            o.SegmentArenaBytes = 32 * 1024;
        });
        DataStream a = t.Engine.CreateStream("a", 1);
        for (int i = 0; i < 600; i++)
        {
            a.Append("k", Encoding.UTF8.GetBytes("a" + i));
        }

        using ShardReader reader = a.OpenReader(new ShardId(0), ShardPosition.TrimHorizon, maxBatchRecords: 100);
        Assert.True(reader.TryRead(out RecordBatch held));
        a.SplitShard(new ShardId(0), UInt128.MaxValue / 2);
        t.Clock.Advance(TimeSpan.FromHours(25)); // the parent is past retention: the sweep releases it
        Assert.True(reader.IsAtShardEnd);

        DataStream b = t.Engine.CreateStream("b", 1);
        for (int i = 0; i < 5_000; i++)
        {
            b.Append("k", Encoding.UTF8.GetBytes("b" + i));
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => "a" + i), held.ToArray().Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.False(reader.TryRead(out _));
        Assert.Throws<InvalidOperationException>(() => held[0]);
        long before = t.Engine.RetainedBytes;
        t.Clock.Advance(TimeSpan.FromMinutes(1)); // the sweep drains what the reader held
        Assert.True(t.Engine.RetainedBytes < before, $"{t.Engine.RetainedBytes} >= {before}");
        Assert.True(t.Engine.RetainedBytes >= 0);
    }

    // Dispose while producers and readers run: everything ends (no hang), producers fail only with "stream
    // not found", and what readers saw is intact, once, in order per shard.
    [Fact]
    public async Task Disposing_the_engine_while_producers_and_readers_run_ends_them_all_cleanly()
    {
        CancellationToken testToken = TestContext.Current.CancellationToken;
        var t = new TestEngine(o =>
        {
            o.SegmentRecordCapacity = 256;
            o.SegmentArenaBytes = 32 * 1024;
        });
        DataStream stream = t.Engine.CreateStream("s", 2);
        var acked = new ConcurrentDictionary<string, byte>();
        var readerSeen = new ConcurrentBag<List<(ShardId, SequenceNumber, string)>>();
        int written = 0;

        ShardReader[] open = [.. Enumerable.Range(0, 4).Select(r => stream.OpenReader(new ShardId(r % 2), ShardPosition.TrimHorizon))];
        Task[] readers = [.. open.Select(reader => Task.Run(
            async () =>
            {
                var mine = new List<(ShardId, SequenceNumber, string)>();
                readerSeen.Add(mine);
                using (reader)
                {
                    await foreach (RecordBatch batch in reader.ReadAllAsync(testToken))
                    {
                        foreach (StreamRecord record in batch)
                        {
                            mine.Add((batch.ShardId, record.SequenceNumber, Encoding.UTF8.GetString(record.Data.Span)));
                        }
                    }
                }
            },
            testToken))];
        Task[] producers = [.. Enumerable.Range(0, 3).Select(p => Task.Run(
            () =>
            {
                for (int i = 0; ; i++)
                {
                    string payload = Payload(p, i);
                    try
                    {
                        stream.Append("k" + (i % 7).ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(payload));
                    }
                    catch (ResourceNotFoundException)
                    {
                        return; // the engine is gone
                    }

                    acked[payload] = 0;
                    Interlocked.Increment(ref written);
                }
            },
            testToken))];

        SpinWait.SpinUntil(() => Volatile.Read(ref written) > 20_000, Timeout);
        t.Dispose();
        await Task.WhenAll(producers).WaitAsync(Timeout, testToken);
        await Task.WhenAll(readers).WaitAsync(Timeout, testToken);

        foreach (List<(ShardId Shard, SequenceNumber Seq, string Data)> mine in readerSeen)
        {
            Assert.Equal(mine.Count, mine.Select(x => x.Data).Distinct().Count());
            Assert.Equal(mine.Select(x => x.Seq).Order(), mine.Select(x => x.Seq));
            Assert.All(mine, x => Parse(Encoding.UTF8.GetBytes(x.Data))); // intact: parses as a payload
        }

        Assert.True(t.Engine.RetainedBytes >= 0);
    }
}
