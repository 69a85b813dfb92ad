using System.Collections.Concurrent;
using System.Text;
using StreamCore.Consuming;
using StreamCore.Errors;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Consuming;

/// <summary>
/// The worker's scenarios on a fake clock, whatever it reads through and wherever its leases are: one test base, run
/// zero-copy over the event bus and over the Kinesis client with the in-memory store, through the remote client
/// against the StreamCore server; a derived class supplies another lease store (file system, DynamoDB on dynalite).
/// </summary>
public abstract class ConsumerScenarioContract
{
    /// <summary>A fresh, empty lease table for one test (shared by every worker of the test).</summary>
    protected abstract ILeaseStore CreateLeaseStore();

    /// <summary>A consumer of <paramref name="stream"/> through this scenario's face.</summary>
    private protected abstract KinesisConsumer CreateConsumer(TestEngine t, string stream, KinesisConsumerOptions options);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static KinesisConsumerOptions Options(TestEngine t, ILeaseStore store, string worker, ScenarioLog log, Func<string, ScenarioLog, IShardRecordProcessor>? processor = null) => new()
    {
        ApplicationName = "scenario-app",
        WorkerId = worker,
        LeaseStore = store,
        InitialPosition = InitialPosition.TrimHorizon,
        TimeProvider = t.Clock,
        ProcessorFactory = () => processor?.Invoke(worker, log) ?? new RecordingProcessor(worker, log),
        MaxRecords = 100,
    };

    private static void Write(DataStream stream, int from, int count, int keys = 20)
    {
        for (int i = from; i < from + count; i++)
        {
            stream.Append("key-" + (i % keys), Bytes($"{i % keys}:{i}"));
        }
    }

    [Fact]
    public async Task Workers_share_the_shards_within_one_lease_and_process_every_record()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 7);
        Write(stream, 0, 700);
        ILeaseStore store = CreateLeaseStore();
        var log = new ScenarioLog();
        KinesisConsumer[] workers = [.. Enumerable.Range(0, 3).Select(i => CreateConsumer(t, "s", Options(t, store, "w" + i, log)))];
        try
        {
            foreach (KinesisConsumer worker in workers)
            {
                await worker.StartAsync();
            }

            await Pump.UntilAsync(t, () => log.Data.Distinct().Count() >= 700 && workers.Sum(w => w.HeldShardIds.Count) == 7 && Spread(workers) <= 1, "every record is processed and the leases are balanced", TimeSpan.FromSeconds(1));
            Assert.Equal(Enumerable.Range(0, 700).Select(i => $"{i % 20}:{i}").Order(), log.Data.Distinct().Order());
            Assert.Equal(7, workers.SelectMany(w => w.HeldShardIds).Distinct().Count()); // no shard held twice
        }
        finally
        {
            foreach (KinesisConsumer worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    private static int Spread(KinesisConsumer[] workers) => workers.Max(w => w.HeldShardIds.Count) - workers.Min(w => w.HeldShardIds.Count);

    [Fact]
    public async Task A_graceful_hand_off_processes_every_record_exactly_once()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 4);
        ILeaseStore store = CreateLeaseStore();
        var log = new ScenarioLog();
        await using KinesisConsumer first = CreateConsumer(t, "s", Options(t, store, "first", log));
        await first.StartAsync();
        Write(stream, 0, 200);
        await Pump.UntilAsync(t, () => log.Count >= 200, "the first worker processed the first records");
        await first.StopAsync();
        Assert.Empty(first.HeldShardIds);
        Assert.Contains(log.Events, e => e.StartsWith("first shutdown", StringComparison.Ordinal));

        Write(stream, 200, 200);
        await using KinesisConsumer second = CreateConsumer(t, "s", Options(t, store, "second", log));
        await second.StartAsync();
        await Pump.UntilAsync(t, () => log.Count >= 400, "the second worker processed the rest");
        Assert.Equal(4, second.HeldShardIds.Count);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => $"{i % 20}:{i}").Order(), log.Data.Order()); // no duplicates
        Assert.All(log.Records.Where(r => int.Parse(r.Data.Split(':')[1]) >= 200), r => Assert.Equal("second", r.Worker));
    }

    [Fact]
    public async Task A_worker_cut_off_from_the_lease_table_stops_its_shards_and_another_resumes_from_the_checkpoints()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        ILeaseStore store = CreateLeaseStore();
        var flaky = new FlakyLeaseStore(store);
        var log = new ScenarioLog();
        KinesisConsumerOptions cutOff = Options(t, flaky, "cut-off", log);
        await using KinesisConsumer a = CreateConsumer(t, "s", cutOff);
        await a.StartAsync();
        Write(stream, 0, 100);
        await Pump.UntilAsync(t, () => log.Count >= 100, "the first worker processed the first records");
        Assert.Equal(2, a.HeldShardIds.Count);

        flaky.Down = true;
        await using KinesisConsumer b = CreateConsumer(t, "s", Options(t, store, "survivor", log));
        await b.StartAsync();
        Write(stream, 100, 100);
        await Pump.UntilAsync(t, () => a.HeldShardIds.Count == 0 && log.Events.Count(e => e.StartsWith("cut-off lost", StringComparison.Ordinal)) == 2, "the cut-off worker gave its shards up and told its processors");
        int processedByA = log.Records.Count(r => r.Worker == "cut-off");
        await Pump.UntilAsync(t, () => b.HeldShardIds.Count == 2 && log.Data.Distinct().Count() >= 200, "the survivor took over and processed everything");
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"{i % 20}:{i}").Order(), log.Data.Distinct().Order());
        Assert.Equal(processedByA, log.Records.Count(r => r.Worker == "cut-off")); // it processed nothing once it let go

        // Back on line: the cut-off worker takes its share again, by stealing one lease per cycle.
        flaky.Down = false;
        await Pump.UntilAsync(t, () => a.HeldShardIds.Count == 1 && b.HeldShardIds.Count == 1, "the leases are balanced again", TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_child_shard_is_processed_after_its_parents_so_every_key_keeps_its_order()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        ILeaseStore store = CreateLeaseStore();
        var log = new ScenarioLog();
        KinesisConsumer[] workers = [.. Enumerable.Range(0, 2).Select(i => CreateConsumer(t, "s", Options(t, store, "w" + i, log)))];
        try
        {
            foreach (KinesisConsumer worker in workers)
            {
                await worker.StartAsync();
            }

            Write(stream, 0, 300);
            stream.SplitShard(new ShardId(0), stream.Shards[0].HashKeyRange.EndingHashKey / 2);
            Write(stream, 300, 300);
            stream.MergeShards(new ShardId(2), new ShardId(3));
            Write(stream, 600, 300);
            await Pump.UntilAsync(t, () => log.Data.Distinct().Count() >= 900, "every record is processed", TimeSpan.FromSeconds(1));
            // At least once: a lease stolen to balance may deliver a few records twice; first deliveries keep each key's order.
            Seen[] first = [.. log.Records.DistinctBy(r => r.Data)];
            Assert.Equal(900, first.Length);
            foreach (IGrouping<string, Seen> key in first.GroupBy(r => r.PartitionKey))
            {
                int[] order = [.. key.Select(r => int.Parse(r.Data.Split(':')[1]))];
                Assert.Equal(order.Order(), order);
            }

            Assert.Contains(log.Events, e => e.EndsWith("ended shardId-000000000000", StringComparison.Ordinal));
            await Pump.UntilAsync(t, () => store.GetLeaseAsync("shardId-000000000000", default).AsTask().Result is null, "the finished parent lease is cleaned up", TimeSpan.FromSeconds(5));
        }
        finally
        {
            foreach (KinesisConsumer worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Checkpoints_may_not_move_backwards_nor_be_made_after_the_lease_is_lost()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        Write(stream, 0, 10);
        ILeaseStore store = CreateLeaseStore();
        var log = new ScenarioLog();
        var errors = new List<Exception>();
        ShardCheckpointer? kept = null;
        await using KinesisConsumer consumer = CreateConsumer(t, "s", Options(t, store, "w", log, (w, l) => new RecordingProcessor(w, l)
        {
            CheckpointEachBatch = false,
            OnBatch = async input =>
            {
                kept = input.Checkpointer;
                await input.Checkpointer.CheckpointAsync(input.Records[5]);
                try
                {
                    await input.Checkpointer.CheckpointAsync(input.Records[2]);
                }
                catch (ArgumentException ex)
                {
                    errors.Add(ex);
                }

                try
                {
                    await input.Checkpointer.CheckpointAsync("99999999999999999999999999999999999999999999999999999999");
                }
                catch (ArgumentException ex)
                {
                    errors.Add(ex);
                }
            },
        }));
        await consumer.StartAsync();
        await Pump.UntilAsync(t, () => log.Count >= 10, "the batch is processed");
        Assert.Equal(2, errors.Count);
        Assert.Contains("between the last checkpoint", errors[0].Message, StringComparison.Ordinal);
        Lease stored = (await store.GetLeaseAsync("shardId-000000000000", default))!;
        Assert.Equal(log.Records.ElementAt(5).SequenceNumber, stored.Checkpoint);

        // Another worker steals the lease (a conditional write behind this one's back): the next checkpoint throws.
        Assert.NotNull(await store.TryUpdateLeaseAsync(stored, stored with { LeaseOwner = "thief" }, default));
        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => kept!.CheckpointAsync().AsTask());
        Assert.Contains("no longer holds its lease", lost.Message, StringComparison.Ordinal);
        await Pump.UntilAsync(t, () => log.Events.Contains("w lost shardId-000000000000"), "the processor is told the lease is lost");
        Assert.Empty(consumer.HeldShardIds);
    }

    [Fact]
    public async Task A_failing_batch_is_retried_by_default_and_skipped_in_the_kcl_mode()
    {
        foreach (ProcessingFailureMode mode in new[] { ProcessingFailureMode.RetryBatch, ProcessingFailureMode.MoveOn })
        {
            using var t = new TestEngine();
            DataStream stream = t.Engine.CreateStream("s", 1);
            Write(stream, 0, 10);
            ILeaseStore store = CreateLeaseStore();
            var log = new ScenarioLog();
            int calls = 0;
            var failed = new ConcurrentQueue<string>();
            KinesisConsumerOptions options = Options(t, store, "w", log, (w, l) => new RecordingProcessor(w, l)
            {
                OnBatch = input =>
                {
                    if (Interlocked.Increment(ref calls) > 2)
                    {
                        return ValueTask.CompletedTask;
                    }

                    // What the failing call was given: the KCL mode skips exactly these records.
                    foreach (ConsumerRecord record in input.Records)
                    {
                        failed.Enqueue(Encoding.UTF8.GetString(record.Data.Span));
                    }

                    throw new InvalidOperationException("poison");
                },
            });
            options.ProcessingFailureMode = mode;
            await using KinesisConsumer consumer = CreateConsumer(t, "s", options);
            await consumer.StartAsync();
            await Pump.UntilAsync(t, () => Volatile.Read(ref calls) >= 1, "the first call", TimeSpan.FromMilliseconds(250));
            Write(stream, 10, 5);
            await Pump.UntilAsync(t, () => Volatile.Read(ref calls) >= 2, "the second call", TimeSpan.FromMilliseconds(250));
            Write(stream, 15, 5);
            // A write of five records is five appends, so a read may take part of one: which records a failing call
            // was given is what it recorded, not a fixed count.
            IEnumerable<string> all = Enumerable.Range(0, 20).Select(i => $"{i % 20}:{i}");
            List<string> want = mode == ProcessingFailureMode.RetryBatch
                ? [.. all] // nothing skipped, in order
                : [.. all.Except(failed)]; // the KCL moves on: the failed batches' records are skipped
            await Pump.UntilAsync(t, () => log.Data.LastOrDefault() == "19:19", "the records after the failures", TimeSpan.FromMilliseconds(250));
            Assert.True(mode == ProcessingFailureMode.RetryBatch || failed.Count >= 2, "each failing call was given records");
            Assert.Equal(want, log.Data);
        }
    }

    [Fact]
    public async Task Bad_configuration_fails_at_start_with_one_clear_error()
    {
        using var t = new TestEngine();
        t.Engine.CreateStream("s", 1);
        var log = new ScenarioLog();
        KinesisConsumerOptions bad = Options(t, CreateLeaseStore(), "w", log);
        bad.ApplicationName = "no spaces allowed";
        var name = Assert.Throws<ArgumentException>(() => CreateConsumer(t, "s", bad));
        Assert.Contains("ApplicationName 'no spaces allowed' is not valid", name.Message, StringComparison.Ordinal);
        await using KinesisConsumer missing = CreateConsumer(t, "absent", Options(t, CreateLeaseStore(), "w", log));
        var absent = await Assert.ThrowsAsync<ResourceNotFoundException>(() => missing.StartAsync());
        Assert.Contains("absent", absent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_merged_child_starts_only_after_both_parents_reached_shard_end_and_every_key_keeps_its_order()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        ILeaseStore store = CreateLeaseStore();
        var log = new ScenarioLog();
        const string Slow = "shardId-000000000001";
        const string Child = "shardId-000000000002";
        var slowParentMayEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        KinesisConsumer[] workers = [.. Enumerable.Range(0, 2).Select(i => CreateConsumer(t, "s", Options(t, store, "w" + i, log, (w, l) => new RecordingProcessor(w, l)
        {
            // The second parent holds its SHARD_END checkpoint back until told: the child must wait for it.
            OnShardEnded = input => input.ShardId == Slow ? new ValueTask(slowParentMayEnd.Task) : ValueTask.CompletedTask,
        })))];
        try
        {
            foreach (KinesisConsumer worker in workers)
            {
                await worker.StartAsync();
            }

            Write(stream, 0, 400);
            await Pump.UntilAsync(t, () => log.Count >= 100, "the parents are being processed", TimeSpan.FromMilliseconds(250));
            stream.MergeShards(new ShardId(0), new ShardId(1));
            Write(stream, 400, 400); // into the child, while the parents are still read
            await Pump.UntilAsync(t, () => log.Events.Any(e => e.EndsWith("ended " + Slow, StringComparison.Ordinal)) && log.Events.Any(e => e.EndsWith("ended shardId-000000000000", StringComparison.Ordinal)), "both parents reached their end", TimeSpan.FromSeconds(1));
            // The "ended" event comes before the processor's SHARD_END checkpoint: wait for the checkpoint itself.
            await Pump.UntilAsync(t, () => store.GetLeaseAsync("shardId-000000000000", default).AsTask().Result?.Checkpoint == Lease.ShardEnd, "the first parent checkpointed SHARD_END", TimeSpan.FromMilliseconds(250));

            // One parent done, the other not yet checkpointed at SHARD_END: many parent polls later the child has not started.
            for (int i = 0; i < 60; i++)
            {
                t.Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(1);
            }

            Assert.DoesNotContain(log.Events, e => e.Contains("initialize " + Child, StringComparison.Ordinal));
            Assert.DoesNotContain(log.Records, r => r.ShardId == Child);
            Assert.Equal(400, log.Data.Distinct().Count());

            slowParentMayEnd.SetResult();
            await Pump.UntilAsync(t, () => log.Data.Distinct().Count() >= 800, "every record is processed", TimeSpan.FromSeconds(1));
            string[] events = [.. log.Events];
            int started = Array.FindIndex(events, e => e.Contains("initialize " + Child, StringComparison.Ordinal));
            Assert.True(started > Array.FindIndex(events, e => e.EndsWith("ended " + Slow, StringComparison.Ordinal)));
            Assert.True(started > Array.FindIndex(events, e => e.EndsWith("ended shardId-000000000000", StringComparison.Ordinal)));

            // Every record at least once (a lease stolen to balance may redo a few); first deliveries keep each key's order.
            Seen[] firstDeliveries = [.. log.Records.DistinctBy(r => r.Data)];
            Assert.Equal(Enumerable.Range(0, 800).Select(i => $"{i % 20}:{i}").Order(), firstDeliveries.Select(r => r.Data).Order());
            foreach (IGrouping<string, Seen> key in firstDeliveries.GroupBy(r => r.PartitionKey))
            {
                int[] order = [.. key.Select(r => int.Parse(r.Data.Split(':')[1]))];
                Assert.Equal(order.Order(), order);
            }

            Assert.All(log.Records.Where(r => int.Parse(r.Data.Split(':')[1]) >= 400), r => Assert.Equal(Child, r.ShardId));
        }
        finally
        {
            slowParentMayEnd.TrySetResult();
            foreach (KinesisConsumer worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_lease_stolen_while_a_batch_is_processing_fails_that_checkpoint_and_only_that_batch_is_processed_twice()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        Write(stream, 0, 100);
        ILeaseStore store = CreateLeaseStore();
        var log = new ScenarioLog();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocked = new ConcurrentDictionary<string, string[]>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<(string Shard, Exception Error)>();
        KinesisConsumerOptions slow = Options(t, store, "slow", log, (w, l) => new RecordingProcessor(w, l)
        {
            CheckpointEachBatch = false,
            AfterRecords = async input =>
            {
                // Processed (recorded), not yet checkpointed: the first batch of each shard waits here.
                if (blocked.TryAdd(input.ShardId, [.. input.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span))]))
                {
                    await release.Task;
                }

                try
                {
                    await input.Checkpointer.CheckpointAsync();
                }
                catch (LeaseLostException ex)
                {
                    failures.Enqueue((input.ShardId, ex));
                    throw;
                }
            },
        });
        await using KinesisConsumer first = CreateConsumer(t, "s", slow);
        await first.StartAsync();
        await Pump.UntilAsync(t, () => blocked.Count == 2, "both shards' first batches are in flight", TimeSpan.FromMilliseconds(250));

        await using KinesisConsumer second = CreateConsumer(t, "s", Options(t, store, "thief", log));
        await second.StartAsync();
        await Pump.UntilAsync(t, () => second.HeldShardIds.Count == 1 && first.HeldShardIds.Count == 1, "the second worker stole one lease to balance", TimeSpan.FromSeconds(1));
        string stolen = second.HeldShardIds.Single();
        string kept = first.HeldShardIds.Single();
        string[] inFlight = blocked[stolen];
        await Pump.UntilAsync(t, () => inFlight.All(d => log.Records.Any(r => r.Worker == "thief" && r.Data == d)), "the thief processed the stolen shard from its last checkpoint", TimeSpan.FromMilliseconds(250));

        release.SetResult();
        await Pump.UntilAsync(t, () => log.Events.Contains("slow lost " + stolen) && !failures.IsEmpty, "the slow worker's checkpoint failed and its processor was told", TimeSpan.FromMilliseconds(250));
        (string shard, Exception error) = Assert.Single(failures);
        Assert.Equal(stolen, shard);
        Assert.Contains("no longer holds its lease", error.Message, StringComparison.Ordinal);
        Assert.Contains(stolen, error.Message, StringComparison.Ordinal);

        Write(stream, 100, 100);
        await Pump.UntilAsync(t, () => log.Data.Distinct().Count() >= 200, "every record is processed", TimeSpan.FromMilliseconds(250));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"{i % 20}:{i}").Order(), log.Data.Distinct().Order());

        // Processed twice: exactly the batch that was in flight on the stolen shard; nothing after the loss.
        string[] twice = [.. log.Records.GroupBy(r => r.Data).Where(g => g.Count() > 1).Select(g => g.Key).Order()];
        Assert.Equal(inFlight.Order(), twice);
        Assert.All(log.Records.Where(r => r.Worker == "slow" && r.ShardId == stolen), r => Assert.Contains(r.Data, inFlight));
        Assert.Equal(1, log.Records.Count(r => r.Data == blocked[kept][0]));
    }

    [Fact]
    public async Task Deleting_the_stream_under_running_workers_loses_nothing_processed_and_they_still_stop_cleanly()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        ILeaseStore store = CreateLeaseStore();
        var log = new ScenarioLog();
        KinesisConsumer[] workers = [.. Enumerable.Range(0, 2).Select(i => CreateConsumer(t, "s", Options(t, store, "w" + i, log)))];
        try
        {
            foreach (KinesisConsumer worker in workers)
            {
                await worker.StartAsync();
            }

            await Pump.UntilAsync(t, () => workers.All(w => w.HeldShardIds.Count == 1), "the leases are balanced", TimeSpan.FromMilliseconds(250));
            Write(stream, 0, 200);
            await Pump.UntilAsync(t, () => log.Data.Distinct().Count() >= 200, "every record is processed", TimeSpan.FromMilliseconds(250));
            t.Engine.DeleteStream("s");

            // The workers keep running (reads fail and are retried with backoff, shard syncs fail and are logged).
            for (int i = 0; i < 120; i++)
            {
                t.Clock.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(1);
            }

            // Nothing lost (at least once: on a fake clock that outruns a loaded machine a lease may expire and move).
            Assert.Equal(Enumerable.Range(0, 200).Select(i => $"{i % 20}:{i}").Order(), log.Data.Distinct().Order());
            foreach (KinesisConsumer worker in workers)
            {
                await worker.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Empty(worker.HeldShardIds);
            }

            // A deleted stream is no shard end (no SHARD_END checkpoint, no children awaited); each shard's last processor
            // ended with a graceful shutdown, its checkpoint stored.
            string[] ends = [.. log.Events.Select(e => e[(e.IndexOf(' ') + 1)..]).Where(e => e.StartsWith("shutdown ", StringComparison.Ordinal) || e.StartsWith("lost ", StringComparison.Ordinal) || e.StartsWith("ended ", StringComparison.Ordinal))];
            Assert.DoesNotContain(ends, e => e.StartsWith("ended ", StringComparison.Ordinal));
            Assert.Equal(["shutdown shardId-000000000000", "shutdown shardId-000000000001"], ends.GroupBy(e => e.Split(' ')[1]).Select(g => g.Last()).Order(StringComparer.Ordinal));
            foreach (Lease lease in await store.ListLeasesAsync(default))
            {
                Assert.Null(lease.LeaseOwner);
                Assert.Equal(log.Records.Where(r => r.ShardId == lease.LeaseKey).Select(r => r.SequenceNumber).OrderBy(q => q.Length).ThenBy(q => q, StringComparer.Ordinal).Last(), lease.Checkpoint);
            }
        }
        finally
        {
            foreach (KinesisConsumer worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }
}
