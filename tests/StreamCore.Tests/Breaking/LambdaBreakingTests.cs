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
}
