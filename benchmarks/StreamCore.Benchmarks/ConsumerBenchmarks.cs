using BenchmarkDotNet.Attributes;
using StreamCore.Consuming;
using StreamCore.Kinesis;

namespace StreamCore.Benchmarks;

/// <summary>A record processor that counts what it is handed and signals when it has seen every record.</summary>
internal sealed class CountingProcessor(CountingProcessor.Total total, Func<Task>? initialized = null) : IShardRecordProcessor
{
    internal sealed class Total(int expected)
    {
        private long _seen;

        public TaskCompletionSource All { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(int count)
        {
            if (Interlocked.Add(ref _seen, count) >= expected)
            {
                All.TrySetResult();
            }
        }
    }

    /// <summary>Completes at once, or when the task <c>initialized</c> returns does (a benchmark holding the worker at its start).</summary>
    public ValueTask InitializeAsync(InitializationInput input, CancellationToken cancellationToken) =>
        initialized is null ? ValueTask.CompletedTask : new ValueTask(initialized());

    public ValueTask ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken)
    {
        long bytes = 0;
        foreach (ConsumerRecord record in input.Records)
        {
            bytes += record.Data.Length;
        }

        total.Add(input.Records.Count);
        return bytes >= 0 ? ValueTask.CompletedTask : ValueTask.CompletedTask;
    }

    public ValueTask LeaseLostAsync(LeaseLostInput input, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken) => input.Checkpointer.CheckpointAsync(cancellationToken);

    public ValueTask ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// The KCL-style worker on the embedded engine: one worker, 4 shards, 100 B records, a processor that counts, reading
/// zero-copy (the event-bus source), from a fresh lease table at TRIM_HORIZON to the last record (start and stop
/// included); next to a raw ShardReader loop over the same records. <see cref="ConsumerBenchmarksSteadyState"/> has the
/// worker started before the op and stopped after it.
/// </summary>
[MemoryDiagnoser]
public class ConsumerBenchmarks
{
    private const int N = 1_000_000;
    private StreamEngine _engine = null!;
    private DataStream _stream = null!;
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        _n = Scale.Records(N);
        _engine = new StreamEngine();
        _stream = _engine.CreateStream("s", 4);
        byte[] payload = Fixtures.Payload();
        for (int i = 0; i < _n; i++)
        {
            _stream.Append("k" + (i % 1000), payload);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>Reads <paramref name="stream"/>'s <paramref name="n"/> records instead of its own (to warm another benchmark's code).</summary>
    internal void Use(DataStream stream, int n)
    {
        _stream = stream;
        _n = n;
    }

    /// <summary>The baseline: one raw ShardReader loop per shard, each a thread-pool task, as the worker runs its shards.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public async Task<long> Raw_ShardReader_loops_one_task_per_shard()
    {
        long[] bytes = await Task.WhenAll(_stream.Shards.Select(s => Task.Run(() => ReadShard(s.ShardId))));
        return bytes.Sum();
    }

    private long ReadShard(ShardId shard) => ReadShard(_stream, shard);

    internal static long ReadShard(DataStream stream, ShardId shard)
    {
        long bytes = 0;
        using ShardReader reader = stream.OpenReader(shard, ShardPosition.TrimHorizon, 10_000);
        while (reader.TryRead(out RecordBatch batch))
        {
            foreach (StreamRecord record in batch)
            {
                bytes += record.Data.Length;
            }
        }

        return bytes;
    }

    /// <summary>The same loop on the benchmark's own thread, the shards one after another.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public long Raw_ShardReader_loop_one_thread()
    {
        long bytes = 0;
        foreach (ShardInfo shard in _stream.Shards)
        {
            bytes += ReadShard(shard.ShardId);
        }

        return bytes;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public async Task Consumer_zero_copy_counting_processor()
    {
        var total = new CountingProcessor.Total(_n);
        await using var consumer = new KinesisConsumer(_stream, new KinesisConsumerOptions
        {
            ApplicationName = "bench",
            LeaseStore = new InMemoryLeaseStore(),
            InitialPosition = InitialPosition.TrimHorizon,
            ProcessorFactory = () => new CountingProcessor(total),
        });
        await consumer.StartAsync();
        await total.All.Task;
    }
}

/// <summary>
/// The worker of <see cref="ConsumerBenchmarks"/> in steady state: started before the op (lease table, shard sync, leases
/// taken, processors initialized) and stopped after it, so the op is reading and processing alone; next to the same raw
/// ShardReader loops, both measured one invocation an iteration (the worker is started anew for each).
/// </summary>
[MemoryDiagnoser]
[WarmupCount(10)]
[IterationCount(40)]
public class ConsumerBenchmarksSteadyState
{
    private const int N = 1_000_000;
    private StreamEngine _engine = null!;
    private DataStream _stream = null!;
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        _n = Scale.Records(N);
        _engine = new StreamEngine();
        _stream = _engine.CreateStream("s", 4);
        byte[] payload = Fixtures.Payload();
        for (int i = 0; i < _n; i++)
        {
            _stream.Append("k" + (i % 1000), payload);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    private bool _rawWarm;

    /// <summary>Nothing to start; there so the baseline runs one invocation an iteration, as the worker's variant must.</summary>
    [IterationSetup(Target = nameof(Raw_ShardReader_loops_one_task_per_shard))]
    public void NothingToStart()
    {
        if (!_rawWarm)
        {
            _rawWarm = true;
            for (int i = 0; i < 40; i++)
            {
                _ = Raw_ShardReader_loops_one_task_per_shard().GetAwaiter().GetResult(); // to the last JIT tier, see StartHeld
            }

            Thread.Sleep(500);
        }
    }

    /// <summary>The baseline: one raw ShardReader loop per shard, each a thread-pool task (as in <see cref="ConsumerBenchmarks"/>).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public async Task<long> Raw_ShardReader_loops_one_task_per_shard()
    {
        long[] bytes = await Task.WhenAll(_stream.Shards.Select(s => Task.Run(() => ConsumerBenchmarks.ReadShard(_stream, s.ShardId))));
        return bytes.Sum();
    }

    private KinesisConsumer? _started;
    private CountingProcessor.Total? _startedTotal;
    private TaskCompletionSource? _go;

    /// <summary>
    /// For the steady-state variant: a worker started (lease table, shard sync, leases taken, its 4 processors
    /// initialized and held at the end of InitializeAsync), so the op measures reading and processing alone. The records
    /// were appended in <see cref="Setup"/>; the op's time runs from the release to the count of the last record.
    /// </summary>
    [IterationSetup(Target = nameof(Consumer_zero_copy_counting_processor_steady_state))]
    public void StartHeld()
    {
        if (_go is null)
        {
            // One invocation per iteration here: bring the worker's code to its last JIT tier first, as the other
            // benchmarks' pilot and warm-up invocations do.
            for (int i = 0; i < 40; i++)
            {
                var warm = new ConsumerBenchmarks();
                warm.Use(_stream, _n);
                warm.Consumer_zero_copy_counting_processor().GetAwaiter().GetResult();
                _ = Raw_ShardReader_loops_one_task_per_shard().GetAwaiter().GetResult();
            }

            Thread.Sleep(500);
        }

        _go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var initialized = new CountdownEvent(_stream.Shards.Count);
        _startedTotal = new CountingProcessor.Total(_n);
        CountingProcessor.Total total = _startedTotal;
        Task go = _go.Task;
        _started = new KinesisConsumer(_stream, new KinesisConsumerOptions
        {
            ApplicationName = "bench",
            LeaseStore = new InMemoryLeaseStore(),
            InitialPosition = InitialPosition.TrimHorizon,
            ProcessorFactory = () => new CountingProcessor(total, () =>
            {
                initialized.Signal();
                return go;
            }),
        });
        _started.StartAsync().GetAwaiter().GetResult();
        if (!initialized.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new InvalidOperationException("The worker's processors were not initialized within 30 s.");
        }
    }

    [IterationCleanup(Target = nameof(Consumer_zero_copy_counting_processor_steady_state))]
    public void StopHeld() => _started!.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The same worker and records, its start and stop outside the measured op (see <see cref="StartHeld"/>).</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public async Task Consumer_zero_copy_counting_processor_steady_state()
    {
        _go!.SetResult();
        await _startedTotal!.All.Task;
    }
}

/// <summary>
/// The worker through IKinesisClient in process (GetRecords polling, 10,000 records per call): 4 shards of 100 B
/// records to a counting processor, next to a raw GetShardIterator + GetRecords loop over the same records.
/// </summary>
[MemoryDiagnoser]
public class ConsumerKinesisClientBenchmarks
{
    private const int N = 200_000;
    private StreamEngine _engine = null!;
    private IKinesisClient _client = null!;
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        _n = Scale.Records(N);
        _engine = new StreamEngine();
        _client = _engine.CreateKinesisClient();
        DataStream stream = _engine.CreateStream("s", 4);
        byte[] payload = Fixtures.Payload();
        for (int i = 0; i < _n; i++)
        {
            stream.Append("k" + (i % 1000), payload);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public async Task<long> Raw_GetRecords_loop()
    {
        long bytes = 0;
        ListShardsResponse shards = await _client.ListShardsAsync(new ListShardsRequest { StreamName = "s" });
        foreach (Shard shard in shards.Shards)
        {
            string? iterator = (await _client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "s", ShardId = shard.ShardId, ShardIteratorType = ShardIteratorType.TRIM_HORIZON })).ShardIterator;
            while (iterator is not null)
            {
                GetRecordsResponse response = await _client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = 10_000 });
                foreach (Record record in response.Records)
                {
                    bytes += record.Data!.Length;
                }

                iterator = response.Records.Count == 0 ? null : response.NextShardIterator;
            }
        }

        return bytes;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public async Task Consumer_over_KinesisClient_counting_processor()
    {
        var total = new CountingProcessor.Total(_n);
        await using var consumer = new KinesisConsumer(_client, new KinesisConsumerOptions
        {
            ApplicationName = "bench",
            StreamName = "s",
            LeaseStore = new InMemoryLeaseStore(),
            InitialPosition = InitialPosition.TrimHorizon,
            ProcessorFactory = () => new CountingProcessor(total),
        });
        await consumer.StartAsync();
        await total.All.Task;
    }
}
