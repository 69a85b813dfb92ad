using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using StreamCore.EventSources;
using StreamCore.Functions;

namespace StreamCore.Tests.EventSources;

/// <summary>
/// Tumbling windows on a fake clock (the harness starts at 07:04:30, so a 60 s window is [07:04:00, 07:05:00)): the
/// state carried between invocations, the final invocation, early termination at the 1 MB state cap, windows cut at
/// their end, a reshard closing a window, a missing state and a failing final invocation retried, ReportBatchItemFailures.
/// </summary>
public class TumblingWindowTests
{
    private static readonly DateTime WindowStart = new(2026, 12, 1, 7, 4, 0, DateTimeKind.Utc);

    /// <summary>What one invocation received (copied: the handler's answer must not change the record).</summary>
    private sealed record Call(List<string> Data, Dictionary<string, string> State, bool Final, bool Early, DateTime Start, DateTime End, string ShardId, List<string> Sequences);

    /// <summary>A window handler that records each call and answers with <see cref="Answer"/>.</summary>
    private sealed class WindowRecorder
    {
        private readonly Channel<Call> _calls = Channel.CreateUnbounded<Call>();

        public WindowRecorder(MappingHarness h, string name = "aggregate-stream") =>
            h.Lambda.Functions.RegisterKinesisWindowHandler(name, (evnt, _) =>
            {
                var call = new Call(
                    [.. evnt.Records.Select(MappingHarness.Data)],
                    new Dictionary<string, string>(evnt.State!),
                    evnt.IsFinalInvokeForWindow == true,
                    evnt.IsWindowTerminatedEarly == true,
                    evnt.Window!.Start,
                    evnt.Window.End,
                    evnt.ShardId!,
                    [.. evnt.Records.Select(r => r.Kinesis!.SequenceNumber!)]);
                lock (All)
                {
                    All.Add(call);
                }

                _calls.Writer.TryWrite(call);
                return Task.FromResult(Answer(call));
            });

        public List<Call> All { get; } = [];

        /// <summary>Default: count the window's records in the state.</summary>
        public Func<Call, KinesisTimeWindowResponse> Answer { get; set; } = Count;

        public async Task<Call> NextAsync() => await _calls.Reader.ReadAsync().AsTask().WaitAsync(MappingHarness.Patience);

        public int Calls
        {
            get
            {
                lock (All)
                {
                    return All.Count;
                }
            }
        }

        public static KinesisTimeWindowResponse Count(Call call) => new()
        {
            State = new() { ["count"] = (int.Parse(call.State.GetValueOrDefault("count", "0"), System.Globalization.CultureInfo.InvariantCulture) + call.Data.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
    }

    private static Task<string> MapAsync(MappingHarness h, Action<CreateEventSourceMappingRequest>? configure = null) =>
        h.MapAsync(r => { r.TumblingWindowInSeconds = 60; configure?.Invoke(r); }, "aggregate-stream");

    [Fact]
    public async Task A_mapping_with_a_tumbling_window_is_accepted_and_echoes_it()
    {
        await using var h = new MappingHarness();
        _ = new WindowRecorder(h);

        string uuid = await MapAsync(h);

        Assert.Equal(60, (await h.Client.GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = uuid })).TumblingWindowInSeconds);
    }

    [Fact]
    public async Task State_is_carried_across_polls_the_final_invocation_gets_it_and_the_next_window_starts_empty()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);
        h.Put("k", "a", 3);
        string uuid = await MapAsync(h);

        Call first = await f.NextAsync();
        Assert.Equal(["a0", "a1", "a2"], first.Data);
        Assert.Empty(first.State);
        Assert.False(first.Final);
        Assert.Equal((WindowStart, WindowStart.AddSeconds(60)), (first.Start, first.End));
        Assert.Equal("shardId-000000000000", first.ShardId);

        h.Put("k", "b");
        Call second = await f.NextAsync();
        Assert.Equal(["b"], second.Data);
        Assert.Equal("3", second.State["count"]);
        Assert.False(second.Final);

        // Nothing closes the window before its end.
        await MappingHarness.WaitForQuietAsync();
        Assert.Equal(2, f.Calls);

        // At 07:05:00 the final invocation: no records, the whole window's state.
        await h.AdvanceUntilAsync(() => f.Calls == 3, TimeSpan.FromSeconds(10));
        Call final = await f.NextAsync();
        Assert.True(final.Final);
        Assert.False(final.Early);
        Assert.Empty(final.Data);
        Assert.Equal("4", final.State["count"]);
        Assert.Equal(WindowStart, final.Start);

        // The next window starts empty, at its aligned bounds.
        h.Put("k", "c");
        Call next = await f.NextAsync();
        Assert.Equal(["c"], next.Data);
        Assert.Empty(next.State);
        Assert.Equal((WindowStart.AddSeconds(60), WindowStart.AddSeconds(120)), (next.Start, next.End));
        Assert.NotNull(h.Lambda.Find(uuid)!.Runner!.Checkpoints.Values.Single());
    }

    [Fact]
    public async Task Records_of_two_windows_read_together_are_split_at_the_boundary_with_the_first_window_closed_in_between()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);
        h.Put("k", "early", 2);
        h.Time.Advance(TimeSpan.FromSeconds(40)); // 07:05:10
        h.Put("k", "late");
        await MapAsync(h, r => r.BatchSize = 100);

        Call a = await f.NextAsync();
        Call closing = await f.NextAsync();
        Call b = await f.NextAsync();

        Assert.Equal(["early0", "early1"], a.Data);
        Assert.Equal((false, WindowStart), (a.Final, a.Start));
        Assert.Equal((true, "2", WindowStart), (closing.Final, closing.State["count"], closing.Start));
        Assert.Equal(["late"], b.Data);
        Assert.Equal((false, WindowStart.AddSeconds(60)), (b.Final, b.Start));
        Assert.Empty(b.State);
    }

    [Fact]
    public async Task A_state_over_1_MB_ends_the_window_early_and_its_later_records_start_a_fresh_state_in_the_same_window()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);
        string big = new('x', TumblingWindow.MaxStateBytes);
        f.Answer = call => call.Data.Contains("a") ? new KinesisTimeWindowResponse { State = new() { ["big"] = big } } : WindowRecorder.Count(call);
        await MapAsync(h);

        h.Put("k", "a");
        Assert.Equal(["a"], (await f.NextAsync()).Data);

        // The returned state passed the cap: the next invocation is the window's final one, marked terminated early, with that state.
        Call early = await f.NextAsync();
        Assert.True(early.Final);
        Assert.True(early.Early);
        Assert.Empty(early.Data);
        Assert.Equal(big.Length, early.State["big"].Length);

        h.Put("k", "b");
        Call after = await f.NextAsync();
        Assert.Equal(["b"], after.Data);
        Assert.Empty(after.State);
        Assert.Equal(WindowStart, after.Start);

        await h.AdvanceUntilAsync(() => f.Calls == 4, TimeSpan.FromSeconds(10));
        Call final = await f.NextAsync();
        Assert.Equal((true, false, "1"), (final.Final, final.Early, final.State["count"]));
    }

    [Fact]
    public async Task A_state_of_exactly_1_MB_does_not_end_the_window()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);

        // {"big":"..."} is 10 bytes around the value.
        string fits = new('x', TumblingWindow.MaxStateBytes - 10);
        f.Answer = call => call.Final ? new KinesisTimeWindowResponse { State = [] } : new KinesisTimeWindowResponse { State = new() { ["big"] = fits } };
        await MapAsync(h);

        h.Put("k", "a");
        await f.NextAsync();
        h.Put("k", "b");
        Call second = await f.NextAsync();

        Assert.False(second.Final);
        Assert.Equal(fits.Length, second.State["big"].Length);
    }

    [Fact]
    public async Task A_reshard_closes_the_parents_window_before_the_children_start_theirs_with_a_fresh_state()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);
        await MapAsync(h);
        h.Put("k", "p", 2);
        await h.AdvanceUntilAsync(() => f.All.Sum(c => c.Data.Count) == 2, TimeSpan.FromMilliseconds(1));

        h.Stream.SplitShard(h.Stream.Shards[0].ShardId, UInt128.One << 127);
        h.Stream.Append("a", UInt128.Zero, "c-low"u8);
        h.Stream.Append("b", UInt128.MaxValue, "c-high"u8);
        await h.AdvanceUntilAsync(() => f.All.Any(c => c.Data.Contains("c-low")) && f.All.Any(c => c.Data.Contains("c-high")), TimeSpan.FromMilliseconds(1));

        List<Call> calls;
        lock (f.All)
        {
            calls = [.. f.All];
        }

        // The window's end has not passed: the parent's window closed because the shard ended.
        int closing = calls.FindIndex(c => c.Final);
        Assert.Equal("shardId-000000000000", calls[closing].ShardId);
        Assert.Equal("2", calls[closing].State["count"]);
        Assert.All(calls[..closing], c => Assert.Equal("shardId-000000000000", c.ShardId));
        Assert.All(calls[(closing + 1)..], c =>
        {
            Assert.NotEqual("shardId-000000000000", c.ShardId);
            Assert.Empty(c.State);
            Assert.False(c.Final);
        });
    }

    [Fact]
    public async Task A_response_without_a_state_fails_the_invocation_which_is_retried_with_the_same_state()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);
        int calls = 0;
        f.Answer = call => Interlocked.Increment(ref calls) == 2 ? new KinesisTimeWindowResponse() : WindowRecorder.Count(call);
        string uuid = await MapAsync(h);
        h.Put("k", "a");
        await f.NextAsync();
        h.Put("k", "b");
        Call failed = await f.NextAsync();
        Assert.Equal("1", failed.State["count"]);
        Assert.Equal("PROBLEM: Function call failed", (await h.Client.GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = uuid })).LastProcessingResult);

        await h.AdvanceUntilAsync(() => f.Calls == 3, TimeSpan.FromMilliseconds(250));
        Call retried = await f.NextAsync();

        Assert.Equal(["b"], retried.Data);
        Assert.Equal("1", retried.State["count"]);
    }

    [Fact]
    public async Task A_failing_final_invocation_is_retried_and_holds_the_next_windows_records_back()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);
        int finals = 0;
        f.Answer = call => call.Final && Interlocked.Increment(ref finals) == 1 ? throw new InvalidOperationException("final failed") : WindowRecorder.Count(call);
        await MapAsync(h);
        h.Put("k", "a");
        await f.NextAsync();

        await h.AdvanceUntilAsync(() => f.Calls == 2, TimeSpan.FromSeconds(10));
        Assert.True((await f.NextAsync()).Final);
        h.Put("k", "next-window");
        await MappingHarness.WaitForQuietAsync();
        Assert.Equal(2, f.Calls);

        await h.AdvanceUntilAsync(() => f.Calls == 4, TimeSpan.FromMilliseconds(250));
        Call retried = await f.NextAsync();
        Call next = await f.NextAsync();

        Assert.Equal((true, "1"), (retried.Final, retried.State["count"]));
        Assert.Equal(["next-window"], next.Data);
        Assert.Empty(next.State);
    }

    [Fact]
    public async Task Exhausted_retries_send_the_batch_to_the_destination_and_the_window_goes_on_with_its_state()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);
        f.Answer = call => call.Data.Contains("bad") ? throw new InvalidOperationException("bad") : WindowRecorder.Count(call);
        await MapAsync(h, r => { r.BatchSize = 1; r.MaximumRetryAttempts = 0; r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:sqs:us-east-1:000000000000:dlq" } }; });
        h.Put("k", "a");
        await f.NextAsync();
        h.Put("k", "bad");
        h.Put("k", "c");

        await h.AdvanceUntilAsync(() => f.All.Any(c => c.Data.Contains("c")), TimeSpan.FromMilliseconds(250));

        Assert.Equal(1, h.Lambda.Queues.ApproximateNumberOfMessages("dlq"));
        Call c;
        lock (f.All)
        {
            c = f.All.Last();
        }

        Assert.Equal("1", c.State["count"]);
    }

    [Fact]
    public async Task With_ReportBatchItemFailures_the_returned_state_is_kept_and_the_retry_starts_at_the_lowest_failure()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);
        int calls = 0;
        f.Answer = call => Interlocked.Increment(ref calls) == 1
            ? new KinesisTimeWindowResponse { State = new() { ["done"] = call.Data[0] }, BatchItemFailures = [new KinesisTimeWindowResponse.BatchItemFailure { ItemIdentifier = call.Sequences[1] }] }
            : WindowRecorder.Count(call);
        h.Put("k", "r", 3);
        await MapAsync(h, r => r.FunctionResponseTypes = ["ReportBatchItemFailures"]);
        await f.NextAsync();

        await h.AdvanceUntilAsync(() => f.Calls == 2, TimeSpan.FromMilliseconds(250));
        Call retried = await f.NextAsync();

        Assert.Equal(["r1", "r2"], retried.Data);
        Assert.Equal("r0", retried.State["done"]);
    }

    [Fact]
    public async Task An_update_while_a_window_is_open_keeps_its_state()
    {
        await using var h = new MappingHarness();
        var f = new WindowRecorder(h);
        string uuid = await MapAsync(h);
        h.Put("k", "a");
        await f.NextAsync();

        await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, BatchSize = 10 });
        await h.AdvanceUntilAsync(() => h.Lambda.Find(uuid)!.State == "Enabled", TimeSpan.FromMilliseconds(1));
        await h.WhenPollingAsync(uuid);
        h.Put("k", "b");
        Call after = await f.NextAsync();

        Assert.Equal(["b"], after.Data);
        Assert.Equal("1", after.State["count"]);
    }

    [Fact]
    public async Task A_JSON_function_gets_Lambdas_window_event_and_its_numeric_state_values_come_back_as_text()
    {
        await using var h = new MappingHarness();
        var payloads = Channel.CreateUnbounded<string>();
        h.Lambda.Functions.Register("aggregate-stream", (payload, _) =>
        {
            payloads.Writer.TryWrite(Encoding.UTF8.GetString(payload.Span));
            return ValueTask.FromResult<ReadOnlyMemory<byte>>("""{"state":{"n":282,"s":"x"},"batchItemFailures":[]}"""u8.ToArray());
        });
        await MapAsync(h);
        h.Put("k", "a");
        using JsonDocument first = JsonDocument.Parse(await payloads.Reader.ReadAsync().AsTask().WaitAsync(MappingHarness.Patience));
        h.Put("k", "b");
        using JsonDocument second = JsonDocument.Parse(await payloads.Reader.ReadAsync().AsTask().WaitAsync(MappingHarness.Patience));

        JsonElement root = first.RootElement;
        Assert.Equal("2026-12-01T07:04:00Z", root.GetProperty("window").GetProperty("start").GetString());
        Assert.Equal("2026-12-01T07:05:00Z", root.GetProperty("window").GetProperty("end").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("state").ValueKind);
        Assert.Empty(root.GetProperty("state").EnumerateObject());
        Assert.Equal("shardId-000000000000", root.GetProperty("shardId").GetString());
        Assert.Equal(h.Stream.Arn, root.GetProperty("eventSourceARN").GetString());
        Assert.False(root.GetProperty("isFinalInvokeForWindow").GetBoolean());
        Assert.False(root.GetProperty("isWindowTerminatedEarly").GetBoolean());
        Assert.Equal("YQ==", root.GetProperty("Records")[0].GetProperty("kinesis").GetProperty("data").GetString());
        Assert.Equal("282", second.RootElement.GetProperty("state").GetProperty("n").GetString());
        Assert.Equal("x", second.RootElement.GetProperty("state").GetProperty("s").GetString());
    }
}
