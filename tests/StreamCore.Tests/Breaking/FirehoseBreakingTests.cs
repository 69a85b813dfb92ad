using StreamCore.Buckets;
using StreamCore.Delivery;
using ResourceNotFoundException = StreamCore.Errors.ResourceNotFoundException;
using StreamCore.Tests.Delivery;
using Record = StreamCore.Delivery.Record;

namespace StreamCore.Tests.Breaking;

/// <summary>
/// Attacks on Firehose delivery buffering: many concurrent writers against the size and interval thresholds (every
/// record counted in the objects), exact boundaries, a destination failing and recovering across an update, dispose
/// and delete while a write is in flight.
/// </summary>
public sealed class FirehoseBreakingTests
{
    private static readonly TimeSpan Wait = FirehoseBed.Wait;

    private static async Task<List<string>> LinesAsync(FirehoseBed bed, string? prefix = null)
    {
        var lines = new List<string>();
        foreach (BucketObject o in await bed.ListAsync(prefix: prefix))
        {
            lines.AddRange((await bed.TextAsync(o.Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return lines;
    }

    [Fact]
    public async Task Concurrent_batches_from_many_tasks_while_the_interval_fires_deliver_every_record_once_and_no_object_passes_the_size_hint()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("many", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        const int Writers = 8;
        const int Batches = 60;
        const int PerBatch = 50;
        string pad = new('x', 300);
        using var stop = new CancellationTokenSource();
        Task ticker = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                bed.Clock.Advance(TimeSpan.FromSeconds(7));
                await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System);
            }
        });
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int b = 0; b < Batches; b++)
            {
                await bed.Firehose.PutRecordBatchAsync(new PutRecordBatchRequest
                {
                    DeliveryStreamName = "many",
                    Records = [.. Enumerable.Range(0, PerBatch).Select(i => new Record { Data = FirehoseBed.Bytes($"{w}:{b}:{i}:{pad}\n") })],
                });
            }
        }))];
        await Task.WhenAll(writers).WaitAsync(Wait);
        await stop.CancelAsync();
        await ticker;
        await bed.Firehose.FlushAsync("many").WaitAsync(Wait);

        List<BucketObject> objects = await bed.ListAsync();
        foreach (BucketObject o in objects)
        {
            Assert.True((await bed.Store.GetObjectAsync(FirehoseBed.Bucket, o.Key))!.Length <= 1024 * 1024, $"{o.Key} passes the size hint");
        }

        List<string> lines = await LinesAsync(bed);
        Assert.Equal(Writers * Batches * PerBatch, lines.Count);
        Assert.Equal(lines.Count, lines.Distinct().Count());
    }

    [Fact]
    public async Task Records_that_fill_the_size_hint_exactly_make_one_object_and_the_interval_fires_at_its_exact_end()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("edge", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        string kib = new string('a', 1023) + "\n";
        for (int i = 0; i < 1024; i++)
        {
            await bed.PutAsync("edge", kib);
        }

        await bed.Firehose.WhenDeliveredAsync("edge").WaitAsync(Wait);
        BucketObject full = Assert.Single(await bed.ListAsync());
        Assert.Equal(1024 * 1024, (await bed.Store.GetObjectAsync(FirehoseBed.Bucket, full.Key))!.Length);

        await bed.PutAsync("edge", "late\n");
        await bed.AdvanceAsync("edge", TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(1));
        Assert.Single(await bed.ListAsync());
        await bed.AdvanceAsync("edge", TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, (await bed.ListAsync()).Count);
        Assert.Equal(1025, (await LinesAsync(bed)).Count);
    }

    [Fact]
    public async Task A_destination_down_across_an_update_and_a_flush_delivers_every_record_once_under_its_version_when_it_recovers()
    {
        var store = new BreakingStore(new InMemoryBucketStore());
        await using var bed = new FirehoseBed(store);
        await bed.CreateAsync("down", FirehoseBed.S3(c => { c.Prefix = "v1/"; c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }; }));
        store.Down = true;
        await bed.PutAsync("down", "a\n", "b\n");
        Task flushing = bed.Firehose.FlushAsync("down");
        await store.Attempted(1).WaitAsync(Wait);
        Assert.False(flushing.IsCompleted);

        await bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
        {
            DeliveryStreamName = "down",
            CurrentDeliveryStreamVersionId = "1",
            DestinationId = "destinationId-000000000001",
            ExtendedS3DestinationUpdate = new ExtendedS3DestinationUpdate { Prefix = "v2/" },
        });
        await bed.PutAsync("down", "c\n");
        for (int i = 0; i < 20; i++)
        {
            bed.Clock.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System);
        }

        store.Down = false;
        using var timeout = new CancellationTokenSource(Wait);
        while (!flushing.IsCompleted)
        {
            bed.Clock.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(flushing, Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, timeout.Token));
        }

        await flushing;
        await bed.Firehose.FlushAsync("down").WaitAsync(Wait);
        Assert.Equal(["a", "b"], (await LinesAsync(bed, "v1/")).Order());
        Assert.Equal(["c"], await LinesAsync(bed, "v2/"));
        Assert.Equal(0, bed.Firehose.GivenUpRecords("down"));
    }

    [Fact]
    public async Task Disposing_while_an_object_is_being_written_waits_for_it_and_delivers_the_buffered_records_once()
    {
        var store = new BreakingStore(new InMemoryBucketStore()) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var bed = new FirehoseBed(store);
        await bed.CreateAsync("disp", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        await bed.PutAsync("disp", "first\n");
        bed.Clock.Advance(TimeSpan.FromSeconds(60));
        await store.Attempted(1).WaitAsync(Wait);
        await bed.PutAsync("disp", "second\n", "third\n");

        Task disposing = bed.DisposeAsync().AsTask();
        await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
        Assert.False(disposing.IsCompleted, "dispose waits for the write in flight");
        store.Gate.SetResult();
        await disposing.WaitAsync(Wait);
        Assert.Equal(["first", "second", "third"], (await LinesAsync(bed)).Order());
        Assert.Equal(2, store.Puts);
        await Assert.ThrowsAsync<StreamCore.Errors.ServiceUnavailableException>(() => bed.PutAsync("disp", "late\n"));
    }

    [Fact]
    public async Task A_forced_delete_while_records_are_buffered_and_a_write_is_in_flight_delivers_each_once_and_refuses_the_rest()
    {
        var store = new BreakingStore(new InMemoryBucketStore()) { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var bed = new FirehoseBed(store);
        await bed.CreateAsync("force", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 }));
        await bed.PutAsync("force", "1\n");
        bed.Clock.Advance(TimeSpan.FromSeconds(60));
        await store.Attempted(1).WaitAsync(Wait);
        await bed.PutAsync("force", "2\n", "3\n");
        await bed.Firehose.DeleteDeliveryStreamAsync(new DeleteDeliveryStreamRequest { DeliveryStreamName = "force", AllowForceDelete = true });
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => bed.PutAsync("force", "refused\n"));
        store.Gate.SetResult();
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            try
            {
                await bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = "force" });
                await Task.Delay(TimeSpan.FromMilliseconds(2), TimeProvider.System, timeout.Token);
            }
            catch (ResourceNotFoundException)
            {
                break;
            }
        }

        Assert.Equal(["1", "2", "3"], (await LinesAsync(bed)).Order());
    }

    /// <summary>A bucket store that fails while <see cref="Down"/>, or holds writes until <see cref="Gate"/> opens, and counts attempts and successful puts.</summary>
    private sealed class BreakingStore(BucketStore inner) : BucketStore
    {
        private int _attempts;
        private int _puts;
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];

        public volatile bool Down;

        public TaskCompletionSource? Gate { get; set; }

        public int Puts => Volatile.Read(ref _puts);

        public Task Attempted(int count)
        {
            lock (_waiters)
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
            lock (_waiters)
            {
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
            Interlocked.Increment(ref _puts);
        }

        protected override ValueTask<byte[]?> GetObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken) => inner.GetObjectAsync(bucket, key, cancellationToken);

        protected override ValueTask<bool> DeleteObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken) => inner.DeleteObjectAsync(bucket, key, cancellationToken);

        protected override IAsyncEnumerable<BucketObject> ListObjectsCoreAsync(string bucket, string prefix, CancellationToken cancellationToken) => inner.ListObjectsAsync(bucket, prefix, cancellationToken);
    }
}
