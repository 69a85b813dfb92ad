using System.Text;
using StreamCore.Storage;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Storage;

/// <summary>
/// Systematic concurrency tests of append / trim / reclaim / pin interleavings: each scenario runs under many seeded
/// schedules of <see cref="InterleavingScheduler"/> (random walk and PCT), switching threads at the storage's
/// interleaving points, and checks that every record is where it belongs and intact.
/// </summary>
public class InterleavingTests
{
    private const int Runs = 200;
    private const int StressRuns = 20_000;

    private static StorageBudget NewBudget(long? cap = null, MemoryLimitPolicy policy = MemoryLimitPolicy.RejectWrites) => new(cap, policy, 256, 32 * 1024);

    private static ShardLog NewLog(StorageBudget budget) => new(budget, 256, 32 * 1024);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static void Append(ShardLog log, string data, long arrivalMs = 1_000) =>
        Assert.Equal(AppendStatus.Appended, log.Append("k"u8, Utf8(data), arrivalMs, out _));

    private static PendingRecord[] Batch(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new PendingRecord("k", 1, Utf8(prefix + i)))];

    /// <summary>Every record of the log from <paramref name="from"/>, as text.</summary>
    internal static List<string> ReadLog(ShardLog log, long from = 0)
    {
        var result = new List<string>();
        while (true)
        {
            LogSlice slice = log.Read(from, 10_000, long.MaxValue, long.MinValue);
            if (slice.Count == 0)
            {
                return result;
            }

            for (int i = 0; i < slice.Count; i++)
            {
                ref RecordEntry e = ref slice.Segment.Entries[slice.FirstSlot + i];
                result.Add(Encoding.UTF8.GetString(slice.Segment.Arena, e.Offset + e.KeyLength, e.DataLength));
            }

            from = slice.EndIndex;
        }
    }

    private static void AssertNoFailure(InterleavingScheduler.Run? failure) => Assert.True(failure is null, failure?.ToString());

    /// <summary>
    /// Fault 3: two producers fill a segment and roll while a trim runs with a cutoff before every record, then another
    /// log appends (taking whatever storage was recycled). No record of either log may be lost or overwritten.
    /// </summary>
    public static InterleavingScheduler.Scenario TrimWithWritersInFlight()
    {
        StorageBudget budget = NewBudget();
        ShardLog a = NewLog(budget);
        ShardLog b = NewLog(budget);
        for (int i = 0; i < 254; i++)
        {
            Append(a, "a" + i);
        }

        return new(
            [
                () => Append(a, "w1"),
                () =>
                {
                    Append(a, "w2a");
                    Append(a, "w2b");
                },
                () =>
                {
                    a.TrimExpired(500); // every record arrived at 1000: nothing is expired
                    Assert.Equal(AppendStatus.Appended, b.AppendBatch(Batch("o", 256), 1_000, out _));
                },
            ],
            () =>
            {
                List<string> records = ReadLog(a);
                Assert.Equal(Enumerable.Range(0, 254).Select(i => "a" + i), records.Take(254));
                Assert.Equal(["w1", "w2a", "w2b"], records.Skip(254).Order(StringComparer.Ordinal));
                Assert.True(records.IndexOf("w2a") < records.IndexOf("w2b"));
                Assert.Equal(Enumerable.Range(0, 256).Select(i => "o" + i), ReadLog(b));
                Assert.True(budget.RetainedBytes >= 0);
            });
    }

    /// <summary>A reader holds a batch and reads again while the segments under it are trimmed and their storage reused.</summary>
    public static InterleavingScheduler.Scenario ReadWhileTrimAndReuse()
    {
        StorageBudget budget = NewBudget();
        ShardLog a = NewLog(budget);
        ShardLog b = NewLog(budget);
        for (int i = 0; i < 600; i++)
        {
            Append(a, "r" + i, arrivalMs: i);
        }

        LogPin pin = a.Pin();
        return new(
            [
                () =>
                {
                    long next = 0;
                    for (int round = 0; round < 3; round++)
                    {
                        pin.BeginRead();
                        Interleaving.Point("test.read-begun");
                        LogSlice slice = a.Read(next, 200, long.MaxValue, long.MinValue);
                        Interleaving.Point("test.sliced");
                        pin.EndRead(slice.FirstIndex, slice.EndIndex);
                        for (int i = 0; i < slice.Count; i += 50)
                        {
                            Interleaving.Point("test.checking");
                            ref RecordEntry e = ref slice.Segment.Entries[slice.FirstSlot + i];
                            Assert.Equal("r" + (slice.FirstIndex + i), Encoding.UTF8.GetString(slice.Segment.Arena, e.Offset + e.KeyLength, e.DataLength));
                        }

                        next = slice.EndIndex;
                    }

                    a.Unpin(pin);
                },
                () => a.TrimExpired(long.MaxValue - 1),
                () =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        Assert.Equal(AppendStatus.Appended, b.AppendBatch(Batch("o" + i + "-", 256), 1_000, out _));
                    }
                },
            ],
            () =>
            {
                Assert.Equal(Enumerable.Range(0, 3).SelectMany(i => Enumerable.Range(0, 256).Select(j => "o" + i + "-" + j)), ReadLog(b));
                Assert.Equal(0, a.LimboCount);
                Assert.True(budget.RetainedBytes >= 0);
            });
    }

    /// <summary>A stream is deleted (the log released, twice) while a producer is in flight and a reader reads; then the storage is reused.</summary>
    public static InterleavingScheduler.Scenario ReleaseWithWriterAndReader()
    {
        StorageBudget budget = NewBudget();
        ShardLog a = NewLog(budget);
        ShardLog b = NewLog(budget);
        for (int i = 0; i < 300; i++)
        {
            Append(a, "a" + i);
        }

        LogPin pin = a.Pin();
        return new(
            [
                () => _ = a.Append("k"u8, "late"u8, 1_000, out _), // Appended or Closed, both fine
                () =>
                {
                    a.Release();
                    a.Release();
                    Assert.Equal(AppendStatus.Appended, b.AppendBatch(Batch("o", 256), 1_000, out _));
                    Assert.Equal(AppendStatus.Appended, b.AppendBatch(Batch("p", 256), 1_000, out _));
                },
                () =>
                {
                    pin.BeginRead();
                    LogSlice slice = a.Read(0, 10_000, long.MaxValue, long.MinValue);
                    pin.EndRead(slice.FirstIndex, slice.EndIndex);
                    for (int i = 0; i < slice.Count; i++)
                    {
                        Interleaving.Point("test.checking");
                        ref RecordEntry e = ref slice.Segment.Entries[slice.FirstSlot + i];
                        string text = Encoding.UTF8.GetString(slice.Segment.Arena, e.Offset + e.KeyLength, e.DataLength);
                        Assert.True(text == "a" + (slice.FirstIndex + i) || text == "late", $"a reader of the released log saw {text}");
                    }

                    a.Unpin(pin);
                },
            ],
            () =>
            {
                Assert.Equal([.. Enumerable.Range(0, 256).Select(i => "o" + i), .. Enumerable.Range(0, 256).Select(i => "p" + i)], ReadLog(b));
                Assert.Empty(ReadLog(a));
                budget.ReclaimReleased();
                Assert.Equal(0, a.LimboCount);
                Assert.True(budget.RetainedBytes >= 0);
            });
    }

    /// <summary>The memory cap under TrimOldest with a producer in flight in the oldest segment: it waits, never trims under the writer.</summary>
    public static InterleavingScheduler.Scenario MemoryCapWithWriterInFlight()
    {
        long segment = SegmentArrays.Charge(256, 32 * 1024);
        StorageBudget budget = NewBudget(cap: 3 * segment, policy: MemoryLimitPolicy.TrimOldest);
        ShardLog a = NewLog(budget);
        ShardLog b = NewLog(budget);
        for (int i = 0; i < 254; i++)
        {
            Append(a, "a" + i, arrivalMs: 1);
        }

        Append(b, "b", arrivalMs: 2);
        var appended = new System.Collections.Concurrent.ConcurrentBag<string>();
        return new(
            [
                () =>
                {
                    Append(a, "w1", arrivalMs: 1);
                    appended.Add("w1");
                },
                () =>
                {
                    Append(a, "w2a", arrivalMs: 1);
                    Append(a, "w2b", arrivalMs: 1);
                    appended.Add("w2a");
                    appended.Add("w2b");
                },
                () =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        Assert.Equal(AppendStatus.Appended, b.AppendBatch(Batch("o" + i + "-", 256), 3, out _));
                    }
                },
            ],
            () =>
            {
                // The oldest records may be trimmed (the policy), but what is there is intact and in place.
                List<string> records = ReadLog(a, a.FirstRetainedIndex);
                Assert.All(records, r => Assert.True(r.StartsWith('a') || appended.Contains(r), $"log a holds {r}"));
                Assert.Equal(records.Distinct().Count(), records.Count);
                List<string> others = ReadLog(b, b.FirstRetainedIndex);
                Assert.All(others, r => Assert.True(r == "b" || r.StartsWith('o'), $"log b holds {r}"));
                Assert.True(others.Count >= 256, "the newest batch of b is retained");
                Assert.True(budget.RetainedBytes >= 0);
            });
    }

    public static TheoryData<string> Scenarios => [nameof(TrimWithWritersInFlight), nameof(ReadWhileTrimAndReuse), nameof(ReleaseWithWriterAndReader), nameof(MemoryCapWithWriterInFlight)];

    private static Func<InterleavingScheduler.Scenario> Build(string name) => name switch
    {
        nameof(TrimWithWritersInFlight) => TrimWithWritersInFlight,
        nameof(ReadWhileTrimAndReuse) => ReadWhileTrimAndReuse,
        nameof(ReleaseWithWriterAndReader) => ReleaseWithWriterAndReader,
        _ => MemoryCapWithWriterInFlight,
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void No_schedule_loses_or_overwrites_a_record(string scenario) => AssertNoFailure(InterleavingScheduler.Explore(Build(scenario), Runs));

    [Theory(Explicit = true)]
    [Trait("Category", "Stress")]
    [MemberData(nameof(Scenarios))]
    public void No_schedule_loses_or_overwrites_a_record_stress(string scenario) => AssertNoFailure(InterleavingScheduler.Explore(Build(scenario), StressRuns, firstSeed: 1_000));

    [Fact]
    public void The_scheduler_finds_a_planted_lost_update_and_replays_it()
    {
        // A check of the checker: a read-modify-write split by a point loses an update in some schedule.
        InterleavingScheduler.Scenario LostUpdate()
        {
            int counter = 0;
            void Increment()
            {
                int seen = counter;
                Interleaving.Point("test.read");
                counter = seen + 1;
            }

            return new([Increment, Increment], () => Assert.Equal(2, counter));
        }

        InterleavingScheduler.Run? found = InterleavingScheduler.Explore(LostUpdate, 50);
        Assert.NotNull(found);
        InterleavingScheduler.Strategy replay = found.Strategy == "random-walk" ? InterleavingScheduler.RandomWalk(found.Seed) : InterleavingScheduler.Pct(found.Seed, 3);
        Assert.NotNull(InterleavingScheduler.RunOnce(LostUpdate(), found.Seed, found.Strategy, replay).Failure);
    }
}
