using System.Text;
using FsCheck;
using FsCheck.Xunit;
using StreamCore.Storage;

namespace StreamCore.Tests.Storage;

public class ShardLogTests
{
    private static ShardLog NewLog(StorageBudget? budget = null) =>
        new(budget ?? new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 32 * 1024), maxSegmentSlots: 256, maxSegmentBytes: 32 * 1024);

    private static long Append(ShardLog log, string key, string data, long arrivalMs = 1000)
    {
        Assert.Equal(AppendStatus.Appended, log.Append(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(data), arrivalMs, out long index));
        return index;
    }

    private static List<string> ReadAll(ShardLog log, long from, long expiredAtOrBefore = long.MinValue, int batch = 10_000)
    {
        var result = new List<string>();
        while (true)
        {
            LogSlice slice = log.Read(from, batch, long.MaxValue, expiredAtOrBefore);
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

    [Fact]
    public void Indices_are_consecutive_from_zero_across_segments()
    {
        ShardLog log = NewLog();
        for (int i = 0; i < 2_000; i++)
        {
            Assert.Equal(i, Append(log, "k", "record-" + i));
        }

        Assert.Equal(2_000, log.EndIndex);
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => "record-" + i), ReadAll(log, 0));
    }

    [Fact]
    public void A_record_larger_than_a_segment_gets_a_segment_of_its_own()
    {
        ShardLog log = NewLog();
        Append(log, "k", "small");
        string big = new('x', 100_000);
        Append(log, "k", big);
        Append(log, "k", "after");
        Assert.Equal(["small", big, "after"], ReadAll(log, 0));
    }

    [Fact]
    public void A_batch_gets_consecutive_indices_in_batch_order()
    {
        ShardLog log = NewLog();
        Append(log, "k", "first");
        PendingRecord[] batch = [.. Enumerable.Range(0, 300).Select(i => new PendingRecord("key" + i, ("key" + i).Length, Encoding.UTF8.GetBytes("b" + i)))];
        Assert.Equal(AppendStatus.Appended, log.AppendBatch(batch, 1000, out long first));
        Assert.Equal(1, first);
        Assert.Equal(["first", .. Enumerable.Range(0, 300).Select(i => "b" + i)], ReadAll(log, 0));
    }

    [Property(MaxTest = 100)]
    public bool Reading_from_any_position_returns_exactly_the_suffix(PositiveInt count, NonNegativeInt start, PositiveInt batch)
    {
        int n = count.Get % 1_500;
        ShardLog log = NewLog();
        for (int i = 0; i < n; i++)
        {
            Append(log, "k" + (i % 7), i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        int from = n == 0 ? 0 : start.Get % (n + 1);
        List<string> read = ReadAll(log, from, batch: (batch.Get % 300) + 1);
        return read.SequenceEqual(Enumerable.Range(from, n - from).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Expired_records_are_skipped_and_trimmed_segments_are_released()
    {
        var budget = new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 32 * 1024);
        ShardLog log = NewLog(budget);
        for (int i = 0; i < 1_000; i++)
        {
            Append(log, "k", "r" + i, arrivalMs: i);
        }

        Assert.Equal(Enumerable.Range(600, 400).Select(i => "r" + i), ReadAll(log, 0, expiredAtOrBefore: 599));
        long before = budget.RetainedBytes;
        log.TrimExpired(599);
        Assert.True(budget.RetainedBytes < before);
        Assert.True(log.FirstRetainedIndex > 0 && log.FirstRetainedIndex <= 600);
        Assert.Equal(Enumerable.Range(600, 400).Select(i => "r" + i), ReadAll(log, 0, expiredAtOrBefore: 599));
    }

    [Fact]
    public void A_batch_a_reader_holds_is_not_recycled_until_it_reads_again()
    {
        var budget = new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 32 * 1024);
        ShardLog log = NewLog(budget);
        for (int i = 0; i < 600; i++)
        {
            Append(log, "k", "r" + i, arrivalMs: i);
        }

        LogPin pin = log.Pin();
        pin.BeginRead();
        LogSlice held = log.Read(0, 10, long.MaxValue, long.MinValue);
        pin.EndRead(held.FirstIndex, held.EndIndex);

        log.TrimExpired(long.MaxValue - 1); // every sealed segment is now trimmed
        Assert.Equal(1, log.LimboCount); // the held one waits; the others went back to the pool
        for (int i = 0; i < 2_000; i++)
        {
            Append(log, "x", "overwrite?", arrivalMs: 10_000);
        }

        ref RecordEntry e = ref held.Segment.Entries[held.FirstSlot];
        Assert.Equal("r0", Encoding.UTF8.GetString(held.Segment.Arena, e.Offset + e.KeyLength, e.DataLength));

        pin.BeginRead();
        pin.EndRead(long.MaxValue, long.MinValue); // the reader moved on
        log.TrimExpired(long.MinValue);
        Assert.Equal(0, log.LimboCount);
    }

    [Fact]
    public void A_read_in_flight_holds_back_reclamation()
    {
        var budget = new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 32 * 1024);
        ShardLog log = NewLog(budget);
        for (int i = 0; i < 600; i++)
        {
            Append(log, "k", "r" + i, arrivalMs: i);
        }

        LogPin pin = log.Pin();
        pin.BeginRead(); // e.g. a reader that loaded the segment list before the trim
        log.TrimExpired(long.MaxValue - 1);
        Assert.True(log.LimboCount > 0);
        pin.EndRead(long.MaxValue, long.MinValue);
        log.Unpin(pin);
        Assert.Equal(0, log.LimboCount);
    }

    [Fact]
    public void Steady_state_appends_allocate_nothing_when_trimming_keeps_pace()
    {
        var budget = new StorageBudget(1L << 20, MemoryLimitPolicy.TrimOldest, 256, 32 * 1024);
        ShardLog log = NewLog(budget);
        byte[] payload = new byte[100];
        for (int i = 0; i < 50_000; i++)
        {
            log.Append("k"u8, payload, i, out _); // warm up: fill to the cap, start recycling
        }

        // Per record nothing; per 256-record segment roll only the segment's small descriptor object and the
        // copy-on-write segment list (about 600 bytes), which is what this bound allows.
        int failures = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 51_200; i++)
        {
            failures += log.Append("k"u8, payload, 50_000 + i, out _) == AppendStatus.Appended ? 0 : 1;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, failures);
        Assert.True(allocated <= 200 * 1024, $"{allocated} bytes for 200 segment rolls");
        Assert.True(budget.RetainedBytes + budget.PooledBytes <= 1L << 20);
    }

    [Fact]
    public void Steady_state_appends_of_large_records_reuse_storage_of_one_shape()
    {
        // Large records (KPL aggregates) fill a segment's arena long before its slots. Growing the slots on would
        // give every segment another shape, which the budget's pool (one shape per bag) never serves: each roll would
        // allocate and zero a fresh segment, ~100 ns per user record of an aggregated producer.
        var budget = new StorageBudget(4L << 20, MemoryLimitPolicy.TrimOldest, 4096, 256 * 1024);
        var log = new ShardLog(budget, maxSegmentSlots: 4096, maxSegmentBytes: 256 * 1024);
        byte[] payload = new byte[20_000];
        for (int i = 0; i < 2_000; i++)
        {
            log.Append("a"u8, payload, i, out _); // warm up: fill to the cap, start recycling
        }

        int failures = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2_000; i++)
        {
            failures += log.Append("a"u8, payload, 2_000 + i, out _) == AppendStatus.Appended ? 0 : 1;
        }

        // About 160 segment rolls: their descriptor objects and segment lists only, no segment storage.
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, failures);
        Assert.True(allocated <= 200 * 1024, $"{allocated} bytes for about 160 segment rolls");
        Assert.True(budget.RetainedBytes + budget.PooledBytes <= 4L << 20);
    }

    [Fact]
    public async Task A_waiting_reader_wakes_on_append_without_polling()
    {
        ShardLog log = NewLog();
        var waiter = new LogWaiter();
        ValueTask<bool> wait = log.WaitForRecordAsync(0, waiter, log.Pin(), TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);
        Append(log, "k", "hello");
        Assert.True(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_wait_can_be_cancelled_and_the_waiter_reused()
    {
        ShardLog log = NewLog();
        var waiter = new LogWaiter();
        using var cts = new CancellationTokenSource();
        ValueTask<bool> wait = log.WaitForRecordAsync(0, waiter, log.Pin(), cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);

        ValueTask<bool> again = log.WaitForRecordAsync(0, waiter, log.Pin(), TestContext.Current.CancellationToken);
        Append(log, "k", "x");
        Assert.True(await again.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Closing_releases_waiters_and_stops_appends()
    {
        ShardLog log = NewLog();
        Append(log, "k", "kept");
        var waiter = new LogWaiter();
        ValueTask<bool> wait = log.WaitForRecordAsync(1, waiter, log.Pin(), TestContext.Current.CancellationToken);
        log.Close();
        Assert.False(await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal(AppendStatus.Closed, log.Append("k"u8, "late"u8, 1, out _));
        Assert.Equal(["kept"], ReadAll(log, 0));
    }

    [Fact]
    public void RejectWrites_policy_fails_the_append_and_changes_nothing()
    {
        var budget = new StorageBudget(40 * 1024, MemoryLimitPolicy.RejectWrites, 256, 32 * 1024);
        ShardLog log = NewLog(budget);
        int appended = 0;
        while (log.Append("k"u8, new byte[1000], 1, out _) == AppendStatus.Appended)
        {
            appended++;
        }

        long end = log.EndIndex;
        Assert.True(appended > 0);
        Assert.Equal(AppendStatus.MemoryFull, log.Append("k"u8, new byte[1000], 1, out _));
        Assert.Equal(end, log.EndIndex);
        Assert.True(budget.RetainedBytes <= 40 * 1024);
    }

    [Fact]
    public void TrimOldest_policy_drops_the_oldest_segments_across_logs()
    {
        var budget = new StorageBudget(200 * 1024, MemoryLimitPolicy.TrimOldest, 256, 32 * 1024);
        ShardLog older = NewLog(budget);
        ShardLog newer = NewLog(budget);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(AppendStatus.Appended, older.Append("k"u8, new byte[1000], i, out _));
        }

        for (int i = 0; i < 1_000; i++)
        {
            Assert.Equal(AppendStatus.Appended, newer.Append("k"u8, new byte[1000], 1_000 + i, out _));
        }

        Assert.True(budget.RetainedBytes <= 200 * 1024);
        Assert.True(older.FirstRetainedIndex > 0, "the older log lost its oldest segment first");
        Assert.Equal(1_000, newer.EndIndex);
    }

    [Fact]
    public void Pooled_storage_gives_way_to_a_new_shard_under_the_cap()
    {
        var budget = new StorageBudget(400 * 1024, MemoryLimitPolicy.TrimOldest, 256, 32 * 1024);
        ShardLog busy = NewLog(budget);
        for (int i = 0; i < 20_000; i++)
        {
            busy.Append("k"u8, new byte[100], i, out _);
        }

        busy.TrimExpired(long.MaxValue - 1); // everything but the tail goes back to the pool
        Assert.True(budget.PooledBytes > 200 * 1024);
        ShardLog fresh = new(budget, maxSegmentSlots: 1024, maxSegmentBytes: 128 * 1024); // grows through non-pooled sizes
        for (int i = 0; i < 2_000; i++)
        {
            Assert.Equal(AppendStatus.Appended, fresh.Append("k"u8, new byte[100], 30_000, out _));
        }
    }
}
