using System.Collections.Concurrent;
using StreamCore.Producing;
using StreamCore.Tests.Producing;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Breaking;

/// <summary>
/// Attacks on the producer's lifecycle under concurrency: DisposeAsync and FlushAsync racing AddAsync from many tasks,
/// and fail-fast back-pressure; every record is counted in the stream (de-aggregated, as the KCL reads it).
/// </summary>
public sealed class ProducerBreakingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Advances the fake clock while the test runs, so deadlines and retries happen (never waits on wall time for them).</summary>
    private static Task TickAsync(TestEngine t, CancellationToken stop) => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            t.Clock.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System);
        }
    }, CancellationToken.None);

    [Fact]
    public async Task DisposeAsync_racing_AddAsync_from_many_tasks_stores_every_accepted_record_once_and_none_refused()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 4);
        var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, MaxOutstandingRecords = 300 });
        using var stop = new CancellationTokenSource();
        Task ticker = TickAsync(t, stop.Token);
        const int Writers = 8;
        var outcomes = new ConcurrentBag<(string Data, Task<UserRecordResult> Result)>();
        using var started = new CountdownEvent(Writers);

        // Each writer adds until the producer refuses (it was disposed), so the adds really race the dispose.
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            started.Signal();
            for (int i = 0; i < 200_000; i++)
            {
                string data = $"{w}:{i}";
                Task<UserRecordResult> result;
                try
                {
                    result = producer.AddAsync("key" + (i % 16), StreamContents.Bytes(data)).AsTask();
                }
                catch (Exception ex)
                {
                    result = Task.FromException<UserRecordResult>(ex);
                }

                outcomes.Add((data, result));
                if (result.IsFaulted)
                {
                    return;
                }
            }
        }))];
        started.Wait(Patience);
        while (outcomes.Count < 1000)
        {
            await Task.Yield();
        }

        await producer.DisposeAsync().AsTask().WaitAsync(Patience);
        await Task.WhenAll(writers).WaitAsync(Patience);
        await Task.WhenAll(outcomes.Select(o => o.Result)).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Patience);
        await stop.CancelAsync();
        await ticker;

        var stored = new HashSet<string>(StringComparer.Ordinal);
        var refused = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string data, Task<UserRecordResult> result) in outcomes)
        {
            if (result.IsCompletedSuccessfully)
            {
                stored.Add(data);
            }
            else
            {
                Assert.IsType<ObjectDisposedException>(result.Exception!.InnerException);
                refused.Add(data);
            }
        }

        List<StoredUserRecord> contents = await StreamContents.ReadAllAsync(t, "s");
        Assert.Equal(outcomes.Count, stored.Count + refused.Count);
        Assert.Equal(stored.Count, contents.Count); // none twice
        Assert.Equal(stored.Order(), contents.Select(c => c.Data).Order());
        Assert.True(refused.Count >= Writers, "every writer was refused once the producer was disposed");
        Assert.Equal(0, producer.OutstandingRecordCount);
    }

    [Fact]
    public async Task FlushAsync_racing_AddAsync_finalises_every_record_added_before_it_was_called()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 3);
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, RecordMaxBufferedTime = TimeSpan.FromSeconds(10) });
        var addedTasks = new List<Task<UserRecordResult>>();
        const int Writers = 6;
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < 500; i++)
            {
                Task<UserRecordResult> result = producer.AddAsync("k" + (i % 10), StreamContents.Bytes($"{w}:{i}")).AsTask();
                lock (addedTasks)
                {
                    addedTasks.Add(result);
                }
            }
        }))];
        int flushes = 0;
        while (!writers.All(w => w.IsCompleted) || flushes < 3)
        {
            Task<UserRecordResult>[] before;
            lock (addedTasks)
            {
                before = [.. addedTasks];
            }

            await producer.FlushAsync().WaitAsync(Patience);
            flushes++;

            // The AsTask wrappers complete a moment after the record itself: wait for them, without the clock moving.
            await Task.WhenAll(before).WaitAsync(Patience);
        }

        await Task.WhenAll(writers);
        await producer.FlushAsync().WaitAsync(Patience);
        await Task.WhenAll(addedTasks).WaitAsync(Patience);
        List<StoredUserRecord> contents = await StreamContents.ReadAllAsync(t, "s");
        Assert.Equal(Writers * 500, contents.Count);
        Assert.Equal(Writers * 500, contents.Select(c => c.Data).Distinct().Count());
    }

    [Fact]
    public async Task Fail_fast_back_pressure_from_many_tasks_admits_exactly_the_bound_and_stores_exactly_what_it_admitted()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        await using var producer = new KinesisProducer(t.Client, "s", new KinesisProducerOptions { TimeProvider = t.Clock, MaxOutstandingRecords = 50, FullMode = ProducerFullMode.Fail });
        await StreamContents.RunAsync(t, producer.AddAsync("warm", StreamContents.Bytes("warm")).AsTask()); // the shard map is loaded
        var outcomes = new ConcurrentBag<(string Data, Task<UserRecordResult> Result)>();
        Task[] writers = [.. Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                string data = $"{w}:{i}";
                outcomes.Add((data, producer.AddAsync("k" + (i % 7), StreamContents.Bytes(data)).AsTask()));
            }
        }))];
        await Task.WhenAll(writers).WaitAsync(Patience);

        // The clock has not moved: nothing was sent, so exactly the bound was admitted and the rest refused at once.
        Assert.Equal(50, producer.OutstandingRecordCount);
        (string Data, Task<UserRecordResult> Result)[] refused = [.. outcomes.Where(o => o.Result.IsFaulted)];
        Assert.Equal(750, refused.Length);
        Assert.All(refused, o => Assert.IsType<ProducerBufferFullException>(o.Result.Exception!.InnerException));
        await StreamContents.RunAsync(t, Task.WhenAll(outcomes.Where(o => !o.Result.IsFaulted).Select(o => o.Result)));
        List<StoredUserRecord> contents = await StreamContents.ReadAllAsync(t, "s");
        Assert.Equal(outcomes.Where(o => !o.Result.IsFaulted).Select(o => o.Data).Append("warm").Order(), contents.Select(c => c.Data).Order());
    }
}
