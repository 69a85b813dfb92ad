using System.Text;
using System.Text.Json;
using StreamCore.Buckets;
using StreamCore.EventSources;
using StreamCore.Functions;
using StreamCore.Kinesis;

namespace StreamCore.Tests.EventSources;

/// <summary>Bisect, ReportBatchItemFailures, record age, destinations, lanes, and the lifecycle edges (disable, update, delete, reshard, stream deleted, fan-out).</summary>
public class LifecycleTests
{
    private static List<List<string>> Batches(MappingHarness h)
    {
        lock (h.Received)
        {
            return [.. h.Received.Select(e => e.Records.Select(MappingHarness.Data).ToList())];
        }
    }

    private static StreamsEventResponse Fail(params string[] sequenceNumbers) =>
        new() { BatchItemFailures = [.. sequenceNumbers.Select(s => new StreamsEventResponse.BatchItemFailure { ItemIdentifier = s })] };

    private static string Seq(KinesisEvent e, string data) => e.Records.First(r => MappingHarness.Data(r) == data).Kinesis!.SequenceNumber!;

    [Fact]
    public async Task Bisect_splits_a_failing_batch_in_order_without_using_retries_and_isolates_the_bad_record()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        h.Behaviour = e => e.Records.Any(r => MappingHarness.Data(r) == "r2") ? throw new InvalidOperationException("bad record") : null;
        h.Put("k", "r", 5);
        string uuid = await h.MapAsync(r => { r.BatchSize = 5; r.BisectBatchOnFunctionError = true; r.MaximumRetryAttempts = 0; r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:sqs:us-east-1:000000000000:dlq" } }; });

        await h.AdvanceUntilAsync(() => h.Lambda.Queues.ApproximateNumberOfMessages("dlq") == 1 && Batches(h).Any(b => b.Contains("r4") && !b.Contains("r2")), TimeSpan.FromSeconds(1));

        // [r0..r4] fails -> [r0 r1 r2] fails -> [r0 r1] ok, [r2] fails (no retry left: discarded) -> [r3 r4] ok.
        Assert.Equal(
            [["r0", "r1", "r2", "r3", "r4"], ["r0", "r1", "r2"], ["r0", "r1"], ["r2"], ["r3", "r4"]],
            Batches(h));
        Assert.True(h.Lambda.Queues.TryReceiveMessage("dlq", out string? body));
        using JsonDocument record = JsonDocument.Parse(body);
        Assert.Equal(1, record.RootElement.GetProperty("KinesisBatchInfo").GetProperty("batchSize").GetInt32());
        Assert.Equal(3, record.RootElement.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
    }

    [Fact]
    public async Task ReportBatchItemFailures_retries_from_the_lowest_reported_record()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        int calls = 0;
        h.Behaviour = e => Interlocked.Increment(ref calls) == 1 ? Fail(Seq(e, "r3"), Seq(e, "r1")) : null;
        h.Put("k", "r", 4);
        await h.MapAsync(r => { r.BatchSize = 4; r.FunctionResponseTypes = ["ReportBatchItemFailures"]; });

        await h.AdvanceUntilAsync(() => Batches(h).Count == 2, TimeSpan.FromSeconds(1));

        Assert.Equal([["r0", "r1", "r2", "r3"], ["r1", "r2", "r3"]], Batches(h));
    }

    public static TheoryData<string, Func<KinesisEvent, StreamsEventResponse?>, bool> ItemFailureEdges() => new()
    {
        { "a null response", _ => null, true },
        { "a null list", _ => new StreamsEventResponse(), true },
        { "an empty list", _ => new StreamsEventResponse { BatchItemFailures = [] }, true },
        { "a null itemIdentifier", _ => Fail([null!]), false },
        { "an empty itemIdentifier", _ => Fail(""), false },
        { "an itemIdentifier not in the batch", _ => Fail("123"), false },
    };

    [Theory]
    [MemberData(nameof(ItemFailureEdges))]
    public async Task ReportBatchItemFailures_edge_cases_are_complete_successes_or_complete_failures(string because, Func<KinesisEvent, StreamsEventResponse?> answer, bool success)
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        int calls = 0;
        h.Behaviour = e => Interlocked.Increment(ref calls) == 1 ? answer(e) : null;
        h.Put("k", "r", 3);
        await h.MapAsync(r => { r.BatchSize = 3; r.FunctionResponseTypes = ["ReportBatchItemFailures"]; });
        h.Put("k", "next");

        await h.AdvanceUntilAsync(() => Batches(h).Any(b => b.Contains("next")), TimeSpan.FromSeconds(1));

        List<List<string>> batches = Batches(h);
        Assert.True(success ? batches[1].SequenceEqual(["next"]) : batches[1].SequenceEqual(["r0", "r1", "r2"]), because + ": " + string.Join(" | ", batches.Select(b => string.Join(",", b))));
    }

    [Fact]
    public async Task Without_ReportBatchItemFailures_a_returned_list_is_ignored()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        h.Behaviour = e => Fail(e.Records[0].Kinesis!.SequenceNumber!);
        h.Put("k", "r", 2);
        await h.MapAsync(r => r.BatchSize = 1);
        h.Put("k", "next");

        await h.AdvanceUntilAsync(() => Batches(h).Count == 3, TimeSpan.FromMilliseconds(1));

        Assert.Equal([["r0"], ["r1"], ["next"]], Batches(h));
    }

    [Fact]
    public async Task A_JSON_function_whose_response_misspells_the_key_fails_the_whole_batch()
    {
        await using var h = new MappingHarness();
        int calls = 0;
        var seen = new List<string>();
        h.Lambda.Functions.Register("json", (payload, _) =>
        {
            lock (seen)
            {
                seen.Add(Encoding.UTF8.GetString(payload.Span));
            }

            return ValueTask.FromResult<ReadOnlyMemory<byte>>(Interlocked.Increment(ref calls) == 1 ? "{\"batchItemFailure\":[]}"u8.ToArray() : "{}"u8.ToArray());
        });
        h.Put("k", "r0");
        await h.MapAsync(r => r.FunctionResponseTypes = ["ReportBatchItemFailures"], "json");

        await h.AdvanceUntilAsync(() => Volatile.Read(ref calls) == 2, TimeSpan.FromSeconds(1));

        lock (seen)
        {
            Assert.Equal(seen[0], seen[1]);
            using JsonDocument evnt = JsonDocument.Parse(seen[0]);
            JsonElement record = evnt.RootElement.GetProperty("Records")[0];
            Assert.Equal("aws:kinesis", record.GetProperty("eventSource").GetString());
            Assert.Equal("cjA=", record.GetProperty("kinesis").GetProperty("data").GetString());
            Assert.Equal(JsonValueKind.Number, record.GetProperty("kinesis").GetProperty("approximateArrivalTimestamp").ValueKind);
            Assert.Equal(new DateTimeOffset(2026, 12, 1, 7, 4, 30, TimeSpan.Zero).ToUnixTimeMilliseconds() / 1000.0, record.GetProperty("kinesis").GetProperty("approximateArrivalTimestamp").GetDouble(), 3);
        }
    }

    [Fact]
    public async Task Records_older_than_the_maximum_age_are_discarded_without_invoking()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        h.Put("k", "old");
        h.Time.Advance(TimeSpan.FromSeconds(61));
        h.Put("k", "fresh");
        await h.MapAsync(r => { r.MaximumRecordAgeInSeconds = 60; r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:sqs:us-east-1:000000000000:dlq" } }; });

        KinesisEvent delivered = await h.NextAsync();

        Assert.Equal(["fresh"], delivered.Records.Select(MappingHarness.Data));
        Assert.True(h.Lambda.Queues.TryReceiveMessage("dlq", out string? body));
        using JsonDocument record = JsonDocument.Parse(body);
        Assert.Equal("RecordAgeExceeded", record.RootElement.GetProperty("requestContext").GetProperty("condition").GetString());
        Assert.Equal(0, record.RootElement.GetProperty("requestContext").GetProperty("approximateInvokeCount").GetInt32());
        Assert.False(record.RootElement.TryGetProperty("responseContext", out _));
    }

    [Fact]
    public async Task An_S3_destination_gets_Lambdas_key_layout_and_the_invocation_payload()
    {
        await using var h = new MappingHarness();
        var bucket = new InMemoryBucketStore();
        h.Lambda.Buckets = bucket;
        h.RegisterRecorder();
        h.Behaviour = _ => throw new InvalidOperationException("no");
        h.Put("k", "x");
        string uuid = await h.MapAsync(r => { r.MaximumRetryAttempts = 0; r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:s3:::failures" } }; });

        List<BucketObject> objects = [];
        await h.AdvanceUntilAsync(() => (objects = bucket.ListObjectsAsync("failures").ToBlockingEnumerable().ToList()).Count == 1, TimeSpan.FromMilliseconds(1));

        string key = objects[0].Key;
        Assert.Matches($@"^aws/lambda/{uuid}/shardId-000000000000/2026/12/01/2026-12-01T07\.04\.30-[0-9a-f-]{{36}}$", key);
        byte[] content = (await bucket.GetObjectAsync("failures", key))!;
        using JsonDocument record = JsonDocument.Parse(content);
        using JsonDocument payload = JsonDocument.Parse(record.RootElement.GetProperty("payload").GetString()!);
        Assert.Equal("eA==", payload.RootElement.GetProperty("Records")[0].GetProperty("kinesis").GetProperty("data").GetString());
    }

    [Fact]
    public async Task A_destination_that_refuses_the_record_blocks_the_shard_until_it_accepts()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        h.Behaviour = e => e.Records.Any(r => MappingHarness.Data(r) == "bad") ? throw new InvalidOperationException("no") : null;
        int refusals = 3;
        h.Lambda.Queues.Persist = (_, _, _, _) => Interlocked.Decrement(ref refusals) >= 0 ? throw new IOException("disk full") : ValueTask.CompletedTask;
        h.Put("k", "bad");
        h.Put("k", "next");
        await h.MapAsync(r => { r.BatchSize = 1; r.MaximumRetryAttempts = 0; r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:sqs:us-east-1:000000000000:dlq" } }; });

        await h.AdvanceUntilAsync(() => Batches(h).Any(b => b.Contains("next")), TimeSpan.FromSeconds(1));

        Assert.True(Volatile.Read(ref refusals) < 0);
        Assert.Equal(1, h.Lambda.Queues.ApproximateNumberOfMessages("dlq"));
        Assert.Equal([["bad"], ["next"]], Batches(h));
    }

    [Fact]
    public async Task With_a_parallelization_factor_a_failing_key_blocks_only_its_lane_and_the_checkpoint_is_the_lowest_unfinished()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        var release = new TaskCompletionSource();
        h.Lambda.Functions.Remove("process-stream");
        var delivered = new List<string>();
        h.Lambda.Functions.RegisterKinesisHandler("process-stream", async (e, _) =>
        {
            if (e.Records.Any(r => r.Kinesis!.PartitionKey == "slow"))
            {
                await release.Task;
            }

            lock (delivered)
            {
                delivered.AddRange(e.Records.Select(MappingHarness.Data));
            }
        }, TimeSpan.FromMinutes(15));
        string uuid = await h.MapAsync(r => { r.ParallelizationFactor = 10; r.BatchSize = 1; });
        string fastKey = Enumerable.Range(0, 50).Select(i => "fast" + i).First(k => (uint)k.GetHashCode(StringComparison.Ordinal) % 10 != (uint)"slow".GetHashCode(StringComparison.Ordinal) % 10);
        AppendResult slow = h.Stream.Append("slow", "s0"u8);
        h.Stream.Append("slow", "s1"u8);
        h.Stream.Append(fastKey, "f0"u8);
        h.Stream.Append(fastKey, "f1"u8);

        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Contains("f1"); } }, TimeSpan.FromMilliseconds(1));
        MappingRunner runner = h.Lambda.Find(uuid)!.Runner!;
        Assert.Null(runner.Checkpoints[slow.ShardId]);
        release.SetResult();
        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Contains("s1"); } }, TimeSpan.FromMilliseconds(1));

        lock (delivered)
        {
            Assert.True(delivered.IndexOf("s0") < delivered.IndexOf("s1"));
            Assert.True(delivered.IndexOf("f0") < delivered.IndexOf("f1"));
            Assert.True(delivered.IndexOf("f1") < delivered.IndexOf("s0"));
        }
    }

    [Fact]
    public async Task Disabling_while_a_batch_is_in_flight_finishes_it_then_pauses_and_enabling_resumes_without_loss_or_duplicates()
    {
        await using var h = new MappingHarness();
        var inFlight = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var delivered = new List<string>();
        h.Lambda.Functions.RegisterKinesisHandler("process-stream", async (e, _) =>
        {
            if (e.Records.Any(r => MappingHarness.Data(r) == "first"))
            {
                inFlight.TrySetResult();
                await release.Task;
            }

            lock (delivered)
            {
                delivered.AddRange(e.Records.Select(MappingHarness.Data));
            }
        }, TimeSpan.FromMinutes(15));
        string uuid = await h.MapAsync(r => r.BatchSize = 1);
        h.Put("k", "first");
        await inFlight.Task.WaitAsync(MappingHarness.Patience);

        await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, Enabled = false });
        h.Put("k", "while-disabled");
        release.SetResult();
        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Contains("first"); } }, TimeSpan.FromMilliseconds(1));
        for (int i = 0; i < 5; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            await MappingHarness.WaitForQuietAsync();
        }

        lock (delivered)
        {
            Assert.Equal(["first"], delivered);
        }

        await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, Enabled = true });
        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Contains("while-disabled"); } }, TimeSpan.FromMilliseconds(1));
        lock (delivered)
        {
            Assert.Equal(["first", "while-disabled"], delivered);
        }
    }

    [Fact]
    public async Task An_update_takes_effect_while_running_from_the_checkpoint()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        string uuid = await h.MapAsync(r => r.BatchSize = 1);
        h.Put("k", "a", 2);
        await h.AdvanceUntilAsync(() => Batches(h).Count == 2, TimeSpan.FromMilliseconds(1));

        await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, BatchSize = 10, MaximumBatchingWindowInSeconds = 1 });
        await h.WhenPollingAsync(uuid);
        h.Put("k", "b", 3);
        await h.AdvanceUntilAsync(() => Batches(h).Count == 3, TimeSpan.FromSeconds(1));

        Assert.Equal([["a0"], ["a1"], ["b0", "b1", "b2"]], Batches(h));
    }

    [Fact]
    public async Task Deleting_a_mapping_while_it_invokes_cancels_the_invocation_and_nothing_more_is_invoked()
    {
        await using var h = new MappingHarness();
        var inFlight = new TaskCompletionSource<CancellationToken>();
        int invocations = 0;
        h.Lambda.Functions.RegisterKinesisHandler("process-stream", async (e, context) =>
        {
            Interlocked.Increment(ref invocations);
            inFlight.TrySetResult(context.CancellationToken);
            await Task.Delay(Timeout.InfiniteTimeSpan, h.Time, context.CancellationToken);
        }, TimeSpan.FromMinutes(15));
        string uuid = await h.MapAsync();
        h.Put("k", "x");
        CancellationToken token = await inFlight.Task.WaitAsync(MappingHarness.Patience);

        await h.Client.DeleteEventSourceMappingAsync(new DeleteEventSourceMappingRequest { UUID = uuid });

        Assert.True(token.IsCancellationRequested);
        h.Put("k", "y");
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await MappingHarness.WaitForQuietAsync();
        Assert.Equal(1, Volatile.Read(ref invocations));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => h.Client.GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = uuid }));
    }

    [Fact]
    public async Task After_a_split_the_parents_records_are_all_delivered_before_the_childrens()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        await h.MapAsync(r => r.BatchSize = 2);
        h.Put("k", "p", 3);
        h.Stream.SplitShard(h.Stream.Shards[0].ShardId, UInt128.One << 127);
        h.Stream.Append("a", UInt128.Zero, "c-low"u8);
        h.Stream.Append("b", UInt128.MaxValue, "c-high"u8);

        await h.AdvanceUntilAsync(() => Batches(h).SelectMany(b => b).Count() == 5, TimeSpan.FromMilliseconds(1));

        List<string> all = [.. Batches(h).SelectMany(b => b)];
        Assert.Equal(["p0", "p1", "p2"], all[..3]);
        Assert.Equal(["c-high", "c-low"], all[3..].Order());
        Assert.All(Batches(h), b => Assert.True(b.All(d => d.StartsWith('p')) || b.All(d => d.StartsWith('c'))));
    }

    [Fact]
    public async Task A_stream_deleted_under_a_mapping_disables_it_with_the_problem()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        string uuid = await h.MapAsync();
        h.Put("k", "x");
        await h.NextAsync();

        h.Engine.DeleteStream("orders");

        await h.AdvanceUntilAsync(() => h.Lambda.Find(uuid)!.State == "Disabled", TimeSpan.FromSeconds(1));
        GetEventSourceMappingResponse mapping = await h.Client.GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = uuid });
        Assert.StartsWith("PROBLEM:", mapping.LastProcessingResult, StringComparison.Ordinal);
        Assert.StartsWith("PROBLEM:", mapping.StateTransitionReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enhanced_fan_out_consumer_source_delivers_through_SubscribeToShard()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        IKinesisClient kinesis = h.Engine.CreateKinesisClient();
        string consumerArn = (await kinesis.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = h.Stream.Arn, ConsumerName = "lambda" })).Consumer!.ConsumerARN!;
        h.Put("k", "via-efo");
        await h.MapAsync(r => r.EventSourceArn = consumerArn);

        KinesisEvent e = await h.NextAsync();

        Assert.Equal(["via-efo"], e.Records.Select(MappingHarness.Data));
        Assert.Equal(h.Stream.Arn, e.Records[0].EventSourceARN);
    }

    [Fact]
    public async Task Records_that_match_no_filter_are_processed_without_being_delivered()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        string uuid = await h.MapAsync(r => r.FilterCriteria = new FilterCriteria { Filters = [new Filter { Pattern = "{\"data\":{\"eventType\":[\"ORDER_PLACED\"]}}" }] });
        h.Put("k", "{\"eventType\":\"ORDER_SHIPPED\"}");
        h.Put("k", "not json");
        AppendResult last = h.Stream.Append("k", "{\"eventType\":\"ORDER_PLACED\",\"id\":1}"u8);
        AppendResult after = h.Stream.Append("k", "{\"eventType\":\"ORDER_CANCELLED\"}"u8);

        KinesisEvent e = await h.NextAsync();
        MappingRunner runner = h.Lambda.Find(uuid)!.Runner!;
        await h.AdvanceUntilAsync(() => runner.Checkpoints[after.ShardId] == after.SequenceNumber, TimeSpan.FromMilliseconds(1));

        Assert.Equal(["{\"eventType\":\"ORDER_PLACED\",\"id\":1}"], e.Records.Select(MappingHarness.Data));
        Assert.False(h.TryNext(out _));
        Assert.NotEqual(last.SequenceNumber, after.SequenceNumber);
    }
}
