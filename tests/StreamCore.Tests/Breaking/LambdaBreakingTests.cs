using System.Text;
using System.Text.Json;
using StreamCore.EventSources;
using StreamCore.Functions;
using StreamCore.Tests.EventSources;

namespace StreamCore.Tests.Breaking;

/// <summary>
/// Attacks on the Lambda mapping poller's edges: updates while batches are in flight on several lanes, bisect with
/// ReportBatchItemFailures (every record accounted for), a reshard whose merge parent was never listed, records that
/// expire from the stream while their batch is retried.
/// </summary>
public sealed class LambdaBreakingTests
{
    private const string Dlq = "arn:aws:sqs:us-east-1:000000000000:dlq";

    private static string Data(KinesisEvent.KinesisEventRecord record) => MappingHarness.Data(record);

    /// <summary>The on-failure records' KinesisBatchInfo ranges (start and end sequence numbers).</summary>
    private static List<(SequenceNumber Start, SequenceNumber End)> DeadLetters(MappingHarness h)
    {
        var ranges = new List<(SequenceNumber, SequenceNumber)>();
        while (h.Lambda.Queues.TryReceiveMessage("dlq", out string? body))
        {
            using JsonDocument record = JsonDocument.Parse(body);
            JsonElement info = record.RootElement.GetProperty("KinesisBatchInfo");
            ranges.Add((SequenceNumber.Parse(info.GetProperty("startSequenceNumber").GetString()!), SequenceNumber.Parse(info.GetProperty("endSequenceNumber").GetString()!)));
        }

        return ranges;
    }

    private static string ShardOf(KinesisEvent.KinesisEventRecord record) => record.EventId!.Split(':')[0];

    [Fact]
    public async Task A_merge_child_waits_for_a_parent_the_poller_never_listed()
    {
        await using var h = new MappingHarness(shards: 2);
        var blockX = true;
        var delivered = new List<string>();
        h.Lambda.Functions.RegisterKinesisHandler("process-stream", (e, _) =>
        {
            if (Volatile.Read(ref blockX) && e.Records.Any(r => ShardOf(r) == "shardId-000000000000"))
            {
                throw new InvalidOperationException("shard 0's downstream is down (test)");
            }

            lock (delivered)
            {
                delivered.AddRange(e.Records.Select(Data));
            }

            return Task.CompletedTask;
        });
        ShardInfo x = h.Stream.Shards[0];
        ShardInfo a = h.Stream.Shards[1];
        UInt128 split = x.HashKeyRange.StartingHashKey + ((x.HashKeyRange.EndingHashKey - x.HashKeyRange.StartingHashKey) / 2);
        UInt128 key = split + 1; // in shard 0, then in its upper child, then in the merged shard
        await h.MapAsync(r => r.BatchSize = 10);
        h.Stream.Append("k", key, "x0"u8);
        h.Stream.Append("a", a.HashKeyRange.StartingHashKey, "a0"u8);
        h.Stream.SplitShard(x.ShardId, split); // children 2 (lower) and 3 (upper)
        h.Stream.Append("k", key, "b0"u8);
        h.Stream.MergeShards(new ShardId(3), a.ShardId); // child 4
        h.Stream.Append("k", key, "c0"u8);

        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Contains("a0"); } }, TimeSpan.FromSeconds(1));
        for (int i = 0; i < 30; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(2));
            await MappingHarness.WaitForQuietAsync();
        }

        lock (delivered)
        {
            // Shard 3 (a parent of 4) is not processed yet (its own parent, shard 0, is blocked): 4 must wait.
            Assert.DoesNotContain("c0", delivered);
        }

        Volatile.Write(ref blockX, false);
        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Contains("c0") && delivered.Contains("b0") && delivered.Contains("x0"); } }, TimeSpan.FromSeconds(1));
        lock (delivered)
        {
            Assert.True(delivered.IndexOf("x0") < delivered.IndexOf("b0") && delivered.IndexOf("b0") < delivered.IndexOf("c0"), "one key's records in order: " + string.Join(",", delivered));
        }
    }


    [Fact]
    public async Task A_batch_retried_until_its_records_expire_from_the_stream_no_longer_blocks_the_shard()
    {
        await using var h = new MappingHarness();
        var delivered = new List<string>();
        h.Lambda.Functions.RegisterKinesisHandler("process-stream", (e, _) =>
        {
            if (e.Records.Any(r => Data(r).StartsWith("old", StringComparison.Ordinal)))
            {
                throw new InvalidOperationException("cannot process (test)");
            }

            lock (delivered)
            {
                delivered.AddRange(e.Records.Select(Data));
            }

            return Task.CompletedTask;
        });
        h.Put("k", "old", 3);

        // The defaults: MaximumRetryAttempts -1 and MaximumRecordAgeInSeconds -1, so retried "until the records expire".
        await h.MapAsync(r => { r.BatchSize = 10; r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = Dlq } }; });
        await h.AdvanceUntilAsync(() => h.Stream.Shards.Count == 1, TimeSpan.FromSeconds(1));
        int hours = h.Stream.RetentionPeriodHours;
        for (int i = 0; i < (hours * 6) + 6; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(10)); // past the stream's retention: the old records are trimmed
            await MappingHarness.WaitForQuietAsync();
        }

        h.Put("k", "new");
        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Contains("new"); } }, TimeSpan.FromSeconds(10), maxSteps: 100);
    }


    [Fact]
    public async Task Bisect_with_ReportBatchItemFailures_accounts_for_every_record_as_processed_or_dead_lettered_and_the_checkpoint_reaches_the_end()
    {
        await using var h = new MappingHarness();
        var succeeded = new HashSet<string>(StringComparer.Ordinal);
        var poisonReported = new HashSet<string>(StringComparer.Ordinal) { "r7", "r31" }; // answered with a batch item failure
        var poisonThrown = new HashSet<string>(StringComparer.Ordinal) { "r18", "r19", "r44" }; // the whole call fails
        h.Lambda.Functions.RegisterKinesisHandler("process-stream", (e, _) =>
        {
            List<KinesisEvent.KinesisEventRecord> records = [.. e.Records];
            if (records.Any(r => poisonThrown.Contains(Data(r))))
            {
                throw new InvalidOperationException("poison (test)");
            }

            int failed = records.FindIndex(r => poisonReported.Contains(Data(r)));
            lock (succeeded)
            {
                foreach (KinesisEvent.KinesisEventRecord r in failed < 0 ? records : records.Take(failed))
                {
                    succeeded.Add(Data(r));
                }
            }

            return Task.FromResult<StreamsEventResponse?>(failed < 0 ? null : new StreamsEventResponse
            {
                BatchItemFailures = [new StreamsEventResponse.BatchItemFailure { ItemIdentifier = records[failed].Kinesis!.SequenceNumber }],
            });
        });
        var written = new List<(string Data, SequenceNumber Sequence)>();
        for (int i = 0; i < 50; i++)
        {
            AppendResult appended = h.Stream.Append("k" + (i % 3), Encoding.UTF8.GetBytes("r" + i));
            written.Add(("r" + i, appended.SequenceNumber));
        }

        string uuid = await h.MapAsync(r =>
        {
            r.BatchSize = 10;
            r.BisectBatchOnFunctionError = true;
            r.FunctionResponseTypes = ["ReportBatchItemFailures"];
            r.MaximumRetryAttempts = 1;
            r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = Dlq } };
        });
        MappingRunner runner = h.Lambda.Find(uuid)!.Runner!;
        await h.AdvanceUntilAsync(() => runner.Checkpoints.Values.SingleOrDefault() == written[^1].Sequence, TimeSpan.FromSeconds(1));

        List<(SequenceNumber Start, SequenceNumber End)> dead = DeadLetters(h);
        foreach ((string data, SequenceNumber sequence) in written)
        {
            bool ok;
            lock (succeeded)
            {
                ok = succeeded.Contains(data);
            }

            bool dropped = dead.Any(d => d.Start <= sequence && sequence <= d.End);
            Assert.True(ok || dropped, $"{data} was neither processed nor sent to the on-failure destination");
            if (poisonReported.Contains(data) || poisonThrown.Contains(data))
            {
                Assert.True(dropped && !ok, $"{data} must be dead-lettered, never processed");
            }
        }
    }

    [Fact]
    public async Task Updates_while_batches_are_in_flight_on_every_lane_lose_no_record_and_keep_each_keys_order()
    {
        await using var h = new MappingHarness();
        var gate = new SemaphoreSlim(0);
        int inFlight = 0;
        var delivered = new List<string>();
        h.Lambda.Functions.RegisterKinesisHandler("process-stream", async (e, context) =>
        {
            Interlocked.Increment(ref inFlight);
            await gate.WaitAsync(context.CancellationToken);
            Interlocked.Decrement(ref inFlight);
            lock (delivered)
            {
                delivered.AddRange(e.Records.Select(Data));
            }
        }, TimeSpan.FromMinutes(15));
        string[] keys = [.. Enumerable.Range(0, 8).Select(i => "key" + i)];
        for (int i = 0; i < 80; i++)
        {
            h.Put(keys[i % keys.Length], $"{keys[i % keys.Length]}:{i}");
        }

        string uuid = await h.MapAsync(r => { r.ParallelizationFactor = 4; r.BatchSize = 3; });
        await h.AdvanceUntilAsync(() => Volatile.Read(ref inFlight) >= 2, TimeSpan.FromMilliseconds(1));

        // Two updates while invocations wait; each takes effect from the checkpoint.
        await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, BatchSize = 5 });
        for (int i = 80; i < 120; i++)
        {
            h.Put(keys[i % keys.Length], $"{keys[i % keys.Length]}:{i}");
        }

        await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, ParallelizationFactor = 2, BatchSize = 7 });
        gate.Release(100_000);
        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Distinct().Count() >= 120; } }, TimeSpan.FromSeconds(1));

        lock (delivered)
        {
            Assert.Equal(120, delivered.Distinct().Count());
            foreach (IGrouping<string, string> key in delivered.Distinct().GroupBy(d => d.Split(':')[0]))
            {
                int[] order = [.. key.Select(d => int.Parse(d.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))];
                Assert.Equal(order.Order(), order); // first deliveries keep each key's order
            }
        }
    }

    [Fact]
    public async Task A_handler_that_hangs_past_its_timeout_ignoring_its_token_fails_the_attempt_and_the_retry_delivers_the_batch()
    {
        await using var h = new MappingHarness();
        int calls = 0;
        var delivered = new List<string>();
        var hung = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Lambda.Functions.RegisterKinesisHandler("process-stream", async (e, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await hung.Task; // ignores its token: only the timeout ends this attempt
            }

            lock (delivered)
            {
                delivered.AddRange(e.Records.Select(Data));
            }
        }, TimeSpan.FromSeconds(3));
        h.Put("k", "r", 3);
        string uuid = await h.MapAsync(r => r.BatchSize = 10);
        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Count >= 3; } }, TimeSpan.FromSeconds(1));
        lock (delivered)
        {
            Assert.Equal(["r0", "r1", "r2"], delivered);
        }

        Assert.Equal(2, Volatile.Read(ref calls));
        MappingRunner runner = h.Lambda.Find(uuid)!.Runner!;
        await h.AdvanceUntilAsync(() => runner.Checkpoints.Values.Single() is not null, TimeSpan.FromSeconds(1));
        hung.SetResult();
    }

    [Fact]
    public async Task With_lanes_a_split_while_one_lane_is_blocked_keeps_every_keys_order_across_parent_and_children()
    {
        await using var h = new MappingHarness();
        var blocked = true;
        var delivered = new List<string>();
        h.Lambda.Functions.RegisterKinesisHandler("process-stream", (e, _) =>
        {
            if (Volatile.Read(ref blocked) && e.Records.Any(r => r.Kinesis!.PartitionKey == "slow"))
            {
                throw new InvalidOperationException("the slow key's downstream is down (test)");
            }

            lock (delivered)
            {
                delivered.AddRange(e.Records.Select(Data));
            }

            return Task.CompletedTask;
        });
        // Lanes are chosen by the key's string hash: the fast keys are ones that do not share the slow key's lane.
        static uint Lane(string key) => (uint)key.GetHashCode(StringComparison.Ordinal) % 4;
        string[] keys = ["slow", .. Enumerable.Range(0, 100).Select(i => "fast" + i).Where(k => Lane(k) != Lane("slow")).Take(7)];
        await h.MapAsync(r => { r.ParallelizationFactor = 4; r.BatchSize = 2; });
        for (int i = 0; i < 40; i++)
        {
            h.Put(keys[i % keys.Length], $"{keys[i % keys.Length]}:{i}");
        }

        ShardInfo parent = h.Stream.Shards[0];
        h.Stream.SplitShard(parent.ShardId, parent.HashKeyRange.StartingHashKey + ((parent.HashKeyRange.EndingHashKey - parent.HashKeyRange.StartingHashKey) / 2));
        for (int i = 40; i < 80; i++)
        {
            h.Put(keys[i % keys.Length], $"{keys[i % keys.Length]}:{i}");
        }

        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Count(d => !d.StartsWith("slow", StringComparison.Ordinal)) >= 35; } }, TimeSpan.FromSeconds(1));
        for (int i = 0; i < 20; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(2));
            await MappingHarness.WaitForQuietAsync();
        }

        lock (delivered)
        {
            // The parent's other lanes finished; the children wait for its blocked lane (they hold later records of its keys).
            Assert.DoesNotContain(delivered, d => int.Parse(d.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture) >= 40);
        }

        Volatile.Write(ref blocked, false);
        await h.AdvanceUntilAsync(() => { lock (delivered) { return delivered.Distinct().Count() >= 80; } }, TimeSpan.FromSeconds(1));
        lock (delivered)
        {
            foreach (IGrouping<string, string> key in delivered.Distinct().GroupBy(d => d.Split(':')[0]))
            {
                int[] order = [.. key.Select(d => int.Parse(d.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture))];
                Assert.Equal(order.Order(), order);
            }
        }
    }
}
