using System.Collections.Concurrent;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace StreamCore.Benchmarks;

/// <summary>Scenario 1: one producer, one shard, 100-byte records, explicit hash key; baselines Channel and ConcurrentQueue.</summary>
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private const int Batch = 64;
    private int _n;
    private byte[] _payload = [];
    private StreamEngine _engine = null!;
    private DataStream _stream = null!;
    private StreamEngine _coarseEngine = null!;
    private DataStream _coarseStream = null!;
    private Channel<byte[]> _channel = null!;
    private ConcurrentQueue<byte[]> _queue = null!;

    [GlobalSetup]
    public void Setup()
    {
        _n = Scale.Records(1_000_000);
        _payload = Fixtures.Payload();
        _engine = Fixtures.BoundedEngine();
        _stream = _engine.CreateStream("s", 1);
        _coarseEngine = Fixtures.BoundedEngine(coarseClock: true);
        _coarseStream = _coarseEngine.CreateStream("s", 1);
        _channel = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _queue = new ConcurrentQueue<byte[]>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _coarseEngine.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 1_000_000)]
    public void Channel_write_then_read()
    {
        ChannelWriter<byte[]> writer = _channel.Writer;
        ChannelReader<byte[]> reader = _channel.Reader;
        for (int i = 0; i < _n; i += Batch)
        {
            for (int j = 0; j < Batch; j++)
            {
                writer.TryWrite(_payload);
            }

            for (int j = 0; j < Batch; j++)
            {
                reader.TryRead(out _);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = 1_000_000)]
    public void ConcurrentQueue_enqueue_then_dequeue()
    {
        for (int i = 0; i < _n; i += Batch)
        {
            for (int j = 0; j < Batch; j++)
            {
                _queue.Enqueue(_payload);
            }

            for (int j = 0; j < Batch; j++)
            {
                _queue.TryDequeue(out _);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = 1_000_000)]
    public void StreamCore_append_explicit_hash_key()
    {
        DataStream stream = _stream;
        byte[] payload = _payload;
        for (int i = 0; i < _n; i++)
        {
            stream.Append("k", UInt128.Zero, payload);
        }
    }

    [Benchmark(OperationsPerInvoke = 1_000_000)]
    public void StreamCore_append_explicit_hash_key_coarse_clock()
    {
        DataStream stream = _coarseStream;
        byte[] payload = _payload;
        for (int i = 0; i < _n; i++)
        {
            stream.Append("k", UInt128.Zero, payload);
        }
    }
}
