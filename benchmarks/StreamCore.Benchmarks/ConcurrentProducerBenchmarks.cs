using BenchmarkDotNet.Attributes;

namespace StreamCore.Benchmarks;

/// <summary>Scenario 3: two producers appending at once, to one shard and to two shards; one producer as the baseline.</summary>
[MemoryDiagnoser]
public class ConcurrentProducerBenchmarks
{
    private const int N = 1_000_000;
    private byte[] _payload = [];
    private StreamEngine _engine = null!;
    private DataStream _stream = null!;
    private int _n;

    [Params(1, 2)]
    public int Shards { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _n = Scale.Records(N);
        _payload = Fixtures.Payload();
        _engine = Fixtures.BoundedEngine();
        _stream = _engine.CreateStream("s", 2);
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    private void Produce(int producer, int count)
    {
        // Shard 0 owns the low half of the key space, shard 1 the high half.
        UInt128 hashKey = Shards == 2 && producer == 1 ? UInt128.MaxValue : UInt128.Zero;
        for (int i = 0; i < count; i++)
        {
            _stream.Append("k", hashKey, _payload);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void One_producer() => Produce(0, _n);

    [Benchmark(OperationsPerInvoke = N)]
    public void Two_producers()
    {
        var other = new Thread(() => Produce(1, _n / 2));
        other.Start();
        Produce(0, _n / 2);
        other.Join();
    }
}
