using System.Text;
using StreamCore.Consuming;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Consuming;

/// <summary>The breaker's findings on the worker (/work/findings/consumer.md C1-C3), kept as regression tests.</summary>
public sealed class ConsumerFindingsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static KinesisConsumerOptions Options(TestEngine t, ILeaseStore store, string worker, Func<IShardRecordProcessor> factory) => new()
    {
        ApplicationName = "findings-app",
        WorkerId = worker,
        LeaseStore = store,
        InitialPosition = InitialPosition.TrimHorizon,
        TimeProvider = t.Clock,
        ProcessorFactory = factory,
        MaxRecords = 100,
    };

    private static void Write(DataStream stream, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            stream.Append("key-" + (i % 20), Encoding.UTF8.GetBytes($"{i % 20}:{i}"));
        }
    }

    [Fact]
    public async Task C1_a_start_cancelled_after_it_took_a_lease_leaves_no_shard_processed_by_the_worker()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 3);
        Write(stream, 0, 30);
        using var cancel = new CancellationTokenSource();
        var store = new HookedLeaseStore(new InMemoryLeaseStore())
        {
            // The first take succeeds; the start is cancelled before the second.
            BeforeUpdate = (call, token) =>
            {
                if (call == 2)
                {
                    cancel.Cancel();
                    token.ThrowIfCancellationRequested();
                }
            },
        };
        var log = new ScenarioLog();
        var worker = new KinesisConsumer(stream, Options(t, store, "w", () => new RecordingProcessor("w", log)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker.StartAsync(cancel.Token));
        store.BeforeUpdate = null;
        Assert.Empty(worker.HeldShardIds);
        await worker.DisposeAsync().AsTask().WaitAsync(Patience);

        // A cancelled start is not a started worker: nothing it took keeps running, and the lease it took is released.
        int records = log.Count;
        Write(stream, 30, 30);
        for (int i = 0; i < 60; i++)
        {
            t.Clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(1);
        }

        Assert.Equal(records, log.Count);
        Assert.Empty(worker.HeldShardIds);
        Assert.All(await store.ListLeasesAsync(default), l => Assert.Null(l.LeaseOwner));
    }

    [Fact]
    public async Task C2_a_stop_while_a_failed_batch_waits_for_its_retry_hands_the_batch_to_the_next_worker()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        Write(stream, 0, 10);
        var store = new InMemoryLeaseStore();
        var log = new ScenarioLog();
        int failures = 0;

        // A processor that checkpoints on shutdown as the KCL samples do; every attempt at the first batch fails.
        await using var failing = new KinesisConsumer(stream, Options(t, store, "failing", () => new RecordingProcessor("failing", log)
        {
            OnBatch = _ =>
            {
                Interlocked.Increment(ref failures);
                throw new InvalidOperationException("downstream unavailable (test)");
            },
        }));
        await failing.StartAsync();
        await Pump.UntilAsync(t, () => Volatile.Read(ref failures) >= 2, "the batch failed and was retried", TimeSpan.FromMilliseconds(250));
        await failing.StopAsync().WaitAsync(Patience);
        Lease handedOff = (await store.GetLeaseAsync("shardId-000000000000", default))!;
        Assert.Equal(Lease.TrimHorizon, handedOff.Checkpoint); // the shutdown checkpoint covered nothing unprocessed

        // The batch was never processed: the next owner gets it (RetryBatch delivers what was not checkpointed).
        await using var next = new KinesisConsumer(stream, Options(t, store, "next", () => new RecordingProcessor("next", log)));
        await next.StartAsync();
        await Pump.UntilAsync(t, () => log.Count >= 10, "the next worker processed the failed batch", TimeSpan.FromMilliseconds(250), maxSteps: 200);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i % 20}:{i}"), log.Data);
    }

    [Fact]
    public async Task C3_a_merge_child_waits_for_a_parent_whose_lease_does_not_exist_yet()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        var store = new InMemoryLeaseStore();
        var log = new ScenarioLog();
        bool blockX = true;
        await using var worker = new KinesisConsumer(stream, Options(t, store, "w", () => new RecordingProcessor("w", log)
        {
            OnBatch = input => Volatile.Read(ref blockX) && input.ShardId == "shardId-000000000000"
                ? throw new InvalidOperationException("shard 0's downstream is down (test)")
                : ValueTask.CompletedTask,
        }));
        await worker.StartAsync();
        ShardInfo x = stream.Shards[0];
        ShardInfo a = stream.Shards[1];
        UInt128 split = x.HashKeyRange.StartingHashKey + ((x.HashKeyRange.EndingHashKey - x.HashKeyRange.StartingHashKey) / 2);
        UInt128 key = split + 1; // in shard 0, then in its upper child 3, then in the merged shard 4
        stream.Append("k", key, Encoding.UTF8.GetBytes("x0"));
        stream.Append("a", a.HashKeyRange.StartingHashKey, Encoding.UTF8.GetBytes("a0"));
        stream.SplitShard(x.ShardId, split);
        stream.Append("k", key, Encoding.UTF8.GetBytes("b0"));
        stream.MergeShards(new ShardId(3), a.ShardId);
        stream.Append("k", key, Encoding.UTF8.GetBytes("c0"));

        await Pump.UntilAsync(t, () => log.Data.Contains("a0") && log.Events.Contains("w ended shardId-000000000001"), "shard 1 is processed to its end");
        for (int i = 0; i < 60; i++)
        {
            t.Clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(1);
        }

        // Shard 4's parent 3 is not processed (its own parent 0 is blocked): 4 waits, though 3 had no lease when 1 ended.
        Assert.DoesNotContain("c0", log.Data);
        Volatile.Write(ref blockX, false);
        await Pump.UntilAsync(t, () => log.Data.Contains("c0") && log.Data.Contains("b0") && log.Data.Contains("x0"), "every record is processed", TimeSpan.FromSeconds(1));
        Assert.Equal(["x0", "b0", "c0"], log.Data.Where(d => d is "x0" or "b0" or "c0").Distinct());
    }

    /// <summary>A lease store that runs a hook before each conditional update (numbered from 1).</summary>
    private sealed class HookedLeaseStore(ILeaseStore inner) : ILeaseStore
    {
        private int _updates;

        public Action<int, CancellationToken>? BeforeUpdate { get; set; }

        public ValueTask InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

        public ValueTask<IReadOnlyList<Lease>> ListLeasesAsync(CancellationToken cancellationToken) => inner.ListLeasesAsync(cancellationToken);

        public ValueTask<Lease?> GetLeaseAsync(string leaseKey, CancellationToken cancellationToken) => inner.GetLeaseAsync(leaseKey, cancellationToken);

        public ValueTask<bool> CreateLeaseIfNotExistsAsync(Lease lease, CancellationToken cancellationToken) => inner.CreateLeaseIfNotExistsAsync(lease, cancellationToken);

        public ValueTask<Lease?> TryUpdateLeaseAsync(Lease expected, Lease updated, CancellationToken cancellationToken)
        {
            BeforeUpdate?.Invoke(Interlocked.Increment(ref _updates), cancellationToken);
            return inner.TryUpdateLeaseAsync(expected, updated, cancellationToken);
        }

        public ValueTask<bool> DeleteLeaseAsync(Lease expected, CancellationToken cancellationToken) => inner.DeleteLeaseAsync(expected, cancellationToken);
    }
}
