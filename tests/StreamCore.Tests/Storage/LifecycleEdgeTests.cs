using System.Text;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Storage;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Storage;

/// <summary>
/// The lifecycle edges of issue 9 through the public API: delete while reading, expire while holding a batch, reshard
/// while writing, the memory cap under both policies with readers holding batches. Every record is counted.
/// </summary>
public class LifecycleEdgeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static TestEngine SmallSegments(long? cap = null, MemoryLimitPolicy policy = MemoryLimitPolicy.RejectWrites) => new(o =>
    {
        o.SegmentRecordCapacity = 256;
        o.SegmentArenaBytes = 32 * 1024;
        o.MaxRetainedBytes = cap;
        o.MemoryLimitPolicy = policy;
    });

    private static string Text(StreamRecord record) => Encoding.UTF8.GetString(record.Data.Span);

    private static void Fill(DataStream stream, string prefix, int count, int from = 0)
    {
        for (int i = from; i < from + count; i++)
        {
            stream.Append("k", Encoding.UTF8.GetBytes(prefix + i));
        }
    }

    [Fact]
    public async Task Delete_while_reading_ends_the_read_with_the_streams_own_records_in_order()
    {
        using TestEngine t = SmallSegments();
        DataStream a = t.Engine.CreateStream("a", 1);
        ShardReader reader = a.OpenReader(new ShardId(0), ShardPosition.TrimHorizon, maxBatchRecords: 50);
        CancellationToken token = TestContext.Current.CancellationToken;
        Task<List<string>> reading = Task.Run(
            async () =>
            {
                var seen = new List<string>();
                await foreach (RecordBatch batch in reader.ReadAllAsync(token))
                {
                    foreach (StreamRecord record in batch)
                    {
                        seen.Add(Text(record));
                    }
                }

                return seen;
            },
            token);

        Fill(a, "a", 3_000);
        t.Engine.DeleteStream("a");
        DataStream b = t.Engine.CreateStream("b", 1);
        Fill(b, "b", 3_000);

        List<string> read = await reading.WaitAsync(Timeout, token);
        Assert.Equal(Enumerable.Range(0, read.Count).Select(i => "a" + i), read); // a prefix of a's records, nothing else
        Assert.True(reader.IsAtShardEnd);
        reader.Dispose();
    }

    [Fact]
    public async Task Delete_ends_a_stream_follower_and_a_push_subscription()
    {
        using TestEngine t = SmallSegments();
        CancellationToken token = TestContext.Current.CancellationToken;
        DataStream a = t.Engine.CreateStream("a", 2);
        Fill(a, "a", 500);
        string consumerArn = (await t.Client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = a.Arn, ConsumerName = "c" }, token)).Consumer!.ConsumerARN!;
        SubscribeToShardResponse subscription = await t.Client.SubscribeToShardAsync(
            new SubscribeToShardRequest { ConsumerARN = consumerArn, ShardId = "shardId-000000000000", StartingPosition = new StartingPosition { Type = ShardIteratorType.TRIM_HORIZON } },
            token);

        var firstBatch = new TaskCompletionSource();
        Task<List<string>> following = Task.Run(
            async () =>
            {
                var seen = new List<string>();
                await foreach (RecordBatch batch in a.ReadStreamAsync(ShardPosition.TrimHorizon, token))
                {
                    foreach (StreamRecord record in batch)
                    {
                        seen.Add(Text(record));
                    }

                    firstBatch.TrySetResult();
                }

                return seen;
            },
            token);
        Task<List<string>> pushed = Task.Run(
            async () =>
            {
                var seen = new List<string>();
                try
                {
                    await foreach (SubscribeToShardEvent e in subscription.EventStream!.WithCancellation(token))
                    {
                        seen.AddRange(e.Records.Select(r => TestEngine.Text(r.Data)));
                    }
                }
                catch (ResourceNotFoundException)
                {
                    // the consumer went with the stream: the subscription ends with its error
                }

                return seen;
            },
            token);

        await firstBatch.Task.WaitAsync(Timeout, token);
        await t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "a", EnforceConsumerDeletion = true }, token);
        DataStream b = t.Engine.CreateStream("b", 2);
        Fill(b, "b", 3_000);

        List<string> followed = await following.WaitAsync(Timeout, token);
        List<string> delivered = await pushed.WaitAsync(Timeout, token);
        Assert.All(followed, r => Assert.StartsWith("a", r, StringComparison.Ordinal));
        Assert.All(delivered, r => Assert.StartsWith("a", r, StringComparison.Ordinal));
        Assert.Equal(followed.Count, followed.Distinct().Count());
    }

    [Fact]
    public void Expire_while_holding_a_batch_keeps_the_batch_then_the_reader_ends_its_expired_records()
    {
        using TestEngine t = SmallSegments();
        DataStream a = t.Engine.CreateStream("a", 1);
        Fill(a, "a", 600);
        using ShardReader reader = a.OpenReader(new ShardId(0), ShardPosition.TrimHorizon, maxBatchRecords: 100);
        Assert.True(reader.TryRead(out RecordBatch held));

        t.Clock.Advance(TimeSpan.FromHours(25)); // every record expires; the sweep trims what it can
        t.Clock.Advance(TimeSpan.FromMinutes(1));
        DataStream b = t.Engine.CreateStream("b", 1);
        Fill(b, "b", 5_000); // takes whatever storage was recycled

        Assert.Equal(Enumerable.Range(0, 100).Select(i => "a" + i), held.ToArray().Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.False(reader.TryRead(out _)); // the rest expired
        Assert.Throws<InvalidOperationException>(() => held[0]);
        Assert.True(t.Engine.Budget.LimboBytes > 0); // given back lazily, by the next trim: reads take no lock
        t.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, t.Engine.Budget.LimboBytes);
    }

    [Fact]
    public async Task A_reader_of_a_closed_shard_that_expired_ends()
    {
        using TestEngine t = SmallSegments();
        DataStream a = t.Engine.CreateStream("a", 1);
        Fill(a, "a", 600);
        using ShardReader parent = a.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        a.SplitShard(new ShardId(0), UInt128.MaxValue / 2);
        t.Clock.Advance(TimeSpan.FromHours(25));
        t.Clock.Advance(TimeSpan.FromMinutes(1)); // the parent is released by the sweep

        Assert.False(parent.TryRead(out _));
        Assert.False(await parent.WaitToReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.True(parent.IsAtShardEnd);
    }

    [Fact]
    public async Task Reshard_while_writing_loses_and_duplicates_nothing()
    {
        using TestEngine t = SmallSegments();
        CancellationToken token = TestContext.Current.CancellationToken;
        DataStream s = t.Engine.CreateStream("s", 2);
        const int Keys = 40, PerKey = 500;
        Task writing = Task.Run(
            () =>
            {
                for (int i = 0; i < PerKey; i++)
                {
                    for (int k = 0; k < Keys; k++)
                    {
                        s.Append("key" + k, Encoding.UTF8.GetBytes($"{k}:{i}"));
                    }
                }
            },
            token);
        s.UpdateShardCount(4);
        s.UpdateShardCount(2);
        s.SplitShard(s.Shards.First(x => x.IsOpen).ShardId, (UInt128.MaxValue / 4) + 12345);
        await writing.WaitAsync(Timeout, token);

        var next = new int[Keys];
        int total = 0;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(token);
        await foreach (RecordBatch batch in s.ReadStreamAsync(ShardPosition.TrimHorizon, done.Token))
        {
            foreach (StreamRecord record in batch)
            {
                string[] parts = Text(record).Split(':');
                int k = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(next[k]++, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)); // each key in order, once
                total++;
            }

            if (total == Keys * PerKey)
            {
                break;
            }
        }

        Assert.Equal(Keys * PerKey, total);
    }

    [Fact]
    public void RejectWrites_cap_with_a_reader_holding_a_batch_keeps_it_and_writes_resume_after_retention()
    {
        long cap = 256 * 1024;
        using TestEngine t = SmallSegments(cap, MemoryLimitPolicy.RejectWrites);
        DataStream a = t.Engine.CreateStream("a", 1);
        int written = 0;
        void FillToTheCap()
        {
            while (true)
            {
                a.Append("k", Encoding.UTF8.GetBytes("a" + written));
                written++;
            }
        }

        Assert.Throws<ProvisionedThroughputExceededException>(FillToTheCap);
        using ShardReader reader = a.OpenReader(new ShardId(0), ShardPosition.TrimHorizon, maxBatchRecords: 100);
        Assert.True(reader.TryRead(out RecordBatch held));
        Assert.True(t.Engine.RetainedBytes <= cap);

        t.Clock.Advance(TimeSpan.FromHours(25));
        t.Clock.Advance(TimeSpan.FromMinutes(1)); // retention frees everything but the tail and the held segment
        DataStream b = t.Engine.CreateStream("b", 1);
        Fill(b, "b", 1_000);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => "a" + i), held.ToArray().Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.True(t.Engine.RetainedBytes - t.Engine.Budget.LimboBytes + t.Engine.Budget.PooledBytes <= cap);
        Assert.True(written > 1_000);
    }

    [Fact]
    public void TrimOldest_cap_with_a_reader_holding_a_batch_keeps_it_and_the_reader_resumes_at_the_trim_horizon()
    {
        long cap = 256 * 1024;
        using TestEngine t = SmallSegments(cap, MemoryLimitPolicy.TrimOldest);
        DataStream a = t.Engine.CreateStream("a", 1);
        Fill(a, "a", 600);
        ShardReader reader = a.OpenReader(new ShardId(0), ShardPosition.TrimHorizon, maxBatchRecords: 100);
        Assert.True(reader.TryRead(out RecordBatch held));

        t.Clock.Advance(TimeSpan.FromSeconds(1));
        DataStream b = t.Engine.CreateStream("b", 1);
        Fill(b, "b", 20_000); // the cap trims a's oldest segments, the held one included
        Assert.Equal(Enumerable.Range(0, 100).Select(i => "a" + i), held.ToArray().Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.True(t.Engine.Budget.LimboBytes > 0, "the held segment waits in limbo");
        Assert.True(t.Engine.RetainedBytes - t.Engine.Budget.LimboBytes + t.Engine.Budget.PooledBytes <= cap);

        Assert.True(reader.TryRead(out RecordBatch next));
        StreamRecord first = next[0];
        Assert.Equal("a" + (first.SequenceNumber.SequenceIndex - 1), Text(first)); // the trim horizon, not stale bytes
        reader.Dispose();
        Assert.Equal(0, t.Engine.Budget.LimboBytes);
    }
}
