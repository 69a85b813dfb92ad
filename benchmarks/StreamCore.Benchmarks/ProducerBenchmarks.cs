using BenchmarkDotNet.Attributes;
using StreamCore.Kinesis;
using StreamCore.Producing;

namespace StreamCore.Benchmarks;

/// <summary>
/// Scenario 9: the KPL-style producer against direct PutRecordsAsync of the same 100 B records into the embedded
/// engine (4 shards, 1,000 partition keys): 20,000 user records per invocation, added, flushed and awaited.
/// </summary>
[MemoryDiagnoser]
public class ProducerBenchmarks
{
    private static readonly int Records = Scale.Records(20_000);

    private StreamEngine _engine = null!;
    private IKinesisClient _client = null!;
    private byte[] _payload = null!;
    private string[] _keys = null!;
    private KinesisProducer _aggregatedBus = null!;
    private KinesisProducer _plainBus = null!;
    private KinesisProducer _aggregatedClient = null!;
    private readonly ValueTask<UserRecordResult>[] _pending = new ValueTask<UserRecordResult>[Records];

    [GlobalSetup]
    public async Task Setup()
    {
        _engine = Fixtures.BoundedEngine();
        _client = _engine.CreateKinesisClient();
        await _client.CreateStreamAsync(new CreateStreamRequest { StreamName = "p", ShardCount = 4 });
        _payload = Fixtures.Payload();
        _keys = [.. Enumerable.Range(0, 1000).Select(i => "user-" + i)];
        _aggregatedBus = new KinesisProducer(_engine.GetStream("p"));
        _plainBus = new KinesisProducer(_engine.GetStream("p"), new KinesisProducerOptions { AggregationEnabled = false });
        _aggregatedClient = new KinesisProducer(_client, "p");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _aggregatedBus.DisposeAsync();
        await _plainBus.DisposeAsync();
        await _aggregatedClient.DisposeAsync();
        _engine.Dispose();
    }

    /// <summary>What a caller without the producer writes: PutRecords of 500 entries at a time.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = 20_000)]
    public async Task<int> Direct_PutRecordsAsync()
    {
        int stored = 0;
        for (int start = 0; start < Records; start += 500)
        {
            var request = new PutRecordsRequest { StreamName = "p", Records = new List<PutRecordsRequestEntry>(500) };
            for (int i = start; i < start + 500; i++)
            {
                request.Records.Add(new PutRecordsRequestEntry { PartitionKey = _keys[i % 1000], Data = new MemoryStream(_payload, writable: false) });
            }

            PutRecordsResponse response = await _client.PutRecordsAsync(request);
            stored += response.Records.Count - response.FailedRecordCount!.Value;
        }

        return stored;
    }

    [Benchmark(OperationsPerInvoke = 20_000)]
    public Task<long> Producer_aggregated_event_bus() => RunAsync(_aggregatedBus);

    [Benchmark(OperationsPerInvoke = 20_000)]
    public Task<long> Producer_not_aggregated_event_bus() => RunAsync(_plainBus);

    [Benchmark(OperationsPerInvoke = 20_000)]
    public Task<long> Producer_aggregated_Kinesis_client() => RunAsync(_aggregatedClient);

    private async Task<long> RunAsync(KinesisProducer producer)
    {
        for (int i = 0; i < Records; i++)
        {
            _pending[i] = producer.AddAsync(_keys[i % 1000], _payload);
        }

        await producer.FlushAsync();
        long sum = 0;
        for (int i = 0; i < Records; i++)
        {
            sum += (await _pending[i]).SubSequenceNumber;
        }

        return sum;
    }
}
