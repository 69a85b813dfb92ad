using System.Text;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Reading;

public class ShardReaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReadAllAsync_yields_records_appended_while_it_waits()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        ShardReader reader = stream.OpenReader(new ShardId(0), ShardPosition.Latest);
        Task<List<string>> reading = Task.Run(async () =>
        {
            var seen = new List<string>();
            await foreach (RecordBatch batch in reader.ReadAllAsync(TestContext.Current.CancellationToken))
            {
                foreach (StreamRecord r in batch)
                {
                    seen.Add(Encoding.UTF8.GetString(r.Data.Span));
                }

                if (seen.Count == 3)
                {
                    return seen;
                }
            }

            return seen;
        });

        stream.Append("k", "a"u8);
        stream.Append("k", "b"u8);
        stream.Append("k", "c"u8);
        Assert.Equal(["a", "b", "c"], await reading.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_cancelled_read_ends_with_OperationCanceledException()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        using var cts = new CancellationTokenSource();
        Task reading = Task.Run(async () =>
        {
            await foreach (RecordBatch batch in stream.ReadAsync(new ShardId(0), ShardPosition.TrimHorizon, cts.Token))
            {
                _ = batch;
            }
        });
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading.WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Deleting_the_stream_or_disposing_the_engine_ends_reads_after_the_last_record()
    {
        var t = new TestEngine();
        DataStream a = t.Engine.CreateStream("a", 1);
        DataStream b = t.Engine.CreateStream("b", 1);
        a.Append("k", "last"u8);
        ShardReader readerA = a.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        ShardReader readerB = b.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        Assert.True(readerA.TryRead(out RecordBatch batch));
        Assert.Equal(1, batch.Count);
        ValueTask<bool> waitA = readerA.WaitToReadAsync(TestContext.Current.CancellationToken);
        ValueTask<bool> waitB = readerB.WaitToReadAsync(TestContext.Current.CancellationToken);

        t.Engine.DeleteStream("a");
        Assert.False(await waitA.AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Equal("last", Encoding.UTF8.GetString(batch[0].Data.Span)); // the held batch stays valid until the reader moves on
        t.Dispose();
        Assert.False(await waitB.AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Task.Run(() => t.Engine.CreateStream("c", 1)));
    }

    [Fact]
    public void Batches_expose_sequence_numbers_keys_and_arrival_times()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        AppendResult first = stream.Append("key-1", "one"u8);
        t.Clock.Advance(TimeSpan.FromSeconds(2));
        AppendResult second = stream.Append("key-2", "two"u8);
        Assert.True(stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon).TryRead(out RecordBatch batch));
        Assert.Equal(2, batch.Count);
        Assert.Equal(new ShardId(0), batch.ShardId);
        Assert.Equal(first.SequenceNumber, batch[0].SequenceNumber);
        Assert.Equal(second.SequenceNumber, batch.LastSequenceNumber);
        Assert.Equal("key-2", batch[1].PartitionKey);
        Assert.Equal(TestEngine.Start.AddSeconds(2), batch[1].ApproximateArrivalTimestamp);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch[2]);
    }

    [Fact]
    public void Opening_a_reader_checks_the_shard_and_the_position()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        AppendResult onShard0 = stream.Append("a", 0, "x"u8);
        Assert.Throws<ResourceNotFoundException>(() => stream.OpenReader(new ShardId(2), ShardPosition.TrimHorizon));
        Assert.Throws<InvalidArgumentException>(() => stream.OpenReader(new ShardId(1), ShardPosition.AtSequenceNumber(onShard0.SequenceNumber)));
        Assert.Throws<InvalidArgumentException>(() => stream.OpenReader(new ShardId(0), ShardPosition.AtTimestamp(TestEngine.Start.AddMinutes(1))));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon, maxBatchRecords: 0));
    }

    [Fact]
    public void Engines_share_nothing()
    {
        using var one = new TestEngine();
        using var two = new TestEngine();
        one.Engine.CreateStream("s", 1).Append("k", "only in one"u8);
        two.Engine.CreateStream("s", 3);
        Assert.Single(one.Engine.GetStream("s").Shards);
        Assert.Equal(3, two.Engine.GetStream("s").Shards.Count);
        Assert.False(two.Engine.GetStream("s").OpenReader(new ShardId(0), ShardPosition.TrimHorizon).TryRead(out _));
    }

    [Fact]
    public void Append_and_batch_reads_allocate_nothing_per_record_in_steady_state()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        byte[] payload = new byte[100];
        for (int i = 0; i < 10; i++)
        {
            stream.Append("k", 0, payload); // warm up: the first storage segment is allocated here
        }

        ShardReader reader = stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            stream.Append("k", 0, payload);
        }

        long afterAppend = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        while (reader.TryRead(out RecordBatch batch))
        {
            foreach (StreamRecord record in batch)
            {
                sum += record.Data.Length + record.PartitionKeyUtf8.Length;
            }
        }

        long afterRead = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(210 * 101, sum);
        Assert.Equal(0, afterAppend - before);
        Assert.Equal(0, afterRead - afterAppend);
    }
}
