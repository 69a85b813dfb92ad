using System.Globalization;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace StreamCore.Benchmarks;

/// <summary>
/// Issue 17: batch appends (<see cref="AppendBatch"/>, 100 records of 100 B a batch) against the Channel baseline of
/// scenario 1 (the same records written then read one by one) and against single appends, in one run.
/// </summary>
[MemoryDiagnoser]
public class BatchAppendBenchmarks
{
    private const int N = 1_000_000;
    private const int BatchSize = 100;
    private int _n;
    private byte[] _payload = [];
    private string[] _distinct = [];
    private StreamEngine _engine = null!;
    private DataStream _one = null!;
    private DataStream _four = null!;
    private Channel<byte[]> _channel = null!;
    private AppendBatch _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _n = Scale.Records(N);
        _payload = Fixtures.Payload();
        _distinct = [.. Enumerable.Range(0, _n).Select(i => "user-" + i.ToString("D8", CultureInfo.InvariantCulture))];
        _engine = Fixtures.BoundedEngine();
        _one = _engine.CreateStream("one", 1);
        _four = _engine.CreateStream("four", 4);
        _channel = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _batch = new AppendBatch(BatchSize);
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Channel_write_then_read()
    {
        ChannelWriter<byte[]> writer = _channel.Writer;
        ChannelReader<byte[]> reader = _channel.Reader;
        for (int i = 0; i < _n; i += BatchSize)
        {
            for (int j = 0; j < BatchSize; j++)
            {
                writer.TryWrite(_payload);
            }

            for (int j = 0; j < BatchSize; j++)
            {
                reader.TryRead(out _);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Single_append_explicit_hash_key()
    {
        DataStream stream = _one;
        byte[] payload = _payload;
        for (int i = 0; i < _n; i++)
        {
            stream.Append("k", UInt128.Zero, payload);
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Batch_append_explicit_hash_key()
    {
        AppendBatch batch = _batch;
        byte[] payload = _payload;
        for (int i = 0; i < _n; i += BatchSize)
        {
            batch.Clear();
            for (int j = 0; j < BatchSize; j++)
            {
                batch.Add("k", UInt128.Zero, payload);
            }

            _one.Append(batch);
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Single_append_distinct_keys_4_shards()
    {
        DataStream stream = _four;
        byte[] payload = _payload;
        foreach (string key in _distinct)
        {
            stream.Append(key, payload);
        }
    }

    [Benchmark(OperationsPerInvoke = N)]
    public void Batch_append_distinct_keys_4_shards()
    {
        AppendBatch batch = _batch;
        byte[] payload = _payload;
        string[] keys = _distinct;
        for (int i = 0; i < _n; i += BatchSize)
        {
            batch.Clear();
            for (int j = 0; j < BatchSize; j++)
            {
                batch.Add(keys[i + j], payload);
            }

            _four.Append(batch);
        }
    }
}
