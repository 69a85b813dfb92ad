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

    /// <summary>
    /// Bytes allocated per record through IKinesisClient in process (all threads, GC.GetTotalAllocatedBytes): GetRecords
    /// alone, GetRecords with each record's Data read (the benchmark's baseline), and the worker's start, processing and
    /// stop; the last of several runs, so the code is warm.
    /// </summary>
    public static void RunClient(int records, int runs)
    {
        using var engine = new StreamEngine();
        Kinesis.IKinesisClient client = engine.CreateKinesisClient();
        DataStream stream = engine.CreateStream("s", 4);
        byte[] payload = Fixtures.Payload();
        for (int i = 0; i < records; i++)
        {
            stream.Append("k" + (i % 1000), payload);
        }

        double getRecords = 0, withData = 0, start = 0, process = 0, stop = 0;
        for (int run = 0; run < runs; run++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            _ = GetRecordsAsync(client, readData: false).GetAwaiter().GetResult();
            long a = GC.GetTotalAllocatedBytes(precise: true);
            _ = GetRecordsAsync(client, readData: true).GetAwaiter().GetResult();
            long b = GC.GetTotalAllocatedBytes(precise: true);
            var counter = new CountingProcessor.Total(records);
            var consumer = new KinesisConsumer(client, new KinesisConsumerOptions
            {
                ApplicationName = "bench",
                StreamName = "s",
                LeaseStore = new InMemoryLeaseStore(),
                InitialPosition = InitialPosition.TrimHorizon,
                ProcessorFactory = () => new CountingProcessor(counter),
            });
            long c = GC.GetTotalAllocatedBytes(precise: true);
            consumer.StartAsync().GetAwaiter().GetResult();
            long d = GC.GetTotalAllocatedBytes(precise: true);
            counter.All.Task.GetAwaiter().GetResult();
            long e = GC.GetTotalAllocatedBytes(precise: true);
            consumer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            long f = GC.GetTotalAllocatedBytes(precise: true);
            getRecords = (double)(a - before) / records;
            withData = (double)(b - a) / records;
            start = (double)(d - c) / records;
            process = (double)(e - d) / records;
            stop = (double)(f - e) / records;
        }

        Console.WriteLine($"through IKinesisClient in process, {records} records, B/record (last of {runs} runs):");
        Console.WriteLine($"GetRecords loop, Data not read  {getRecords,8:F1}");
        Console.WriteLine($"GetRecords loop, Data.Length    {withData,8:F1}");
        Console.WriteLine($"consumer start                  {start,8:F1}");
        Console.WriteLine($"consumer processing             {process,8:F1}");
        Console.WriteLine($"consumer stop                   {stop,8:F1}");
    }

    private static async Task<long> GetRecordsAsync(Kinesis.IKinesisClient client, bool readData)
    {
        long bytes = 0;
        Kinesis.ListShardsResponse shards = await client.ListShardsAsync(new Kinesis.ListShardsRequest { StreamName = "s" });
        foreach (Kinesis.Shard shard in shards.Shards)
        {
            string? iterator = (await client.GetShardIteratorAsync(new Kinesis.GetShardIteratorRequest { StreamName = "s", ShardId = shard.ShardId, ShardIteratorType = Kinesis.ShardIteratorType.TRIM_HORIZON })).ShardIterator;
            while (iterator is not null)
            {
                Kinesis.GetRecordsResponse response = await client.GetRecordsAsync(new Kinesis.GetRecordsRequest { ShardIterator = iterator, Limit = 10_000 });
                foreach (Kinesis.Record record in response.Records)
                {
                    bytes += readData ? record.Data!.Length : 1;
                }

                iterator = response.Records.Count == 0 ? null : response.NextShardIterator;
            }
        }

        return bytes;
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
