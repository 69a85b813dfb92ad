using System.Collections.Concurrent;
using System.Text;
using StreamCore.Consuming;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Breaking;

/// <summary>A processor for the breaking tests: logs every record and lifecycle call, with hooks to block or fail.</summary>
internal sealed class BreakProcessor(string worker, BreakLog log) : IShardRecordProcessor
{
    private string _shard = "";

    public Func<ProcessRecordsInput, CancellationToken, ValueTask>? OnBatch { get; init; }

    public bool CheckpointEachBatch { get; init; } = true;

    public ValueTask InitializeAsync(InitializationInput input, CancellationToken cancellationToken)
    {
        _shard = input.ShardId;
        log.Events.Enqueue($"{worker} initialize {input.ShardId}");
        return ValueTask.CompletedTask;
    }

    public async ValueTask ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref log.Batches);
        if (OnBatch is not null)
        {
            await OnBatch(input, cancellationToken);
        }

        foreach (ConsumerRecord record in input.Records)
        {
            log.Records.Enqueue((worker, input.ShardId, Encoding.UTF8.GetString(record.Data.Span)));
        }

        if (CheckpointEachBatch && input.Records.Count > 0)
        {
            await input.Checkpointer.CheckpointAsync(cancellationToken);
        }
    }

    public ValueTask LeaseLostAsync(LeaseLostInput input, CancellationToken cancellationToken)
    {
        log.Events.Enqueue($"{worker} lost {_shard}");
        return ValueTask.CompletedTask;
    }

    public async ValueTask ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken)
    {
        log.Events.Enqueue($"{worker} ended {_shard}");
        await input.Checkpointer.CheckpointAsync(cancellationToken);
    }

    public async ValueTask ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken)
    {
        log.Events.Enqueue($"{worker} shutdown {_shard}");
        await input.Checkpointer.CheckpointAsync(cancellationToken);
    }
}

internal sealed class BreakLog
{
    public int Batches;

    public ConcurrentQueue<(string Worker, string Shard, string Data)> Records { get; } = new();

    public ConcurrentQueue<string> Events { get; } = new();

    public IEnumerable<string> Data => Records.Select(r => r.Data);
}

/// <summary>A lease store that runs a hook before each conditional update (to block, fail or cancel at a chosen call).</summary>
internal sealed class HookedLeaseStore(ILeaseStore inner) : ILeaseStore
{
    public Func<int, Lease, Lease, CancellationToken, ValueTask>? BeforeUpdate { get; set; }

    public Func<CancellationToken, ValueTask>? BeforeInitialize { get; set; }

    public volatile bool Down;

    private int _updates;

    public int Updates => Volatile.Read(ref _updates);

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new IOException("The lease table is unreachable (test).");
        }
    }

    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        if (BeforeInitialize is { } hook)
        {
            await hook(cancellationToken);
        }

        ThrowIfDown();
        await inner.InitializeAsync(cancellationToken);
    }

    public ValueTask<IReadOnlyList<Lease>> ListLeasesAsync(CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.ListLeasesAsync(cancellationToken);
    }

    public ValueTask<Lease?> GetLeaseAsync(string leaseKey, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.GetLeaseAsync(leaseKey, cancellationToken);
    }

    public ValueTask<bool> CreateLeaseIfNotExistsAsync(Lease lease, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.CreateLeaseIfNotExistsAsync(lease, cancellationToken);
    }

    public async ValueTask<Lease?> TryUpdateLeaseAsync(Lease expected, Lease updated, CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _updates);
        if (BeforeUpdate is { } hook)
        {
            await hook(call, expected, updated, cancellationToken);
        }

        ThrowIfDown();
        return await inner.TryUpdateLeaseAsync(expected, updated, cancellationToken);
    }

    public ValueTask<bool> DeleteLeaseAsync(Lease expected, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.DeleteLeaseAsync(expected, cancellationToken);
    }
}

/// <summary>
/// Attacks on the consumer worker's lifecycle edges (stop while processing, lease lost mid-batch, racing takers, store
/// outages, reshards while processing, stream deleted while reading, double dispose, stop during start), on a fake clock.
/// </summary>
public sealed class ConsumerBreakingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static void Write(DataStream stream, int from, int count, int keys = 10)
    {
        for (int i = from; i < from + count; i++)
        {
            stream.Append("key-" + (i % keys), Bytes($"{i % keys}:{i}"));
        }
    }

    private static IEnumerable<string> Expected(int from, int count, int keys = 10) =>
        Enumerable.Range(from, count).Select(i => $"{i % keys}:{i}");

    private static KinesisConsumerOptions Options(TestEngine t, ILeaseStore store, string worker, BreakLog log, Func<IShardRecordProcessor>? factory = null) => new()
    {
        ApplicationName = "breaking-app",
        WorkerId = worker,
        LeaseStore = store,
        InitialPosition = InitialPosition.TrimHorizon,
        TimeProvider = t.Clock,
        ProcessorFactory = factory ?? (() => new BreakProcessor(worker, log)),
        MaxRecords = 50,
    };

    /// <summary>Moves the fake clock in steps, letting the workers run, until <paramref name="condition"/> holds.</summary>
    private static async Task PumpUntilAsync(TestEngine t, Func<bool> condition, string what, TimeSpan? step = null, int maxSteps = 2000)
    {
        for (int i = 0; i < maxSteps; i++)
        {
            for (int spin = 0; spin < 20 && !condition(); spin++)
            {
                await Task.Delay(1);
            }

            if (condition())
            {
                return;
            }

            t.Clock.Advance(step ?? TimeSpan.FromMilliseconds(500));
        }

        Assert.Fail($"Timed out waiting until {what}.");
    }

    /// <summary>Lets the workers run on the fake clock for a while (to show that nothing more happens).</summary>
    private static async Task PumpForAsync(TestEngine t, TimeSpan total, TimeSpan? step = null)
    {
        TimeSpan each = step ?? TimeSpan.FromMilliseconds(500);
        for (TimeSpan done = TimeSpan.Zero; done < total; done += each)
        {
            for (int spin = 0; spin < 5; spin++)
            {
                await Task.Delay(1);
            }

            t.Clock.Advance(each);
        }
    }

    [Fact]
    public async Task Stop_while_a_batch_is_in_flight_waits_for_it_and_the_next_worker_starts_exactly_after_its_checkpoint()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        Write(stream, 0, 30);
        var store = new InMemoryLeaseStore();
        var log = new BreakLog();
        var inBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var first = new KinesisConsumer(stream, Options(t, store, "first", log, () => new BreakProcessor("first", log)
        {
            OnBatch = async (_, _) =>
            {
                inBatch.TrySetResult();
                await release.Task;
            },
        }));
        await first.StartAsync();
        await PumpUntilAsync(t, () => inBatch.Task.IsCompleted, "the first batch is in flight");

        Task stopping = first.StopAsync();
        for (int i = 0; i < 20; i++)
        {
            await Task.Delay(1);
        }

        Assert.False(stopping.IsCompleted, "StopAsync must wait for the batch in flight");
        release.SetResult();
        await stopping.WaitAsync(Patience);
        Assert.Empty(first.HeldShardIds);
        Assert.Equal(Expected(0, 30), log.Data);

        Write(stream, 30, 30);
        await using var second = new KinesisConsumer(stream, Options(t, store, "second", log));
        await second.StartAsync();
        await PumpUntilAsync(t, () => log.Records.Count >= 60, "the second worker processed the rest");
        await PumpForAsync(t, TimeSpan.FromSeconds(5));
        Assert.Equal(Expected(0, 60), log.Data); // none lost, none twice, in order
        Assert.All(log.Records.Skip(30), r => Assert.Equal("second", r.Worker));
    }

    [Fact]
    public async Task A_lease_taken_mid_batch_ends_the_batch_token_refuses_its_checkpoint_and_delivers_the_old_owner_nothing_more()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        Write(stream, 0, 20);
        var store = new InMemoryLeaseStore();
        var log = new BreakLog();
        var inBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Exception? checkpointError = null;
        await using var victim = new KinesisConsumer(stream, Options(t, store, "victim", log, () => new BreakProcessor("victim", log)
        {
            CheckpointEachBatch = false,
            OnBatch = async (input, token) =>
            {
                if (inBatch.Task.IsCompleted)
                {
                    return;
                }

                inBatch.TrySetResult();
                using (token.Register(() => tokenCancelled.TrySetResult()))
                {
                    await tokenCancelled.Task;
                }

                try
                {
                    await input.Checkpointer.CheckpointAsync(CancellationToken.None);
                }
                catch (Exception ex)
                {
                    checkpointError = ex;
                }
            },
        }));
        await victim.StartAsync();
        await PumpUntilAsync(t, () => inBatch.Task.IsCompleted, "the first batch is in flight");

        Lease held = (await store.GetLeaseAsync("shardId-000000000000", default))!;
        Assert.NotNull(await store.TryUpdateLeaseAsync(held, held with { LeaseOwner = "thief" }, default));
        await PumpUntilAsync(t, () => log.Events.Contains("victim lost shardId-000000000000"), "the victim is told its lease is lost");
        Assert.IsType<LeaseLostException>(checkpointError);
        Assert.Empty(victim.HeldShardIds);
        int batches = Volatile.Read(ref log.Batches);
        Write(stream, 20, 20);
        await PumpForAsync(t, TimeSpan.FromSeconds(30));
        Assert.Equal(batches, Volatile.Read(ref log.Batches));
        Lease after = (await store.GetLeaseAsync("shardId-000000000000", default))!;
        Assert.Equal("thief", after.LeaseOwner);
        Assert.Equal(Lease.TrimHorizon, after.Checkpoint); // the victim's late checkpoint changed nothing
    }

    [Fact]
    public async Task Two_workers_racing_for_the_expired_leases_of_a_dead_worker_never_hold_one_shard_together()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 6);
        Write(stream, 0, 300);
        var store = new InMemoryLeaseStore();
        var log = new BreakLog();

        // A dead worker's leases: owned, never renewed again.
        foreach (ShardInfo shard in stream.Shards)
        {
            Assert.True(await store.CreateLeaseIfNotExistsAsync(new Lease
            {
                LeaseKey = shard.ShardId.ToString(),
                LeaseOwner = "dead",
                Checkpoint = Lease.TrimHorizon,
                StartingHashKey = shard.HashKeyRange.StartingHashKey.ToString(System.Globalization.CultureInfo.InvariantCulture),
                EndingHashKey = shard.HashKeyRange.EndingHashKey.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }, default));
        }

        await using var a = new KinesisConsumer(stream, Options(t, store, "a", log));
        await using var b = new KinesisConsumer(stream, Options(t, store, "b", log));
        await Task.WhenAll(a.StartAsync(), b.StartAsync());
        // Nothing is expired yet: each live worker may steal at most one lease to balance.
        Assert.True(a.HeldShardIds.Count <= 1 && b.HeldShardIds.Count <= 1, "only one lease stolen per worker before the failover time");
        int overlaps = 0;
        await PumpUntilAsync(t, () =>
        {
            if (a.HeldShardIds.Intersect(b.HeldShardIds).Any())
            {
                overlaps++;
            }

            return a.HeldShardIds.Count + b.HeldShardIds.Count == 6 && log.Data.Distinct().Count() >= 300;
        }, "the live workers took every lease and processed every record", TimeSpan.FromSeconds(1));
        Assert.Equal(0, overlaps);
        Assert.Equal(Expected(0, 300).Order(), log.Data.Distinct().Order());
        IReadOnlyList<Lease> leases = await store.ListLeasesAsync(default);
        Assert.All(leases, l => Assert.Contains(l.LeaseOwner, new[] { "a", "b" }));
        Assert.Equal(6, leases.Select(l => l.LeaseKey).Distinct().Count());
    }

    [Fact]
    public async Task A_lease_store_down_for_less_than_the_failover_time_keeps_the_leases_and_loses_and_repeats_nothing()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        var store = new HookedLeaseStore(new InMemoryLeaseStore());
        var log = new BreakLog();
        var errors = new ConcurrentQueue<Exception>();
        await using var worker = new KinesisConsumer(stream, Options(t, store, "w", log, () => new BreakProcessor("w", log)
        {
            CheckpointEachBatch = false,
            OnBatch = async (input, token) =>
            {
                try
                {
                    await input.Checkpointer.CheckpointAsync(token);
                }
                catch (IOException ex)
                {
                    errors.Enqueue(ex); // the processor sees the outage; the batch stays delivered
                }
            },
        }));
        await worker.StartAsync();
        Write(stream, 0, 40);
        await PumpUntilAsync(t, () => log.Records.Count >= 40, "the first records are processed");

        store.Down = true;
        Write(stream, 40, 40);
        await PumpUntilAsync(t, () => log.Records.Count >= 80, "records keep flowing while the table is down", TimeSpan.FromMilliseconds(250), maxSteps: 30);
        await PumpForAsync(t, TimeSpan.FromSeconds(3));
        Assert.Equal(2, worker.HeldShardIds.Count);
        store.Down = false;
        Write(stream, 80, 40);
        await PumpUntilAsync(t, () => log.Records.Count >= 120, "the rest is processed once the table is back");
        await PumpForAsync(t, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.Equal(2, worker.HeldShardIds.Count);
        Assert.DoesNotContain(log.Events, e => e.Contains(" lost ", StringComparison.Ordinal));
        Assert.Equal(Expected(0, 120).Order(), log.Data.Order()); // none lost, none twice
        Assert.NotEmpty(errors);
    }

    [Fact]
    public async Task A_split_and_a_merge_while_batches_are_in_flight_deliver_every_record_once_and_each_key_in_order()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        var store = new InMemoryLeaseStore();
        var log = new BreakLog();
        var gate = new SemaphoreSlim(0);
        int waiting = 0;
        await using var worker = new KinesisConsumer(stream, Options(t, store, "w", log, () => new BreakProcessor("w", log)
        {
            OnBatch = async (_, token) =>
            {
                Interlocked.Increment(ref waiting);
                await gate.WaitAsync(token);
                Interlocked.Decrement(ref waiting);
            },
        }));
        await worker.StartAsync();
        Write(stream, 0, 200);
        await PumpUntilAsync(t, () => Volatile.Read(ref waiting) == 2, "both shards have a batch in flight");
        stream.SplitShard(new ShardId(0), stream.Shards[0].HashKeyRange.StartingHashKey + ((stream.Shards[0].HashKeyRange.EndingHashKey - stream.Shards[0].HashKeyRange.StartingHashKey) / 2));
        Write(stream, 200, 200);
        stream.MergeShards(new ShardId(2), new ShardId(3));
        Write(stream, 400, 200);
        gate.Release(10_000);
        await PumpUntilAsync(t, () => log.Records.Count >= 600, "every record is processed", TimeSpan.FromSeconds(1));
        await PumpForAsync(t, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.Equal(600, log.Records.Count); // one worker, a checkpoint per batch: nothing twice
        Assert.Equal(Expected(0, 600).Order(), log.Data.Order());
        foreach (IGrouping<string, string> key in log.Data.GroupBy(d => d.Split(':')[0]))
        {
            int[] order = [.. key.Select(d => int.Parse(d.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))];
            Assert.Equal(order.Order(), order);
        }
    }

    [Fact]
    public async Task A_stream_deleted_while_its_shards_are_read_lets_the_worker_stop_and_dispose()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        Write(stream, 0, 40);
        var store = new InMemoryLeaseStore();
        var log = new BreakLog();
        var worker = new KinesisConsumer(stream, Options(t, store, "w", log));
        await worker.StartAsync();
        await PumpUntilAsync(t, () => log.Records.Count >= 40, "the records are processed");
        t.Engine.DeleteStream("s");
        await PumpForAsync(t, TimeSpan.FromSeconds(20));
        await worker.DisposeAsync().AsTask().WaitAsync(Patience);
        Assert.Empty(worker.HeldShardIds);
        Assert.Equal(Expected(0, 40).Order(), log.Data.Order());
    }

    [Fact]
    public async Task Dispose_twice_in_a_row_and_concurrently_is_harmless_and_start_after_dispose_is_refused()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        var store = new InMemoryLeaseStore();
        var log = new BreakLog();
        var worker = new KinesisConsumer(stream, Options(t, store, "w", log));
        await worker.StartAsync();
        Write(stream, 0, 20);
        await PumpUntilAsync(t, () => log.Records.Count >= 20, "the records are processed");
        await Task.WhenAll(worker.DisposeAsync().AsTask(), worker.DisposeAsync().AsTask(), worker.StopAsync()).WaitAsync(Patience);
        await worker.DisposeAsync();
        Assert.Empty(worker.HeldShardIds);
        Assert.Equal(2, log.Events.Count(e => e.StartsWith("w shutdown", StringComparison.Ordinal)));
        Assert.All(await store.ListLeasesAsync(default), l => Assert.Null(l.LeaseOwner)); // released once, on the graceful stop
        await Assert.ThrowsAsync<ObjectDisposedException>(() => worker.StartAsync());
    }

    [Fact]
    public async Task Stop_during_start_waits_for_the_start_then_stops_everything_it_started()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 3);
        Write(stream, 0, 30);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new HookedLeaseStore(new InMemoryLeaseStore())
        {
            BeforeInitialize = async _ =>
            {
                entered.TrySetResult();
                await proceed.Task;
            },
        };
        var log = new BreakLog();
        await using var worker = new KinesisConsumer(stream, Options(t, store, "w", log));
        Task starting = worker.StartAsync();
        await entered.Task.WaitAsync(Patience);
        Task stopping = worker.StopAsync();
        proceed.SetResult();
        await starting.WaitAsync(Patience);
        await stopping.WaitAsync(Patience);
        Assert.Empty(worker.HeldShardIds);
        Assert.All(await store.ListLeasesAsync(default), l => Assert.Null(l.LeaseOwner));
        int records = log.Records.Count;
        Write(stream, 30, 30);
        await PumpForAsync(t, TimeSpan.FromSeconds(30));
        Assert.Equal(records, log.Records.Count);
    }

    [Fact]
    public async Task Two_workers_on_two_file_system_stores_over_one_folder_share_the_shards_and_hand_off_without_loss_or_duplicates()
    {
        string folder = Path.Combine(Path.GetTempPath(), "breaker-leases-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var t = new TestEngine();
            DataStream stream = t.Engine.CreateStream("s", 4);
            Write(stream, 0, 200);
            using var storeA = new FileSystemLeaseStore(folder);
            using var storeB = new FileSystemLeaseStore(folder);
            var log = new BreakLog();
            await using var a = new KinesisConsumer(stream, Options(t, storeA, "a", log));
            await using var b = new KinesisConsumer(stream, Options(t, storeB, "b", log));
            await a.StartAsync();
            await b.StartAsync();
            await PumpUntilAsync(t, () => a.HeldShardIds.Count == 2 && b.HeldShardIds.Count == 2 && log.Data.Distinct().Count() >= 200, "the two workers balanced the shards and processed the records", TimeSpan.FromSeconds(1));
            Assert.Empty(a.HeldShardIds.Intersect(b.HeldShardIds));

            // A graceful stop of one hands its shards to the other, which starts right after the checkpoints.
            await a.StopAsync().WaitAsync(Patience);
            int beforeHandOff = log.Records.Count;
            Write(stream, 200, 200);
            await PumpUntilAsync(t, () => b.HeldShardIds.Count == 4 && log.Data.Distinct().Count() >= 400, "the survivor took every shard and processed the rest", TimeSpan.FromSeconds(1));
            Assert.Equal(Expected(0, 400).Order(), log.Data.Distinct().Order());
            Assert.Equal(200, log.Records.Skip(beforeHandOff).Count()); // nothing after the hand-off delivered twice
            Assert.All(await storeA.ListLeasesAsync(default), l => Assert.Equal("b", l.LeaseOwner));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_start_cancelled_after_it_took_a_lease_leaves_no_shard_processed_by_the_worker()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 3);
        Write(stream, 0, 30);
        using var cancel = new CancellationTokenSource();
        var store = new HookedLeaseStore(new InMemoryLeaseStore());

        // The first take succeeds; the start is cancelled before the second.
        store.BeforeUpdate = (call, _, _, token) =>
        {
            if (call == 2)
            {
                cancel.Cancel();
                token.ThrowIfCancellationRequested();
            }

            return ValueTask.CompletedTask;
        };
        var log = new BreakLog();
        var worker = new KinesisConsumer(stream, Options(t, store, "w", log));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker.StartAsync(cancel.Token));
        store.BeforeUpdate = null;
        await worker.DisposeAsync().AsTask().WaitAsync(Patience);

        // A cancelled start is not a started worker: nothing it took may keep running after it is disposed.
        int records = log.Records.Count;
        Write(stream, 30, 30);
        await PumpForAsync(t, TimeSpan.FromSeconds(30));
        Assert.Equal(records, log.Records.Count);
        Assert.Empty(worker.HeldShardIds);
    }

    [Fact]
    public async Task A_stop_while_a_failed_batch_waits_for_its_retry_hands_the_batch_to_the_next_worker()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        Write(stream, 0, 10);
        var store = new InMemoryLeaseStore();
        var log = new BreakLog();
        int failures = 0;

        // A processor that checkpoints on shutdown as the KCL samples do; every attempt at the first batch fails.
        KinesisConsumerOptions options = Options(t, store, "failing", log, () => new BreakProcessor("failing", log)
        {
            OnBatch = (_, _) =>
            {
                Interlocked.Increment(ref failures);
                throw new InvalidOperationException("downstream unavailable (test)");
            },
        });
        await using var failing = new KinesisConsumer(stream, options);
        await failing.StartAsync();
        await PumpUntilAsync(t, () => Volatile.Read(ref failures) >= 2, "the batch failed and was retried", TimeSpan.FromMilliseconds(250));
        await failing.StopAsync().WaitAsync(Patience);

        // The batch was never processed: the next owner must get it (RetryBatch delivers what was not checkpointed).
        await using var next = new KinesisConsumer(stream, Options(t, store, "next", log));
        await next.StartAsync();
        await PumpUntilAsync(t, () => log.Records.Count >= 10, "the next worker processed the failed batch", TimeSpan.FromMilliseconds(250), maxSteps: 200);
        Assert.Equal(Expected(0, 10), log.Data);
    }
}
