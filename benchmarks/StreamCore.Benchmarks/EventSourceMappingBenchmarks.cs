using BenchmarkDotNet.Attributes;
using StreamCore.EventSources;

namespace StreamCore.Benchmarks;

/// <summary>
/// An event source mapping on the embedded engine delivering a full shard of 100 B records to a typed no-op handler
/// with BatchSize 10,000 (records/s per shard, bytes per record), next to a raw ShardReader loop over the same records.
/// </summary>
[MemoryDiagnoser]
public class EventSourceMappingBenchmarks
{
    private const int N = 200_000;
    private StreamEngine _engine = null!;
    private DataStream _stream = null!;
    private LambdaService _lambda = null!;
    private int _n;
    private long _delivered;
    private TaskCompletionSource _all = new();

    [GlobalSetup]
    public void Setup()
    {
        _n = Scale.Records(N);
        _engine = new StreamEngine();
        _stream = _engine.CreateStream("s", 1);
        byte[] payload = Fixtures.Payload();
        for (int i = 0; i < _n; i++)
        {
            _stream.Append("k", UInt128.Zero, payload);
        }

        _lambda = _engine.GetLambdaService();
        _lambda.Functions.RegisterKinesisHandler("noop", (e, _) =>
        {
            if (Interlocked.Add(ref _delivered, e.Records.Count) >= _n)
            {
                _all.TrySetResult();
            }

            return Task.CompletedTask;
        });
        _lambda.Functions.RegisterKinesisHandler("reader", (e, _) =>
        {
            // Reads every member a handler usually reads: the lazily made strings and streams are made here.
            long length = 0;
            foreach (KinesisEvent.KinesisEventRecord record in e.Records)
            {
                length += record.EventId!.Length + record.Kinesis!.PartitionKey!.Length + record.Kinesis.SequenceNumber!.Length + record.Kinesis.Data!.Length;
            }

            if (Interlocked.Add(ref _delivered, e.Records.Count) >= _n && length > 0)
            {
                _all.TrySetResult();
            }

            return Task.CompletedTask;
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _lambda.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _engine.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public long Raw_ShardReader_loop()
    {
        using ShardReader reader = _stream.OpenReader(_stream.Shards[0].ShardId, ShardPosition.TrimHorizon);
        long bytes = 0;
        int seen = 0;
        while (seen < _n && reader.TryRead(out RecordBatch batch))
        {
            foreach (StreamRecord record in batch)
            {
                bytes += record.Data.Length;
            }

            seen += batch.Count;
        }

        return bytes;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public Task Mapping_typed_noop_handler() => RunAsync("noop");

    [Benchmark(OperationsPerInvoke = N)]
    public Task Mapping_handler_reading_every_member() => RunAsync("reader");

    private async Task RunAsync(string function)
    {
        _delivered = 0;
        _all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CreateEventSourceMappingResponse mapping = await _lambda.CreateEventSourceMappingAsync(new CreateEventSourceMappingRequest
        {
            FunctionName = function,
            EventSourceArn = _stream.Arn,
            StartingPosition = EventSourcePosition.TRIM_HORIZON,
            BatchSize = 10_000,
        });
        await _all.Task;
        await _lambda.DeleteEventSourceMappingAsync(new DeleteEventSourceMappingRequest { UUID = mapping.UUID });
    }
}
