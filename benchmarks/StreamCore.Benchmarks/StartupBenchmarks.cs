using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace StreamCore.Benchmarks;

/// <summary>Scenario 8: a new engine, a new stream, the first put and the first read.</summary>
[MemoryDiagnoser]
public class StartupBenchmarks
{
    private static readonly byte[] Payload = Fixtures.Payload();

    [Benchmark(Baseline = true)]
    public bool Channel_create_write_read()
    {
        Channel<byte[]> channel = Channel.CreateUnbounded<byte[]>();
        channel.Writer.TryWrite(Payload);
        return channel.Reader.TryRead(out _);
    }

    [Benchmark]
    public int Engine_stream_first_put_first_read()
    {
        using var engine = new StreamEngine();
        DataStream stream = engine.CreateStream("s", 1);
        stream.Append("k", Payload);
        stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon).TryRead(out RecordBatch batch);
        return batch.Count;
    }
}
