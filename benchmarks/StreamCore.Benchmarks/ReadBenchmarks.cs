using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace StreamCore.Benchmarks;

/// <summary>
/// Scenario 4: batched zero-copy reads of a full shard by 1, 2 and 4 concurrent readers (records/s per reader);
/// baseline: a pre-filled Channel per reader, drained concurrently.
/// </summary>
[MemoryDiagnoser]
public class ReadBenchmarks
{
    private const int N = 1_000_000;
    private StreamEngine _engine = null!;
    private DataStream _stream = null!;
    private Channel<ReadOnlyMemory<byte>>[] _channels = [];
    private int _n;

    [Params(1, 2, 4)]
    public int Readers { get; set; }

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
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [IterationSetup(Target = nameof(Channel_per_reader))]
    public void FillChannels()
    {
        var payload = new ReadOnlyMemory<byte>(Fixtures.Payload());
        _channels = new Channel<ReadOnlyMemory<byte>>[Readers];
        for (int r = 0; r < Readers; r++)
        {
            _channels[r] = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            for (int i = 0; i < _n; i++)
            {
                _channels[r].Writer.TryWrite(payload);
            }
        }
    }

    // Both methods get an iteration setup so they run under the same job (one invocation per iteration) and
    // BenchmarkDotNet reports their ratio; the log needs no per-iteration setup.
    [IterationSetup(Target = nameof(StreamCore_batched_zero_copy_read))]
    public void NothingToSetUp()
    {
    }

    private static void RunConcurrently(int readers, Func<int, long> read)
    {
        var threads = new Thread[readers - 1];
        for (int r = 1; r < readers; r++)
        {
            int reader = r;
            threads[r - 1] = new Thread(() => read(reader));
            threads[r - 1].Start();
        }

        read(0);
        foreach (Thread t in threads)
        {
            t.Join();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public void Channel_per_reader() => RunConcurrently(Readers, r =>
    {
        long bytes = 0;
        ChannelReader<ReadOnlyMemory<byte>> reader = _channels[r].Reader;
        while (reader.TryRead(out ReadOnlyMemory<byte> item))
        {
            bytes += item.Length;
        }

        return bytes;
    });

    [Benchmark(OperationsPerInvoke = N)]
    public void StreamCore_batched_zero_copy_read() => RunConcurrently(Readers, _ =>
    {
        long bytes = 0;
        ShardReader reader = _stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        while (reader.TryRead(out RecordBatch batch))
        {
            foreach (StreamRecord record in batch)
            {
                bytes += record.Data.Length;
            }
        }

        return bytes;
    });
}
