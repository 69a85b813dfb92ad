using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using StreamCore.Errors;
using StreamCore.Storage;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Storage;

/// <summary>
/// Everything at once under a small cap with TrimOldest: producers on a long-lived stream, a churner that creates,
/// writes, reads and deletes short-lived streams, readers on both, and the retention sweep run by a moving fake clock.
/// Every record a reader sees is its own stream's, once, in order; the budget never goes negative or past the cap
/// (beyond a segment per concurrent producer); and once everything is deleted, every byte is back.
/// </summary>
public class ChurnStressTests
{
    private const int Slots = 256;
    private const int ArenaBytes = 32 * 1024;

    [Fact]
    public Task Churn_under_TrimOldest_keeps_streams_apart_and_the_budget_exact() => RunAsync(recordsPerProducer: 20_000, churnStreams: 20);

    [Fact(Explicit = true)]
    [Trait("Category", "Stress")]
    public Task Stress_churn_under_TrimOldest() => RunAsync(recordsPerProducer: 1_000_000, churnStreams: 1_000);

    private static async Task RunAsync(int recordsPerProducer, int churnStreams)
    {
        CancellationToken testToken = TestContext.Current.CancellationToken;
        long segment = SegmentArrays.Charge(Slots, ArenaBytes);
        long cap = 24 * segment;
        const int Producers = 3;
        using var t = new TestEngine(o =>
        {
            o.SegmentRecordCapacity = Slots;
            o.SegmentArenaBytes = ArenaBytes;
            o.MaxRetainedBytes = cap;
            o.MemoryLimitPolicy = MemoryLimitPolicy.TrimOldest;
        });
        StorageBudget budget = t.Engine.Budget;
        DataStream main = t.Engine.CreateStream("main", 2);
        var failures = new ConcurrentQueue<string>();
        int producing = Producers;

        void Check(bool condition, string what)
        {
            if (!condition)
            {
                failures.Enqueue(what);
            }
        }

        // Readers of the long-lived stream: own records only, strictly increasing per shard (trimming may skip).
        ShardReader[] mainReaders = [.. Enumerable.Range(0, 4).Select(i => main.OpenReader(new ShardId(i % 2), ShardPosition.TrimHorizon, maxBatchRecords: 1 + (i * 97)))];
        Task[] readers = [.. mainReaders.Select(reader => Task.Run(
            () =>
            {
                using (reader)
                {
                    SequenceNumber last = default;
                    while (true)
                    {
                        bool producersDone = Volatile.Read(ref producing) == 0;
                        if (!reader.TryRead(out RecordBatch batch))
                        {
                            if (producersDone)
                            {
                                break;
                            }

                            Thread.Yield();
                            continue;
                        }

                        foreach (StreamRecord record in batch)
                        {
                            Check(Encoding.UTF8.GetString(record.Data.Span).StartsWith("main:", StringComparison.Ordinal), "a main reader saw another stream's record");
                            Check(record.SequenceNumber.CompareTo(last) > 0, "a main reader saw a record twice or out of order");
                            last = record.SequenceNumber;
                        }
                    }
                }
            },
            testToken))];

        Task[] producers = [.. Enumerable.Range(0, Producers).Select(p => Task.Run(
            () =>
            {
                try
                {
                    byte[] payload = Encoding.UTF8.GetBytes("main:" + new string((char)('a' + p), 100));
                    for (int i = 0; i < recordsPerProducer; i++)
                    {
                        main.Append("k" + (i % 13).ToString(CultureInfo.InvariantCulture), payload);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref producing);
                }
            },
            testToken))];

        // The churner: a stream created, written, read while half-written, deleted (with its reader left open), again.
        Task churner = Task.Run(
            () =>
            {
                var leftOpen = new List<ShardReader>();
                for (int n = 0; n < churnStreams; n++)
                {
                    string name = "c" + n.ToString(CultureInfo.InvariantCulture);
                    DataStream c = t.Engine.CreateStream(name, 1);
                    byte[] payload = Encoding.UTF8.GetBytes(name + ":" + new string('x', 60));
                    ShardReader reader = c.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
                    for (int i = 0; i < 700; i++)
                    {
                        c.Append("k", payload);
                        if (i == 350)
                        {
                            ReadOwn(reader, name, Check);
                        }
                    }

                    t.Engine.DeleteStream(name);
                    ReadOwn(reader, name, Check); // after the delete: nothing, or its own
                    Check(reader.IsAtShardEnd, "a reader of a deleted stream did not end");
                    if (n % 2 == 0)
                    {
                        reader.Dispose();
                    }
                    else
                    {
                        leftOpen.Add(reader); // holds a batch of a released log: its storage waits in limbo
                    }
                }

                foreach (ShardReader reader in leftOpen)
                {
                    ReadOwn(reader, "?", Check);
                    reader.Dispose();
                }
            },
            testToken);

        // The clock: sweeps run on this thread while the others write (an hour a tick: records expire after a day).
        Task all = Task.WhenAll([.. producers, .. readers, churner]);
        while (!all.IsCompleted)
        {
            t.Clock.Advance(TimeSpan.FromHours(1));
            long live = budget.RetainedBytes - budget.LimboBytes;
            Check(budget.RetainedBytes >= 0 && budget.LimboBytes >= 0 && budget.PooledBytes >= 0, $"a counter below zero: retained {budget.RetainedBytes}, limbo {budget.LimboBytes}, pooled {budget.PooledBytes}");
            Check(live + budget.PooledBytes <= cap + (Producers + 1) * segment, $"past the cap: live {live} + pooled {budget.PooledBytes} > {cap}");
            await Task.WhenAny(all, Task.Delay(1, testToken));
        }

        await all.WaitAsync(TimeSpan.FromMinutes(5), testToken);
        Assert.Empty(failures.Distinct());

        t.Engine.DeleteStream("main");
        t.Clock.Advance(TimeSpan.FromHours(1)); // the sweep drains the released logs' limbo
        Assert.Equal(0, budget.LimboBytes);
        Assert.Equal(0, budget.RetainedBytes); // every segment came back exactly once
    }

    private static void ReadOwn(ShardReader reader, string name, Action<bool, string> check)
    {
        while (reader.TryRead(out RecordBatch batch))
        {
            foreach (StreamRecord record in batch)
            {
                check(name == "?" || Encoding.UTF8.GetString(record.Data.Span).StartsWith(name + ":", StringComparison.Ordinal), $"a reader of {name} saw another stream's record");
            }
        }
    }
}
