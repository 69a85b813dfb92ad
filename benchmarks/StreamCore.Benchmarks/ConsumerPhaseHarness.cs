using System.Diagnostics;
using StreamCore.Consuming;

namespace StreamCore.Benchmarks;

/// <summary>
/// Where a consumer benchmark op's time goes: the worker's start (lease table, shard sync, lease taking), the processing
/// of every record, and the stop (graceful hand-off), each timed alone over the same 4-shard stream of 100 B records,
/// next to the raw ShardReader loops; medians of several runs after as many warm-up runs (so the code is at its last tier).
/// </summary>
internal static class ConsumerPhaseHarness
{
    public static void Run(int records, int runs)
    {
        using var engine = new StreamEngine();
        DataStream stream = engine.CreateStream("s", 4);
        byte[] payload = Fixtures.Payload();
        for (int i = 0; i < records; i++)
        {
            stream.Append("k" + (i % 1000), payload);
        }

        var raw = new List<double>();
        var start = new List<double>();
        var process = new List<double>();
        var stop = new List<double>();
        var total = new List<double>();
        for (int run = -runs; run < runs; run++)
        {
            if (run == 0)
            {
                raw.Clear();
                start.Clear();
                process.Clear();
                stop.Clear();
                total.Clear();
            }

            var sw = Stopwatch.StartNew();
            long bytes = Task.WhenAll(stream.Shards.Select(s => Task.Run(() => ReadShard(stream, s.ShardId)))).GetAwaiter().GetResult().Sum();
            raw.Add(sw.Elapsed.TotalMilliseconds);
            GC.KeepAlive(bytes);

            var counter = new CountingProcessor.Total(records);
            var consumer = new KinesisConsumer(stream, new KinesisConsumerOptions
            {
                ApplicationName = "bench",
                LeaseStore = new InMemoryLeaseStore(),
                InitialPosition = InitialPosition.TrimHorizon,
                ProcessorFactory = () => new CountingProcessor(counter),
            });
            sw.Restart();
            consumer.StartAsync().GetAwaiter().GetResult();
            double started = sw.Elapsed.TotalMilliseconds;
            counter.All.Task.GetAwaiter().GetResult();
            double processed = sw.Elapsed.TotalMilliseconds;
            consumer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            double stopped = sw.Elapsed.TotalMilliseconds;
            start.Add(started);
            process.Add(processed - started);
            stop.Add(stopped - processed);
            total.Add(stopped);
        }

        int batches = 0;
        foreach (ShardInfo shard in stream.Shards)
        {
            using ShardReader reader = stream.OpenReader(shard.ShardId, ShardPosition.TrimHorizon, 10_000);
            while (reader.TryRead(out _))
            {
                batches++;
            }
        }

        Console.WriteLine($"records {records} in {batches} reads of at most 10,000, runs {runs} (medians, ms; per record ns)");
        Print("raw ShardReader loops", raw, records);
        Print("consumer start", start, records);
        Print("consumer processing", process, records);
        Print("consumer stop", stop, records);
        Print("consumer total", total, records);
    }

    private static void Print(string what, List<double> ms, int records)
    {
        double median = ms.Order().ElementAt(ms.Count / 2);
        Console.WriteLine($"{what,-24} {median,9:F3} ms  {median * 1e6 / records,7:F2} ns/record  (min {ms.Min():F3})");
    }

    private static long ReadShard(DataStream stream, ShardId shard)
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
}
