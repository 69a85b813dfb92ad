using System.Text;
using System.Text.Json;
using StreamCore.EventSources;
using StreamCore.Functions;

namespace StreamCore.Tests.EventSources;

/// <summary>The batch lifecycle on a fake clock: batching, positions, retries, bisect, ReportBatchItemFailures, ages, destinations, lanes and the lifecycle edges.</summary>
public class PollerTests
{
    private static int Count(MappingHarness h)
    {
        lock (h.Received)
        {
            return h.Received.Count;
        }
    }

    private static List<string> AllData(MappingHarness h)
    {
        lock (h.Received)
        {
            return [.. h.Received.SelectMany(e => e.Records).Select(MappingHarness.Data)];
        }
    }

    [Fact]
    public async Task Batches_hold_at_most_BatchSize_records_of_one_shard_in_order_with_Lambdas_envelope()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        h.Put("k", "r", 7);
        await h.MapAsync(r => r.BatchSize = 3);

        KinesisEvent a = await h.NextAsync(), b = await h.NextAsync(), c = await h.NextAsync();

        Assert.Equal([3, 3, 1], new[] { a, b, c }.Select(e => e.Records.Count));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => "r" + i), new[] { a, b, c }.SelectMany(e => e.Records).Select(MappingHarness.Data));
        KinesisEvent.KinesisEventRecord first = a.Records[0];
        Assert.Equal("aws:kinesis", first.EventSource);
        Assert.Equal("aws:kinesis:record", first.EventName);
        Assert.Equal("1.0", first.EventVersion);
        Assert.Equal("us-east-1", first.AwsRegion);
        Assert.Equal(h.Stream.Arn, first.EventSourceARN);
        Assert.Equal($"shardId-000000000000:{first.Kinesis!.SequenceNumber}", first.EventId);
        Assert.Equal("1.0", first.Kinesis.KinesisSchemaVersion);
        Assert.Equal("k", first.Kinesis.PartitionKey);
        Assert.Equal(h.Time.GetUtcNow().UtcDateTime, first.Kinesis.ApproximateArrivalTimestamp);
    }

    [Fact]
    public async Task The_batching_window_gathers_records_until_it_passes()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        string uuid = await h.MapAsync(r => { r.MaximumBatchingWindowInSeconds = 5; r.StartingPosition = "LATEST"; });

        h.Put("k", "a");
        h.Time.Advance(TimeSpan.FromSeconds(3));
        h.Put("k", "b");
        await MappingHarness.WaitForQuietAsync();
        Assert.Equal(0, Count(h));
        h.Time.Advance(TimeSpan.FromSeconds(2));

        KinesisEvent batch = await h.NextAsync();
        Assert.Equal(["a", "b"], batch.Records.Select(MappingHarness.Data));
    }

    [Fact]
    public async Task A_full_batch_does_not_wait_for_the_window()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        await h.MapAsync(r => { r.MaximumBatchingWindowInSeconds = 300; r.BatchSize = 4; });

        h.Put("k", "x", 4);

        Assert.Equal(4, (await h.NextAsync()).Records.Count);
    }

    [Fact]
    public async Task The_payload_stops_at_six_megabytes()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        byte[] megabyte = new byte[1_000_000];
        for (int i = 0; i < 10; i++)
        {
            h.Stream.Append("k", megabyte);
        }

        await h.MapAsync(r => { r.BatchSize = 10_000; r.MaximumBatchingWindowInSeconds = 300; });
        var sizes = new List<int>();
        for (int i = 0; i < 2; i++)
        {
            KinesisEvent e = await h.NextAsync();
            sizes.Add(e.Records.Count);
            Assert.True(JsonSerializer.SerializeToUtf8Bytes(e, KinesisEventJsonForTests.Options).Length <= 6 * 1024 * 1024);
        }

        // Four 1 MB records (base64: 1.33 MB each) fit under 6 MB, five do not: the cap cuts the batch before the window.
        Assert.Equal([4, 4], sizes);
        await h.AdvanceUntilAsync(() => { lock (h.Received) { return h.Received.Sum(e => e.Records.Count) == 10; } }, TimeSpan.FromSeconds(300));
    }

    [Fact]
    public async Task LATEST_skips_what_was_written_before_and_TRIM_HORIZON_reads_it()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder("latest");
        h.RegisterRecorder("horizon");
        h.Put("k", "old");
        await h.MapAsync(r => r.StartingPosition = "LATEST", "latest");
        await h.MapAsync(r => r.StartingPosition = "TRIM_HORIZON", "horizon");
        h.Put("k", "new");

        await h.AdvanceUntilAsync(() => AllData(h).Count == 3, TimeSpan.FromMilliseconds(1));

        Assert.Equal(["new"], AllData(h).Where(d => d == "new").Distinct());
        Assert.Single(AllData(h), "old");
    }

    [Fact]
    public async Task AT_TIMESTAMP_starts_at_the_first_record_that_arrived_then()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        h.Put("k", "before");
        h.Time.Advance(TimeSpan.FromMinutes(1));
        DateTime from = h.Time.GetUtcNow().UtcDateTime;
        h.Put("k", "after");
        await h.MapAsync(r => { r.StartingPosition = "AT_TIMESTAMP"; r.StartingPositionTimestamp = from; });

        Assert.Equal(["after"], (await h.NextAsync()).Records.Select(MappingHarness.Data));
    }

    [Fact]
    public async Task A_failing_shard_retries_while_other_shards_flow_then_goes_to_the_SQS_queue_with_Lambdas_failure_record()
    {
        await using var h = new MappingHarness(shards: 2);
        h.RegisterRecorder();
        h.Behaviour = e => e.Records.Any(r => MappingHarness.Data(r) == "bad") ? throw new InvalidOperationException("boom") : null;
        string uuid = await h.MapAsync(r => { r.BatchSize = 1; r.MaximumRetryAttempts = 2; r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:sqs:us-east-1:000000000000:dlq" } }; });
        AppendResult bad = h.Stream.Append("a", UInt128.Zero, "bad"u8);
        h.Stream.Append("a", UInt128.Zero, "after-bad"u8);
        AppendResult good = h.Stream.Append("b", UInt128.MaxValue, "good"u8);
        Assert.NotEqual(bad.ShardId, good.ShardId);

        // The other shard is delivered at once; the failing one is retried twice (three invocations, 1 s and 2 s apart).
        await h.AdvanceUntilAsync(() => AllData(h).Contains("good"), TimeSpan.FromMilliseconds(1));
        Assert.DoesNotContain("after-bad", AllData(h));
        await h.AdvanceUntilAsync(() => AllData(h).Contains("after-bad"), TimeSpan.FromSeconds(1));

        Assert.Equal(3, AllData(h).Count(d => d == "bad"));
        Assert.Equal(AllData(h).LastIndexOf("bad") + 1, AllData(h).IndexOf("after-bad"));
        Assert.True(h.Lambda.Queues.TryReceiveMessage("dlq", out string? body));
        Assert.False(h.Lambda.Queues.TryReceiveMessage("dlq", out _));
        using JsonDocument record = JsonDocument.Parse(body);
        JsonElement root = record.RootElement;
        Assert.Equal("RetryAttemptsExhausted", root.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(3, root.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.True(Guid.TryParse(root.GetProperty("requestContext").GetProperty("requestId").GetString(), out _));
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:process-stream", root.GetProperty("requestContext").GetProperty("functionArn").GetString());
        Assert.Equal(200, root.GetProperty("responseContext").GetProperty("statusCode").GetInt32());
        Assert.Equal("$LATEST", root.GetProperty("responseContext").GetProperty("executedVersion").GetString());
        Assert.Equal("Unhandled", root.GetProperty("responseContext").GetProperty("functionError").GetString());
        Assert.Equal("1.0", root.GetProperty("version").GetString());
        JsonElement info = root.GetProperty("KinesisBatchInfo");
        Assert.Equal(bad.ShardId.ToString(), info.GetProperty("shardId").GetString());
        Assert.Equal(bad.SequenceNumber.ToString(), info.GetProperty("startSequenceNumber").GetString());
        Assert.Equal(bad.SequenceNumber.ToString(), info.GetProperty("endSequenceNumber").GetString());
        Assert.Equal(1, info.GetProperty("batchSize").GetInt32());
        Assert.Equal(h.Stream.Arn, info.GetProperty("streamArn").GetString());
        Assert.Equal("2026-12-01T07:04:30.000Z", info.GetProperty("approximateArrivalOfFirstRecord").GetString());
        Assert.False(root.TryGetProperty("payload", out _));
    }
}

internal static class KinesisEventJsonForTests
{
    public static readonly JsonSerializerOptions Options = new() { TypeInfoResolver = KinesisEventJson.Default };
}
