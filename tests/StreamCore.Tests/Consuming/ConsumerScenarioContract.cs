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

            await Pump.UntilAsync(t, () => log.Count >= 700 && workers.Sum(w => w.HeldShardIds.Count) == 7 && Spread(workers) <= 1, "every record is processed and the leases are balanced", TimeSpan.FromSeconds(1));
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
            await Pump.UntilAsync(t, () => log.Count >= 900, "every record is processed", TimeSpan.FromSeconds(1));
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
            KinesisConsumerOptions options = Options(t, store, "w", log, (w, l) => new RecordingProcessor(w, l)
            {
                OnBatch = input => Interlocked.Increment(ref calls) <= 2 ? throw new InvalidOperationException("poison") : ValueTask.CompletedTask,
            });
            options.ProcessingFailureMode = mode;
            await using KinesisConsumer consumer = CreateConsumer(t, "s", options);
            await consumer.StartAsync();
            await Pump.UntilAsync(t, () => Volatile.Read(ref calls) >= 1, "the first call", TimeSpan.FromMilliseconds(250));
            Write(stream, 10, 5);
            await Pump.UntilAsync(t, () => Volatile.Read(ref calls) >= 2, "the second call", TimeSpan.FromMilliseconds(250));
            Write(stream, 15, 5);
            int expected = mode == ProcessingFailureMode.RetryBatch ? 20 : 5;
            await Pump.UntilAsync(t, () => log.Count >= expected, "the records after the failures", TimeSpan.FromMilliseconds(250));
            IEnumerable<string> want = mode == ProcessingFailureMode.RetryBatch
                ? Enumerable.Range(0, 20).Select(i => $"{i % 20}:{i}") // nothing skipped, in order
                : Enumerable.Range(15, 5).Select(i => $"{i % 20}:{i}"); // the KCL moves on: the failed batches' records are skipped
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
}

/// <summary>Zero-copy over the event-bus face, leases in memory.</summary>
public sealed class ConsumerOverDataStreamTests : ConsumerScenarioContract
{
    protected override ILeaseStore CreateLeaseStore() => new InMemoryLeaseStore();

    private protected override KinesisConsumer CreateConsumer(TestEngine t, string stream, KinesisConsumerOptions options)
    {
        DataStream target;
        try
        {
            target = t.Engine.GetStream(stream);
        }
        catch (ResourceNotFoundException)
        {
            options.StreamName = stream;
            return new KinesisConsumer(t.Client, options); // a missing stream fails at start
        }

        return new KinesisConsumer(target, options);
    }
}

/// <summary>GetRecords polling over the in-process Kinesis client, leases in memory.</summary>
public sealed class ConsumerOverKinesisClientTests : ConsumerScenarioContract
{
    protected override ILeaseStore CreateLeaseStore() => new InMemoryLeaseStore();

    private protected override KinesisConsumer CreateConsumer(TestEngine t, string stream, KinesisConsumerOptions options)
    {
        options.StreamName = stream;
        return new KinesisConsumer(t.Client, options);
    }
}

/// <summary>Polling through the remote client against the StreamCore server over the test's engine.</summary>
public sealed class ConsumerOverRemoteClientTests : ConsumerScenarioContract, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly List<IDisposable> _clients = [];
    private readonly Dictionary<TestEngine, StreamCore.Aws.Kinesis.RemoteKinesisClient> _byEngine = [];

    protected override ILeaseStore CreateLeaseStore() => new InMemoryLeaseStore();

    private protected override KinesisConsumer CreateConsumer(TestEngine t, string stream, KinesisConsumerOptions options)
    {
        lock (_byEngine)
        {
            if (!_byEngine.TryGetValue(t, out StreamCore.Aws.Kinesis.RemoteKinesisClient? client))
            {
                StreamCore.Server.KinesisEndpoint endpoint = StreamCore.Server.KinesisEndpoint.StartAsync(t.Engine).GetAwaiter().GetResult();
                client = new StreamCore.Aws.Kinesis.RemoteKinesisClient(new StreamCore.Aws.Kinesis.RemoteKinesisClientOptions
                {
                    ServiceUrl = endpoint.Url,
                    Region = "us-east-1",
                    Credentials = new Amazon.Runtime.BasicAWSCredentials("AKIDCONSUMERTEST", "consumer-test-secret"),
                });
                _servers.Add(endpoint);
                _clients.Add(client);
                _byEngine[t] = client;
            }

            options.StreamName = stream;
            return new KinesisConsumer(client, options);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IDisposable client in _clients)
        {
            client.Dispose();
        }

        foreach (IAsyncDisposable server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}

