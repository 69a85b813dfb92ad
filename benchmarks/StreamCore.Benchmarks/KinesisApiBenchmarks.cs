using BenchmarkDotNet.Attributes;
using StreamCore.Kinesis;

namespace StreamCore.Benchmarks;

/// <summary>Scenario 6: the Kinesis-shaped API: PutRecords of 500 x 100 B and GetRecords of 10,000.</summary>
[MemoryDiagnoser]
public class KinesisApiBenchmarks
{
    private StreamEngine _engine = null!;
    private IKinesisClient _client = null!;
    private PutRecordsRequest _put = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _engine = Fixtures.BoundedEngine();
        _client = _engine.CreateKinesisClient();
        await _client.CreateStreamAsync(new CreateStreamRequest { StreamName = "put", ShardCount = 4 });
        await _client.CreateStreamAsync(new CreateStreamRequest { StreamName = "get", ShardCount = 1 });
        byte[] payload = Fixtures.Payload();
        _put = new PutRecordsRequest
        {
            StreamName = "put",
            Records = [.. Enumerable.Range(0, 500).Select(i => new PutRecordsRequestEntry { PartitionKey = "user-" + i, Data = new MemoryStream(payload) })],
        };
        for (int i = 0; i < 20; i++)
        {
            await _client.PutRecordsAsync(new PutRecordsRequest
            {
                StreamName = "get",
                Records = [.. Enumerable.Range(0, 500).Select(j => new PutRecordsRequestEntry { PartitionKey = "user-" + j, Data = new MemoryStream(payload) })],
            });
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(OperationsPerInvoke = 500)]
    public Task<PutRecordsResponse> PutRecords_500_x_100B() => _client.PutRecordsAsync(_put);

    [Benchmark(OperationsPerInvoke = 10_000)]
    public async Task<int> GetRecords_10000()
    {
        string iterator = (await _client.GetShardIteratorAsync(new GetShardIteratorRequest
        {
            StreamName = "get",
            ShardId = "shardId-000000000000",
            ShardIteratorType = ShardIteratorType.TRIM_HORIZON,
        })).ShardIterator!;
        return (await _client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator })).Records.Count;
    }

    /// <summary>Issue 17: GetRecords, then every member of every record read (what a consumer that uses them all pays).</summary>
    [Benchmark(OperationsPerInvoke = 10_000)]
    public async Task<long> GetRecords_10000_reading_every_member()
    {
        string iterator = (await _client.GetShardIteratorAsync(new GetShardIteratorRequest
        {
            StreamName = "get",
            ShardId = "shardId-000000000000",
            ShardIteratorType = ShardIteratorType.TRIM_HORIZON,
        })).ShardIterator!;
        long total = 0;
        foreach (Record record in (await _client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator })).Records)
        {
            total += record.SequenceNumber!.Length + record.Data!.Length + record.PartitionKey!.Length;
        }

        return total;
    }
}
