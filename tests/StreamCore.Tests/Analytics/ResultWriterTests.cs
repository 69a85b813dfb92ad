using System.Text;
using System.Text.Json;
using StreamCore.Analytics;
using StreamCore.Buckets;
using StreamCore.Delivery;
using StreamCore.Errors;
using StreamCore.Tests.Delivery;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Analytics;

/// <summary>
/// Window results written to another stream (event-bus face, any Kinesis client) and to a Firehose delivery stream:
/// every result exactly once (counted against a reference), retryable failures retried on the clock, other failures
/// and exhausted retries fault the write with the service's exception, bad arguments refused before anything is read.
/// </summary>
public class ResultWriterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly record struct Hit(int Page, long Time);

    private static WindowQuery<Hit, int, long> Counts { get; } = WindowQuery.Of<Hit>().WithEventTime(static h => h.Time).WithWatermarks(TimeSpan.Zero)
        .KeyBy(static h => h.Page).Window(WindowAssigner.Tumbling(TimeSpan.FromSeconds(10))).Aggregate(Aggregators.Count<Hit>());

    /// <summary>Hits on 7 pages over 95 s, in order: 10 windows of 10 s.</summary>
    private static Hit[] Hits(int count = 950) => [.. Enumerable.Range(0, count).Select(i => new Hit((i * 31) % 7, i * 100L))];

    /// <summary>What the windows must give: (page, window start) to the count.</summary>
    private static Dictionary<(string Key, long Start), long> Expected(Hit[] hits) =>
        hits.GroupBy(h => (h.Page.ToString(System.Globalization.CultureInfo.InvariantCulture), h.Time - (h.Time % 10_000))).ToDictionary(g => g.Key, g => (long)g.Count());

    private static WindowRun<Hit, int, long> Run(Hit[] hits, TimeProvider clock) => Counts.Start(hits.ToAsyncEnumerable(), new WindowRunOptions { TimeProvider = clock });

    private static (string Key, long Start, long Value, string Firing) Parse(ReadOnlySpan<byte> line)
    {
        using JsonDocument json = JsonDocument.Parse(line.ToArray());
        JsonElement r = json.RootElement;
        long start = DateTimeOffset.Parse(r.GetProperty("windowStart").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        long end = DateTimeOffset.Parse(r.GetProperty("windowEnd").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        Assert.Equal(10_000, end - start);
        return (r.GetProperty("key").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), start, r.GetProperty("value").GetInt64(), r.GetProperty("firing").GetString()!);
    }

    private static List<(string PartitionKey, byte[] Data)> ReadAll(DataStream stream)
    {
        var records = new List<(string, byte[])>();
        foreach (ShardInfo shard in stream.Shards)
        {
            using ShardReader reader = stream.OpenReader(shard.ShardId, ShardPosition.TrimHorizon);
            while (reader.TryRead(out RecordBatch batch))
            {
                foreach (StreamRecord record in batch)
                {
                    records.Add((record.PartitionKey, record.Data.ToArray()));
                }
            }
        }

        return records;
    }

    private static void AssertExactlyTheExpected(Hit[] hits, IEnumerable<(string Key, long Start, long Value, string Firing)> written)
    {
        var seen = new Dictionary<(string, long), long>();
        foreach ((string key, long start, long value, string firing) in written)
        {
            Assert.Equal("OnTime", firing);
            Assert.True(seen.TryAdd((key, start), value), $"window ({key}, {start}) written twice");
        }

        Assert.Equal(Expected(hits).OrderBy(e => e.Key), seen.OrderBy(e => e.Key));
    }

    [Fact]
    public async Task Every_result_goes_to_another_stream_once_as_a_JSON_line_keyed_by_the_results_key()
    {
        using var t = new TestEngine();
        DataStream output = t.Engine.CreateStream("page-counts", 2);
        Hit[] hits = Hits();
        await using WindowRun<Hit, int, long> run = Run(hits, t.Clock);

        long written = await run.Results.WriteToStreamAsync(output, options: new WindowResultWriteOptions { MaxBatchSize = 7 }).WaitAsync(Wait);

        List<(string PartitionKey, byte[] Data)> records = ReadAll(output);
        Assert.Equal(Expected(hits).Count, written);
        Assert.Equal(written, records.Count);
        Assert.All(records, r => Assert.Equal((byte)'\n', r.Data[^1]));
        Assert.All(records, r => Assert.Equal(r.PartitionKey, Parse(r.Data).Key));
        AssertExactlyTheExpected(hits, records.Select(r => Parse(r.Data)));
    }

    [Fact]
    public async Task Through_the_Kinesis_client_failed_records_and_throttled_calls_are_retried_and_nothing_is_doubled()
    {
        using var t = new TestEngine();
        await t.CreateAsync("page-counts", 3);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", Count = 2, Error = () => new ProvisionedThroughputExceededException("Rate exceeded for stream page-counts under account 000000000000.") });
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", PerRecord = true, Probability = 0.4, Seed = 11 });
        Hit[] hits = Hits();
        await using WindowRun<Hit, int, long> run = Run(hits, t.Clock);

        long written = await run.Results.WriteToStreamAsync(t.Client, "page-counts", encode: r => Encoding.UTF8.GetBytes($"{{\"key\":{r.Key},\"windowStart\":\"{r.Window.StartTime:O}\",\"windowEnd\":\"{r.Window.EndTime:O}\",\"value\":{r.Value},\"firing\":\"{r.Firing}\"}}"),
            options: new WindowResultWriteOptions { MaxBatchSize = 20, MaxAttempts = 30, RetryDelay = TimeSpan.Zero }).WaitAsync(Wait);

        List<(string PartitionKey, byte[] Data)> records = ReadAll(t.Engine.GetStream("page-counts"));
        Assert.Equal(Expected(hits).Count, written);
        AssertExactlyTheExpected(hits, records.Select(r => Parse(r.Data)));
    }

    [Fact]
    public async Task The_back_off_waits_on_the_clock()
    {
        using var t = new TestEngine();
        await t.CreateAsync("page-counts", 1);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", Count = 1, Error = () => new ProvisionedThroughputExceededException("Rate exceeded for stream page-counts under account 000000000000.") });
        Hit[] hits = Hits(100);
        await using WindowRun<Hit, int, long> run = Run(hits, t.Clock);
        List<WindowResult<int, long>> results = [];
        await foreach (WindowResult<int, long> r in run.Results.WithCancellation(TestContext.Current.CancellationToken))
        {
            results.Add(r);
        }

        Task<long> write = results.ToAsyncEnumerable().WriteToStreamAsync(t.Client, "page-counts", options: new WindowResultWriteOptions { RetryDelay = TimeSpan.FromSeconds(10), TimeProvider = t.Clock });
        await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, TestContext.Current.CancellationToken); // the clock has not moved: the retry cannot have happened
        Assert.False(write.IsCompleted);
        Assert.Empty(ReadAll(t.Engine.GetStream("page-counts")));

        DateTime deadline = DateTime.UtcNow + Wait;
        while (!write.IsCompleted && DateTime.UtcNow < deadline)
        {
            t.Clock.Advance(TimeSpan.FromSeconds(10));
            await Task.WhenAny(write, Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System));
        }

        Assert.Equal(results.Count, await write);
        AssertExactlyTheExpected(hits, ReadAll(t.Engine.GetStream("page-counts")).Select(r => Parse(r.Data)));
    }

    [Fact]
    public async Task Exhausted_retries_and_errors_that_are_not_retryable_fault_the_write_with_the_services_exception()
    {
        using var t = new TestEngine();
        await t.CreateAsync("page-counts", 1);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", PerRecord = true, Error = () => new ProvisionedThroughputExceededException("Rate exceeded for shard shardId-000000000000 in stream page-counts under account 000000000000.") });
        Hit[] hits = Hits(100);
        await using (WindowRun<Hit, int, long> run = Run(hits, t.Clock))
        {
            ProvisionedThroughputExceededException throttled = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() =>
                run.Results.WriteToStreamAsync(t.Client, "page-counts", options: new WindowResultWriteOptions { MaxAttempts = 3, RetryDelay = TimeSpan.Zero }).WaitAsync(Wait));
            Assert.Contains("window results could not be written to stream page-counts after 3 attempts: Rate exceeded for shard", throttled.Message, StringComparison.Ordinal);
        }

        await using (WindowRun<Hit, int, long> run = Run(hits, t.Clock))
        {
            await Assert.ThrowsAsync<ResourceNotFoundException>(() => run.Results.WriteToStreamAsync(t.Client, "no-such-stream").WaitAsync(Wait));
        }
    }

    [Fact]
    public async Task Every_result_goes_to_a_delivery_stream_once_one_JSON_line_each()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("page-counts", FirehoseBed.S3(c => c.BufferingHints = new BufferingHints { IntervalInSeconds = 60, SizeInMBs = 5 }));
        Hit[] hits = Hits();
        await using WindowRun<Hit, int, long> run = Run(hits, bed.Clock);

        long written = await run.Results.WriteToDeliveryStreamAsync(bed.Firehose, "page-counts", options: new WindowResultWriteOptions { MaxBatchSize = 9 }).WaitAsync(Wait);
        await bed.AdvanceAsync("page-counts", TimeSpan.FromSeconds(60));

        var lines = new List<string>();
        foreach (BucketObject o in await bed.ListAsync())
        {
            lines.AddRange((await bed.TextAsync(o.Key)).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.Equal(Expected(hits).Count, written);
        AssertExactlyTheExpected(hits, lines.Select(l => Parse(Encoding.UTF8.GetBytes(l))));
    }

    [Fact]
    public async Task Bad_arguments_are_refused_before_any_result_is_read()
    {
        using var t = new TestEngine();
        DataStream output = t.Engine.CreateStream("page-counts", 1);
        int read = 0;
        async IAsyncEnumerable<WindowResult<int, long>> Source()
        {
            read++;
            await Task.Yield();
            yield break;
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Source().WriteToStreamAsync(output, options: new WindowResultWriteOptions { MaxBatchSize = 501 }); }); // thrown by the call, not by its task
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Source().WriteToStreamAsync(output, options: new WindowResultWriteOptions { MaxBatchSize = 0 }); }); // thrown by the call, not by its task
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Source().WriteToStreamAsync(output, options: new WindowResultWriteOptions { MaxAttempts = 0 }); }); // thrown by the call, not by its task
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Source().WriteToStreamAsync(output, options: new WindowResultWriteOptions { RetryDelay = TimeSpan.FromSeconds(-1) }); }); // thrown by the call, not by its task
        Assert.Throws<ArgumentNullException>(() => { _ = Source().WriteToStreamAsync((DataStream)null!); }); // thrown by the call, not by its task
        Assert.Throws<ArgumentException>(() => { _ = Source().WriteToStreamAsync(t.Client, ""); }); // thrown by the call, not by its task
        await using var firehose = new Firehose(t.Engine);
        Assert.Throws<ArgumentException>(() => { _ = Source().WriteToDeliveryStreamAsync(firehose, ""); }); // thrown by the call, not by its task
        Assert.Equal(0, read);
        Assert.Equal(0, await Source().WriteToStreamAsync(output));
        Assert.Equal(1, read);
    }
}
