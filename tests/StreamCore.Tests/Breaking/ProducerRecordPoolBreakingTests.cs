using System.Collections.Concurrent;
using StreamCore.Producing;
using StreamCore.Tests.Producing;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Breaking;

/// <summary>
/// Attacks on the producer's pooled Kinesis records (rented and returned under its lock, a lone record keeping its small
/// buffer across uses): payloads either side of the kept size, lone records and aggregates sharing the pool, per-record
/// failures that retry some records while others settle and are reused, and a short RecordTtl expiring some. Every user
/// record's result must name the stored record that holds exactly its bytes; nothing stored twice or unreported.
/// </summary>
public sealed class ProducerRecordPoolBreakingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static Task TickAsync(TestEngine t, CancellationToken stop) => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            t.Clock.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System);
        }
    }, CancellationToken.None);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Pooled_records_reused_while_others_retry_and_expire_never_send_another_records_bytes(bool aggregation)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 3);
        t.Engine.Faults.Add(new FaultRule { Operation = "PutRecords", PerRecord = true, Probability = 0.35, Seed = 5 });
        var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions
        {
            TimeProvider = t.Clock,
            AggregationEnabled = aggregation,
            AggregationMaxSize = 2_000, // payloads above it go alone, below it aggregate: both kinds share the pool
            RecordTtl = TimeSpan.FromSeconds(1),
            CollectionMaxCount = 50,
        });
        using var stop = new CancellationTokenSource();
        Task ticker = TickAsync(t, stop.Token);
        int[] sizes = [8, 700, 1023, 1024, 1025, 1500, 2100, 3000, 40, 1024];
        const int Writers = 4, PerWriter = 400;
        var outcomes = new ConcurrentBag<(string Data, Task<UserRecordResult> Result)>();
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                string head = $"{w}:{i}:";
                int size = Math.Max(head.Length, sizes[(i + w) % sizes.Length]);
                string data = head + new string((char)('a' + ((w * 7 + i) % 26)), size - head.Length);
                outcomes.Add((data, producer.AddAsync("k" + (i % 13), StreamContents.Bytes(data)).AsTask()));
                if (i % 50 == 0)
                {
                    await Task.Yield();
                }
            }
        }))];
        await Task.WhenAll(writers).WaitAsync(Patience);
        await producer.FlushAsync().WaitAsync(Patience);
        await Task.WhenAll(outcomes.Select(o => o.Result)).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Patience);
        await producer.DisposeAsync().AsTask().WaitAsync(Patience);
        await stop.CancelAsync();
        await ticker;

        List<StoredUserRecord> contents = await StreamContents.ReadAllAsync(t, "s");
        var stored = contents.ToDictionary(c => (c.ShardId, c.SequenceNumber, c.SubSequenceNumber), c => c.Data);
        int succeeded = 0, expired = 0, retried = 0;
        foreach ((string data, Task<UserRecordResult> result) in outcomes)
        {
            if (result.IsCompletedSuccessfully)
            {
                succeeded++;
                UserRecordResult r = await result;
                retried += r.Attempts > 1 ? 1 : 0;
                Assert.True(stored.TryGetValue((r.ShardId.ToString(), r.SequenceNumber.ToString(), r.SubSequenceNumber), out string? at), $"{data[..8]}: its result names no stored record");
                Assert.Equal(data, at);
            }
            else
            {
                var error = Assert.IsType<UserRecordFailedException>(result.Exception!.InnerException);
                Assert.Equal("Expired", error.ErrorCode);
                expired++;
            }
        }

        Assert.Equal(Writers * PerWriter, succeeded + expired);
        Assert.True(retried > 0, "some records were retried while others settled and were reused");
        Assert.Equal(succeeded, contents.Count); // none twice, none unreported
        Assert.Equal(outcomes.Where(o => o.Result.IsCompletedSuccessfully).Select(o => o.Data).Order(), contents.Select(c => c.Data).Order());
        Assert.Equal(0, producer.OutstandingRecordCount);
    }
}
