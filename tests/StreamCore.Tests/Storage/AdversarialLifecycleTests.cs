using System.Text;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Storage;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Storage;

/// <summary>
/// An adversarial review of the storage lifecycle: races forced deterministically with the Debug interleaving points
/// (a hook on the test's own thread runs "the other thread" at the chosen point), each asserting what a user sees.
/// </summary>
public class AdversarialLifecycleTests
{
    // Every segment of these logs has the same size, so one segment's charge is the unit of the cap.
    private const int Slots = 256;
    private const int ArenaBytes = 32 * 1024;
    private static readonly long SegmentCharge = SegmentArrays.Charge(Slots, ArenaBytes);

    private static void Fill(ShardLog log, int records, long arrivalMs, string prefix = "r")
    {
        for (int i = 0; i < records; i++)
        {
            Assert.Equal(AppendStatus.Appended, log.Append("k"u8, Encoding.UTF8.GetBytes(prefix + i), arrivalMs, out _));
        }
    }

    private static List<string> ReadLog(ShardLog log)
    {
        var result = new List<string>();
        long from = 0;
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

    /// <summary>Runs <paramref name="body"/> with <paramref name="atPoint"/> called (once) when the thread reaches <paramref name="point"/>.</summary>
    private static void WithHook(string point, Action atPoint, Action body)
    {
        bool fired = false;
        Interleaving.SetHook(name =>
        {
            if (name == point && !fired)
            {
                fired = true;
                atPoint();
            }
        });
        try
        {
            body();
        }
        finally
        {
            Interleaving.SetHook(null);
        }

        Assert.True(fired, $"the interleaving point {point} was not reached (a Release build?)");
    }

    // A stream deleted while a producer is between its reservation and its publication: the producer's late copy
    // lands in storage that waits in limbo, never in storage another log has been given; the limbo drains afterwards.
    [Fact]
    public void A_release_with_a_producer_in_flight_keeps_its_storage_until_the_producer_is_done()
    {
        var budget = new StorageBudget(null, MemoryLimitPolicy.RejectWrites, Slots, ArenaBytes);
        var deleted = new ShardLog(budget, Slots, ArenaBytes);
        Fill(deleted, 10, 1_000, "d");
        var other = new ShardLog(budget, Slots, ArenaBytes);
        AppendStatus late = AppendStatus.Closed;
        WithHook(
            "append.reserved",
            () =>
            {
                deleted.Release();
                Assert.Equal(1, deleted.LimboCount); // the producer's segment is not quiescent: held back
                Fill(other, 2 * Slots, 2_000, "x"); // another log takes all the storage it wants meanwhile
            },
            () => late = deleted.Append("k"u8, "late-late-late"u8, 1_000, out _));

        Assert.Equal(AppendStatus.Appended, late); // a put racing a delete may succeed, as in Kinesis
        Assert.Empty(ReadLog(deleted));
        Assert.Equal(Enumerable.Range(0, 2 * Slots).Select(i => "x" + i), ReadLog(other));
        budget.ReclaimReleased();
        Assert.Equal(0, deleted.LimboCount);
        Assert.Equal(2 * SegmentCharge, budget.RetainedBytes); // only the other log's two segments
        Fill(other, 2 * Slots, 3_000, "y"); // reuses the released storage, which now shows only the other log's bytes
        Assert.Equal([.. Enumerable.Range(0, 2 * Slots).Select(i => "x" + i), .. Enumerable.Range(0, 2 * Slots).Select(i => "y" + i)], ReadLog(other));
    }

    // Under TrimOldest with only a segment that has a producer in flight left to trim, the append waits for the
    // producer (bounded) and then trims; it neither spins forever nor trims under the producer.
    [Fact]
    public void An_append_under_TrimOldest_waits_for_the_producer_in_flight_then_trims_its_segment()
    {
        var budget = new StorageBudget(2 * SegmentCharge, MemoryLimitPolicy.TrimOldest, Slots, ArenaBytes);
        var log = new ShardLog(budget, Slots, ArenaBytes);
        Fill(log, Slots - 1, 1_000, "a");
        LogSegment first = log.Read(0, 1, long.MaxValue, long.MinValue).Segment;
        Assert.True(first.TryReserve(1, 5, out int slot, out int offset)); // the stalled producer
        Fill(log, Slots, 2_000, "b"); // rolls: the first segment is sealed with the producer still in flight; cap reached

        int waits = 0;
        AppendStatus status = AppendStatus.Closed;
        Interleaving.SetHook(name =>
        {
            if (name == "budget.wait-for-writer" && ++waits == 3)
            {
                "k"u8.CopyTo(first.Arena.AsSpan(offset)); // the producer finishes while the append waits
                "late"u8.CopyTo(first.Arena.AsSpan(offset + 1));
                first.Entries[slot].ArrivalMs = 1_000;
                first.Entries[slot].Offset = offset;
                first.Entries[slot].KeyLength = 1;
                first.Entries[slot].DataLength = 4;
                Volatile.Write(ref first.Entries[slot].Published, 1);
            }
        });
        try
        {
            status = log.Append("k"u8, "c0"u8, 3_000, out _);
        }
        finally
        {
            Interleaving.SetHook(null);
        }

        Assert.Equal(3, waits);
        Assert.Equal(AppendStatus.Appended, status);
        Assert.Equal([.. Enumerable.Range(0, Slots).Select(i => "b" + i), "c0"], ReadLog(log));
        Assert.Equal(2 * SegmentCharge, budget.RetainedBytes);
    }

    // The same, with the producer stalled for good: the append gives up after its bounded wait and reports the cap
    // (the stalled segment is neither trimmed nor recycled), instead of hanging.
    [Fact]
    public void An_append_under_TrimOldest_with_a_producer_stalled_for_good_gives_up_without_trimming_under_it()
    {
        var budget = new StorageBudget(2 * SegmentCharge, MemoryLimitPolicy.TrimOldest, Slots, ArenaBytes);
        var log = new ShardLog(budget, Slots, ArenaBytes);
        Fill(log, Slots - 1, 1_000, "a");
        LogSegment first = log.Read(0, 1, long.MaxValue, long.MinValue).Segment;
        Assert.True(first.TryReserve(1, 5, out _, out _));
        Fill(log, Slots, 2_000, "b");

        Assert.Equal(AppendStatus.MemoryFull, log.Append("k"u8, "c0"u8, 3_000, out _));
        Assert.Equal(0, log.FirstRetainedIndex);
        Assert.Equal(0, budget.RecycledSegments);
        Assert.Equal([.. Enumerable.Range(0, Slots - 1).Select(i => "a" + i)], ReadLog(log)); // stops at the slot in flight
    }

    // PutRecords validated an entry's partition key, then read the property again to store it. A request changed in
    // between (here by reading the next entry's Data; in life by another thread) gave the log a key longer than the space it
    // had reserved: the copy threw between the reservation and the publication, the slot stayed unpublished for good,
    // and every later record of the shard became unreadable (readers stop at an unpublished slot), its storage
    // never trimmable.
    [Fact]
    public async Task A_PutRecords_request_changed_after_validation_stores_what_was_validated_and_leaves_the_shard_readable()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        var first = new PutRecordsRequestEntry { PartitionKey = "k", Data = TestEngine.Bytes("first") };
        var changer = new PutRecordsRequestEntry { PartitionKey = "k" };
        changer.Data = new MutatingStream(Encoding.UTF8.GetBytes("changer"), () => first.PartitionKey = new string('\u00e9', 200)); // 400 UTF-8 bytes
        PutRecordsResponse put = await t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s", Records = [first, changer] });
        Assert.Equal(0, put.FailedRecordCount);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("second") });

        GetRecordsResponse read = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON) });
        Assert.Equal(["first", "changer", "second"], read.Records.Select(r => TestEngine.Text(r.Data)));
        Assert.Equal("k", read.Records[0].PartitionKey);
    }

    /// <summary>A payload stream that runs <paramref name="onFirstRead"/> the first time its buffer is taken.</summary>
    private sealed class MutatingStream(byte[] bytes, Action onFirstRead) : MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true)
    {
        private int _reads;

        public override bool TryGetBuffer(out ArraySegment<byte> buffer)
        {
            if (++_reads == 1)
            {
                onFirstRead();
            }

            return base.TryGetBuffer(out buffer);
        }
    }

    // Delete while reading, at the worst instants: the stream is deleted (and another stream churns through the
    // storage) while a reader's read is in flight, after it loaded the segment table (read.sliced) or before
    // (read.begun). The read either shows its own records, intact, or nothing; never the other stream's.
    [Theory]
    [InlineData("read.sliced")]
    [InlineData("read.begun")]
    public void A_delete_during_a_read_in_flight_never_shows_the_reader_another_streams_records(string point)
    {
        using var t = new TestEngine(o =>
        {
            o.SegmentRecordCapacity = Slots;
            o.SegmentArenaBytes = ArenaBytes;
        });
        DataStream a = t.Engine.CreateStream("a", 1);
        for (int i = 0; i < 2 * Slots; i++)
        {
            a.Append("k", Encoding.UTF8.GetBytes("a" + i));
        }

        using ShardReader reader = a.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        bool read = false;
        RecordBatch batch = default;
        DataStream? b = null;
        WithHook(
            point,
            () =>
            {
                t.Engine.DeleteStream("a");
                b = t.Engine.CreateStream("b", 1);
                for (int i = 0; i < 4 * Slots; i++)
                {
                    b.Append("k", Encoding.UTF8.GetBytes("b" + i)); // reuses whatever storage has come back
                }
            },
            () => read = reader.TryRead(out batch));

        t.Clock.Advance(TimeSpan.FromMinutes(1)); // the sweep gives back what the reader does not hold; b reuses it
        for (int i = 0; i < 4 * Slots; i++)
        {
            b!.Append("k", Encoding.UTF8.GetBytes("c" + i));
        }

        List<string> seen = [.. batch.ToArray().Select(r => Encoding.UTF8.GetString(r.Data.Span))];
        if (point == "read.sliced")
        {
            Assert.True(read);
            Assert.Equal(Enumerable.Range(0, seen.Count).Select(i => "a" + i), seen); // its own records, intact
        }
        else
        {
            Assert.False(read);
            Assert.Empty(seen);
        }

        Assert.False(reader.TryRead(out _));
        Assert.True(reader.IsAtShardEnd);
    }

    // Engines that share a configured iterator signing key (the server gives every account's engine the one from its
    // command line) accepted each other's iterators: account B read its own stream "s" with an iterator account A
    // issued for A's stream "s" (same name, same creation instant on the fake clocks).
    [Fact]
    public async Task An_iterator_issued_by_one_accounts_engine_is_refused_by_another_sharing_its_signing_key()
    {
        byte[] key = new byte[32];
        using var a = new TestEngine(o =>
        {
            o.AccountId = "111111111111";
            o.IteratorSigningKey = key;
        });
        using var b = new TestEngine(o =>
        {
            o.AccountId = "222222222222";
            o.IteratorSigningKey = key;
        });
        await a.CreateAsync("s", 1);
        await b.CreateAsync("s", 1);
        await b.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("b's own") });
        string issuedByA = await a.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);

        InvalidArgumentException refused = await Assert.ThrowsAsync<InvalidArgumentException>(() => b.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = issuedByA }));
        Assert.Contains("Invalid ShardIterator", refused.Message, StringComparison.Ordinal);

        await a.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("a's own") });
        Assert.Equal(["a's own"], await a.DrainAsync(issuedByA)); // the engine that issued it still accepts it
    }
}
