using System.Diagnostics;
using System.Threading.Channels;

namespace StreamCore.Benchmarks;

/// <summary>
/// Scenario 5: time from append to a waiting async reader seeing the record, as percentiles over many samples
/// (BenchmarkDotNet reports means only). Baseline: an unbounded Channel read with ReadAsync. One record in flight at
/// a time, so the figure is wake-up latency, not queueing.
/// </summary>
public static class LatencyHarness
{
    public static void Run(int samples)
    {
        Console.WriteLine($"Latency, append -> waiting reader, {samples:N0} samples each (microseconds):");
        Report("Channel<long> (baseline)", MeasureChannel(samples));
        Report("StreamCore ShardReader", MeasureStreamCore(samples));
    }

    private static void Report(string name, double[] micros)
    {
        Array.Sort(micros);
        double P(double q) => micros[Math.Min(micros.Length - 1, (int)(q * micros.Length))];
        Console.WriteLine($"  {name,-26} p50 {P(0.50),7:F2}   p99 {P(0.99),8:F2}   p99.9 {P(0.999),8:F2}   max {micros[^1],9:F1}");
    }

    private static double[] MeasureChannel(int samples)
    {
        var channel = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var result = new double[samples];
        using var ack = new SemaphoreSlim(0);
        Task reader = Task.Run(async () =>
        {
            for (int i = 0; i < samples; i++)
            {
                long sent = await channel.Reader.ReadAsync();
                result[i] = Stopwatch.GetElapsedTime(sent).TotalMicroseconds;
                ack.Release();
            }
        });
        for (int i = 0; i < samples; i++)
        {
            channel.Writer.TryWrite(Stopwatch.GetTimestamp());
            ack.Wait();
        }

        reader.Wait();
        return result;
    }

    private static double[] MeasureStreamCore(int samples)
    {
        using var engine = new StreamEngine();
        DataStream stream = engine.CreateStream("s", 1);
        var result = new double[samples];
        using var ack = new SemaphoreSlim(0);
        ShardReader shardReader = stream.OpenReader(new ShardId(0), ShardPosition.Latest, maxBatchRecords: 1);
        Task reader = Task.Run(async () =>
        {
            int i = 0;
            await foreach (RecordBatch batch in shardReader.ReadAllAsync())
            {
                foreach (StreamRecord record in batch)
                {
                    long sent = BitConverter.ToInt64(record.Data.Span);
                    result[i++] = Stopwatch.GetElapsedTime(sent).TotalMicroseconds;
                    ack.Release();
                }

                if (i == samples)
                {
                    return;
                }
            }
        });
        Span<byte> payload = stackalloc byte[8];
        for (int i = 0; i < samples; i++)
        {
            BitConverter.TryWriteBytes(payload, Stopwatch.GetTimestamp());
            stream.Append("k", UInt128.Zero, payload);
            ack.Wait();
        }

        reader.Wait();
        return result;
    }
}
