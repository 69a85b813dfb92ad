using StreamCore.Buckets;
using StreamCore.Delivery;
using Record = StreamCore.Delivery.Record;

namespace StreamCore.Tests.Delivery;

/// <summary>
/// FlushAsync when the delivery's writer is idle: the flushing caller takes the writer's role and writes on its own
/// thread. Each test holds one guarantee of the single writer against it: one write at a time in detach order, a failed
/// attempt retried by the background writer with its back-off on the engine's clock, a stop that waits for the flush,
/// and every record delivered once under flushes racing puts, the interval and each other.
/// </summary>
public sealed class FirehoseFlushTests
{
    private static readonly TimeSpan Wait = FirehoseBed.Wait;

    private static async Task<List<string>> LinesAsync(FirehoseBed bed)
    {
        var lines = new List<string>();
        foreach (BucketObject o in await bed.ListAsync())
        {
            lines.AddRange((await bed.TextAsync(o.Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return lines;
    }

    [Fact]
    public async Task A_flush_with_the_writer_idle_writes_on_the_callers_thread_and_returns_with_the_object_in_the_store()
    {
        var store = new WatchedStore(new InMemoryBucketStore());
        await using var bed = new FirehoseBed(store);
        await bed.CreateAsync("now", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 128, IntervalInSeconds = 900 }));
        await bed.PutAsync("now", "a\n", "b\n");

        int caller = Environment.CurrentManagedThreadId;
        Task flush = bed.Firehose.FlushAsync("now");

        // The in-memory store writes synchronously, so a flush that hands nothing to another thread is already done.
        Assert.True(flush.IsCompletedSuccessfully, "the flush completed on the caller's thread");
        Assert.Equal([caller], store.WriterThreads);
        await flush;
        Assert.Equal(["a", "b"], await LinesAsync(bed));
    }

    [Fact]
    public async Task A_flush_while_the_writer_is_busy_waits_its_turn_and_objects_are_written_one_at_a_time_in_detach_order()
    {
        var store = new WatchedStore(new InMemoryBucketStore()) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var bed = new FirehoseBed(store);
        await bed.CreateAsync("busy", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        await bed.PutAsync("busy", "first\n");
        bed.Clock.Advance(TimeSpan.FromSeconds(60));
        await store.Attempted(1).WaitAsync(Wait);
        await bed.PutAsync("busy", "second\n");

        Task flush = bed.Firehose.FlushAsync("busy");
        await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        Assert.False(flush.IsCompleted, "the flush waits for the write in flight");
        Assert.Equal(1, store.Attempts);

        store.Gate.SetResult();
        await flush.WaitAsync(Wait);
        Assert.Equal(["first\n", "second\n"], store.Written);
        Assert.Equal(1, store.MostAtOnce);
    }

    [Fact]
    public async Task Records_detached_while_a_flush_writes_on_its_thread_wait_for_it_and_follow_in_order()
    {
        var store = new WatchedStore(new InMemoryBucketStore()) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var bed = new FirehoseBed(store);
        await bed.CreateAsync("order", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        await bed.PutAsync("order", "flushed\n");
        int caller = Environment.CurrentManagedThreadId;
        Task flush = bed.Firehose.FlushAsync("order");

        // Asked before this thread yields: only a write made on it, inside FlushAsync, can be there already.
        Assert.Equal([caller], store.WriterThreads);

        await bed.PutAsync("order", "timed\n");
        bed.Clock.Advance(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        Assert.Equal(1, store.Attempts);

        store.Gate.SetResult();
        await flush.WaitAsync(Wait);
        await bed.Firehose.WhenDeliveredAsync("order").WaitAsync(Wait);
        Assert.Equal(["flushed\n", "timed\n"], store.Written);
        Assert.Equal(1, store.MostAtOnce);
    }

    [Fact]
    public async Task A_failed_attempt_of_a_flush_is_retried_by_the_writer_after_its_back_off_and_cancelling_ends_only_the_wait()
    {
        var store = new WatchedStore(new InMemoryBucketStore()) { Down = true };
        await using var bed = new FirehoseBed(store);
        await bed.CreateAsync("down", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 900 }));
        await bed.PutAsync("down", "kept\n");
        using var impatient = new CancellationTokenSource();

        Task flush = bed.Firehose.FlushAsync("down", impatient.Token);
        Assert.Equal(1, store.Attempts);
        Assert.False(flush.IsCompleted);

        // The retry waits its back-off (1 s) on the engine's clock: no second attempt on wall time alone.
        await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        Assert.Equal(1, store.Attempts);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush);

        store.Down = false;
        Task delivered = bed.Firehose.WhenDeliveredAsync("down");
        using var timeout = new CancellationTokenSource(Wait);
        while (!delivered.IsCompleted)
        {
            bed.Clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.WhenAny(delivered, Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, timeout.Token));
        }

        await delivered;
        Assert.Equal(["kept"], await LinesAsync(bed));
        Assert.Equal(1, store.Puts);
        Assert.Equal(0, bed.Firehose.GivenUpRecords("down"));
    }

    [Fact]
    public async Task Disposing_while_a_flush_writes_on_its_thread_waits_for_it_and_delivers_what_came_after_once()
    {
        var store = new WatchedStore(new InMemoryBucketStore()) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var bed = new FirehoseBed(store);
        await bed.CreateAsync("disp", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        await bed.PutAsync("disp", "flushed\n");
        Task flush = bed.Firehose.FlushAsync("disp");
        await store.Attempted(1).WaitAsync(Wait);
        await bed.PutAsync("disp", "later\n");

        Task disposing = bed.DisposeAsync().AsTask();
        await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        Assert.False(disposing.IsCompleted, "dispose waits for the flush writing on its thread");

        store.Gate.SetResult();
        await disposing.WaitAsync(Wait);
        await flush.WaitAsync(Wait);
        Assert.Equal(["flushed", "later"], (await LinesAsync(bed)).Order());
        Assert.Equal(2, store.Puts);
        Assert.Equal(1, store.MostAtOnce);
    }

    [Fact]
    public async Task A_flush_whose_attempt_fails_once_the_stop_has_abandoned_retries_gives_the_records_up_and_counts_them()
    {
        var store = new WatchedStore(new InMemoryBucketStore()) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Down = true };
        var bed = new FirehoseBed(store);
        await bed.CreateAsync("late", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        await bed.PutAsync("late", "one\n", "two\n");
        Task flush = bed.Firehose.FlushAsync("late");
        await store.Attempted(1).WaitAsync(Wait);

        // The dispose stops the writer and abandons retries while the flush's attempt is in flight.
        Task disposing = bed.DisposeAsync().AsTask();
        await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        Assert.False(disposing.IsCompleted, "dispose waits for the flush writing on its thread");

        store.Gate.SetResult();
        await disposing.WaitAsync(Wait);
        await flush.WaitAsync(Wait);

        // The attempt in flight when the stop abandoned retries was the last one, as for the background writer.
        Assert.Equal(1, store.Attempts);
        Assert.Equal(0, store.Puts);
        Assert.Equal(2, bed.Firehose.GivenUpRecords("late"));
    }

    [Fact]
    public async Task Flushes_racing_puts_the_interval_and_each_other_deliver_every_record_once_one_write_at_a_time()
    {
        var store = new WatchedStore(new InMemoryBucketStore());
        await using var bed = new FirehoseBed(store);
        await bed.CreateAsync("race", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        const int Writers = 4;
        const int Batches = 150;
        const int PerBatch = 20;
        string pad = new('x', 500);
        using var stop = new CancellationTokenSource();
        Task ticker = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                bed.Clock.Advance(TimeSpan.FromSeconds(13));
                await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System);
            }
        });
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int b = 0; b < Batches; b++)
            {
                await bed.Firehose.PutRecordBatchAsync(new PutRecordBatchRequest
                {
                    DeliveryStreamName = "race",
                    Records = [.. Enumerable.Range(0, PerBatch).Select(i => new Record { Data = FirehoseBed.Bytes($"{w}:{b}:{i}:{pad}\n") })],
                });
                if ((b + w) % 3 == 0)
                {
                    await bed.Firehose.FlushAsync("race").WaitAsync(Wait);
                }
            }
        }))];
        await Task.WhenAll(writers).WaitAsync(Wait);
        await stop.CancelAsync();
        await ticker;
        await bed.Firehose.FlushAsync("race").WaitAsync(Wait);

        List<string> lines = await LinesAsync(bed);
        Assert.Equal(Writers * Batches * PerBatch, lines.Count);
        Assert.Equal(lines.Count, lines.Distinct().Count());
        Assert.Equal(1, store.MostAtOnce);
    }

    /// <summary>
    /// A bucket store that records who writes: the threads, the contents in write order, the most writes at once; it
    /// fails while <see cref="Down"/> and holds writes until <see cref="Gate"/> opens.
    /// </summary>
    private sealed class WatchedStore(BucketStore inner) : BucketStore
    {
        private readonly Lock _lock = new();
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
        private readonly HashSet<int> _threads = [];
        private readonly List<string> _written = [];
        private int _attempts;
        private int _puts;
        private int _atOnce;
        private int _mostAtOnce;

        public volatile bool Down;

        public TaskCompletionSource? Gate { get; set; }

        public int Attempts => Volatile.Read(ref _attempts);

        public int Puts => Volatile.Read(ref _puts);

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public IReadOnlyList<int> WriterThreads
        {
            get
            {
                lock (_lock)
                {
                    return [.. _threads];
                }
            }
        }

        public IReadOnlyList<string> Written
        {
            get
            {
                lock (_lock)
                {
                    return [.. _written];
                }
            }
        }

        public Task Attempted(int count)
        {
            lock (_lock)
            {
                if (_attempts >= count)
                {
                    return Task.CompletedTask;
                }

                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, signal));
                return signal.Task;
            }
        }

        protected override async ValueTask PutObjectCoreAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            int atOnce = Interlocked.Increment(ref _atOnce);
            try
            {
                lock (_lock)
                {
                    _mostAtOnce = Math.Max(_mostAtOnce, atOnce);
                    _threads.Add(Environment.CurrentManagedThreadId);
                    _attempts++;
                    foreach ((int count, TaskCompletionSource signal) in _waiters.Where(w => w.Count <= _attempts).ToList())
                    {
                        signal.TrySetResult();
                        _waiters.Remove((count, signal));
                    }
                }

                if (Gate is { } gate)
                {
                    await gate.Task;
                }

                if (Down)
                {
                    throw new IOException("The destination is down (test).");
                }

                await inner.PutObjectAsync(bucket, key, content, cancellationToken);
                lock (_lock)
                {
                    _written.Add(System.Text.Encoding.UTF8.GetString(content.Span));
                }

                Interlocked.Increment(ref _puts);
            }
            finally
            {
                Interlocked.Decrement(ref _atOnce);
            }
        }

        protected override ValueTask<byte[]?> GetObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken) => inner.GetObjectAsync(bucket, key, cancellationToken);

        protected override ValueTask<bool> DeleteObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken) => inner.DeleteObjectAsync(bucket, key, cancellationToken);

        protected override IAsyncEnumerable<BucketObject> ListObjectsCoreAsync(string bucket, string prefix, CancellationToken cancellationToken) => inner.ListObjectsAsync(bucket, prefix, cancellationToken);
    }
}
