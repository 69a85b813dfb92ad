using System.Text;
using StreamCore.Consuming;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Consuming;

/// <summary>The breaker's findings on the worker (/work/findings/consumer.md C1, C2), kept as regression tests.</summary>
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
