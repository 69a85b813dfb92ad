using System.Text;
using StreamCore.Connectors;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Connectors;

/// <summary>
/// What every record source must do whatever it reads through: one test base, run over the event-bus face (zero-copy),
/// over the Kinesis client by polling and by enhanced fan-out, and through the remote client against the server.
/// </summary>
public abstract class RecordSourceContract
{
    private protected abstract Task<RecordSource> CreateSourceAsync(TestEngine t, string stream);

    /// <summary>Whether reads wait on the clock between calls (polling's idle time), so a test must move it along.</summary>
    protected virtual TimeSpan ClockStep => TimeSpan.FromMilliseconds(250);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> data) => Encoding.UTF8.GetString(data.Span);

    /// <summary>Runs <paramref name="read"/>, moving the fake clock along until it completes (idle times, heartbeats).</summary>
    private protected async Task<T> DriveAsync<T>(TestEngine t, Func<Task<T>> read)
    {
        Task<T> task = Task.Run(read);
        for (int i = 0; i < 4000 && !task.IsCompleted; i++)
        {
            await Task.WhenAny(task, Task.Delay(1));
            if (!task.IsCompleted)
            {
                t.Clock.Advance(ClockStep);
            }
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Reads until <paramref name="count"/> records (copied out) or the shard's end.</summary>
    private async Task<(List<(string Seq, string Key, string Data, DateTimeOffset Arrival)> Records, SourceBatch Last)> ReadAsync(TestEngine t, SourceShardReader reader, int count, int? maxBatch = null)
    {
        var records = new List<(string, string, string, DateTimeOffset)>();
        SourceBatch last = default;
        while (records.Count < count)
        {
            last = await DriveAsync(t, async () => await reader.ReadAsync(Timeout.InfiniteTimeSpan, CancellationToken.None));
            Assert.True(maxBatch is null || last.Count <= maxBatch, $"a batch of {last.Count} records, above the limit of {maxBatch}");
            foreach (SourceRecord r in last)
            {
                records.Add((r.SequenceNumberText, r.PartitionKey, Text(r.Data), r.ApproximateArrivalTimestamp));
            }

            if (last.IsShardEnd)
            {
                break;
            }
        }

        return (records, last);
    }

    private static async Task<List<AppendResult>> WriteAsync(DataStream stream, string prefix, int n)
    {
        await Task.Yield();
        return [.. Enumerable.Range(0, n).Select(i => stream.Append("key-" + i, Bytes(prefix + i)))];
    }

    [Fact]
    public async Task Lists_shards_with_parents_ranges_and_state_after_a_split_and_a_merge()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        RecordSource source = await CreateSourceAsync(t, "s");
        IReadOnlyList<SourceShard> before = await source.ListShardsAsync(CancellationToken.None);
        Assert.Equal(2, before.Count);
        Assert.All(before, s => Assert.True(s.IsOpen && s.ParentShardIds.Count == 0));
        Assert.Equal(UInt128.Zero, before[0].HashKeyRange.StartingHashKey);
        Assert.Equal(UInt128.MaxValue, before[1].HashKeyRange.EndingHashKey);

        stream.SplitShard(new ShardId(0), before[0].HashKeyRange.EndingHashKey / 2);
        stream.MergeShards(new ShardId(2), new ShardId(3));
        IReadOnlyList<SourceShard> after = await source.ListShardsAsync(CancellationToken.None);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004"], after.Select(s => s.ShardId.ToString()));
        Assert.Equal([false, true, false, false, true], after.Select(s => s.IsOpen));
        Assert.Equal([new ShardId(0)], after[2].ParentShardIds);
        Assert.Equal(new ShardId(2), after[4].ParentShardId);
        Assert.Equal(new ShardId(3), after[4].AdjacentParentShardId);
        Assert.Equal(before[0].HashKeyRange, after[4].HashKeyRange);
        Assert.Equal(stream.Shards.Select(s => s.StartingSequenceNumber), after.Select(s => s.StartingSequenceNumber));
    }

    [Fact]
    public async Task Reads_every_record_with_its_fields_in_order_within_the_batch_limit()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        List<AppendResult> written = await WriteAsync(stream, "r", 25);
        RecordSource source = await CreateSourceAsync(t, "s");
        await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 10, CancellationToken.None);
        Assert.Equal(new ShardId(0), reader.ShardId);
        var (records, _) = await ReadAsync(t, reader, 25, maxBatch: 10);
        Assert.Equal(written.Select(w => w.SequenceNumber.ToString()), records.Select(r => r.Seq));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => "key-" + i), records.Select(r => r.Key));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => "r" + i), records.Select(r => r.Data));
        Assert.All(records, r => Assert.Equal(TestEngine.Start, r.Arrival));
    }

    [Fact]
    public async Task Starts_at_each_of_the_five_positions()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        List<AppendResult> early = await WriteAsync(stream, "early", 3);
        t.Clock.Advance(TimeSpan.FromSeconds(10));
        DateTimeOffset middle = t.Clock.GetUtcNow();
        List<AppendResult> late = await WriteAsync(stream, "late", 3);
        RecordSource source = await CreateSourceAsync(t, "s");

        // Each reader opens 6 s after the last: a fan-out consumer may subscribe to a shard again only after 5 s.
        async Task<List<string>> From(ShardPosition position, int count)
        {
            t.Clock.Advance(TimeSpan.FromSeconds(6));
            await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(0), position, 100, CancellationToken.None);
            return [.. (await ReadAsync(t, reader, count)).Records.Select(r => r.Data)];
        }

        Assert.Equal(["early0", "early1", "early2", "late0", "late1", "late2"], await From(ShardPosition.TrimHorizon, 6));
        Assert.Equal(["early1", "early2", "late0"], (await From(ShardPosition.AtSequenceNumber(early[1].SequenceNumber), 3))[..3]);
        Assert.Equal(["early2", "late0"], (await From(ShardPosition.AfterSequenceNumber(early[1].SequenceNumber), 2))[..2]);
        Assert.Equal(["late0", "late1", "late2"], await From(ShardPosition.AtTimestamp(middle), 3));

        t.Clock.Advance(TimeSpan.FromSeconds(6));
        await using SourceShardReader latest = await source.OpenReaderAsync(new ShardId(0), ShardPosition.Latest, 100, CancellationToken.None);
        SourceBatch none = await DriveAsync(t, async () => await latest.ReadAsync(TimeSpan.FromSeconds(3), CancellationToken.None));
        Assert.Equal(0, none.Count);
        Assert.False(none.IsShardEnd);
        stream.Append("k", Bytes("after-latest"));
        Assert.Equal(["after-latest"], (await ReadAsync(t, latest, 1)).Records.Select(r => r.Data));
    }

    [Fact]
    public async Task A_waiting_read_wakes_for_a_new_record_and_a_cancelled_one_loses_nothing()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        RecordSource source = await CreateSourceAsync(t, "s");
        await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 100, CancellationToken.None);

        using (var cancel = new CancellationTokenSource())
        {
            Task<SourceBatch> cancelled = reader.ReadAsync(Timeout.InfiniteTimeSpan, cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Task<(List<(string Seq, string Key, string Data, DateTimeOffset Arrival)> Records, SourceBatch Last)> waiting = ReadAsync(t, reader, 2);
        stream.Append("k", Bytes("one"));
        stream.Append("k", Bytes("two"));
        Assert.Equal(["one", "two"], (await waiting.WaitAsync(TimeSpan.FromSeconds(60))).Records.Select(r => r.Data));
        Assert.Equal(0, (await DriveAsync(t, async () => await reader.ReadAsync(TimeSpan.FromSeconds(2), CancellationToken.None))).Count);
    }

    [Fact]
    public async Task A_split_shard_ends_with_its_two_children_and_a_merged_pair_with_one()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        await WriteAsync(stream, "before", 20);
        RecordSource source = await CreateSourceAsync(t, "s");
        await using SourceShardReader parent = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 5, CancellationToken.None);
        int firstBatch = (await ReadAsync(t, parent, 1, maxBatch: 5)).Records.Count;
        Assert.InRange(firstBatch, 1, 5);

        stream.SplitShard(new ShardId(0), stream.Shards[0].HashKeyRange.EndingHashKey / 2);
        var (rest, end) = await ReadAsync(t, parent, int.MaxValue);
        Assert.True(end.IsShardEnd);
        Assert.Equal([new ShardId(2), new ShardId(3)], end.ChildShards!.Select(c => c.ShardId));
        Assert.All(end.ChildShards!, c => Assert.Equal([new ShardId(0)], c.ParentShardIds));
        Assert.Equal(stream.Shards[2].HashKeyRange, end.ChildShards![0].HashKeyRange);
        int total = firstBatch + rest.Count;
        await using (SourceShardReader other = await source.OpenReaderAsync(new ShardId(1), ShardPosition.TrimHorizon, 100, CancellationToken.None))
        {
            SourceBatch batch = await DriveAsync(t, async () => await other.ReadAsync(Timeout.InfiniteTimeSpan, CancellationToken.None));
            Assert.Equal(20, total + batch.Count);
        }

        // Reading at the end again says the end again, with the same children.
        SourceBatch again = await DriveAsync(t, async () => await parent.ReadAsync(Timeout.InfiniteTimeSpan, CancellationToken.None));
        Assert.True(again.IsShardEnd);
        Assert.Equal(0, again.Count);
        Assert.Equal(2, again.ChildShards!.Count);

        stream.MergeShards(new ShardId(2), new ShardId(3));
        foreach (int merged in new[] { 2, 3 })
        {
            await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(merged), ShardPosition.TrimHorizon, 100, CancellationToken.None);
            SourceBatch last = (await ReadAsync(t, reader, int.MaxValue)).Last;
            SourceChildShard child = Assert.Single(last.ChildShards!);
            Assert.Equal(new ShardId(4), child.ShardId);
            Assert.Equal([new ShardId(2), new ShardId(3)], child.ParentShardIds);
        }
    }

    [Fact]
    public async Task A_deleted_stream_ends_the_reader_with_a_clear_error()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("doomed", 1);
        await WriteAsync(stream, "r", 3);
        RecordSource source = await CreateSourceAsync(t, "doomed");
        await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 100, CancellationToken.None);
        Assert.Equal(3, (await ReadAsync(t, reader, 3)).Records.Count);

        Task<SourceBatch> waiting = DriveAsync(t, async () => await reader.ReadAsync(Timeout.InfiniteTimeSpan, CancellationToken.None));
        await t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "doomed", EnforceConsumerDeletion = true });
        var gone = await Assert.ThrowsAsync<ResourceNotFoundException>(() => waiting);
        Assert.Contains("doomed", gone.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => source.ListShardsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Bad_shards_and_positions_are_refused_at_open()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        AppendResult onOther = stream.Append("x", Bytes("x"));
        RecordSource source = await CreateSourceAsync(t, "s");
        await Assert.ThrowsAsync<ResourceNotFoundException>(async () => await source.OpenReaderAsync(new ShardId(9), ShardPosition.TrimHorizon, 100, CancellationToken.None));
        ShardId wrong = new(1 - onOther.ShardId.Index);
        await Assert.ThrowsAsync<InvalidArgumentException>(async () => await source.OpenReaderAsync(wrong, ShardPosition.AtSequenceNumber(onOther.SequenceNumber), 100, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 10_001, CancellationToken.None));
    }
}

public sealed class DataStreamRecordSourceTests : RecordSourceContract
{
    private protected override Task<RecordSource> CreateSourceAsync(TestEngine t, string stream) =>
        Task.FromResult<RecordSource>(new DataStreamRecordSource(t.Engine.GetStream(stream)));

    [Fact]
    public async Task Batches_lend_the_stored_bytes_until_the_next_read()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        stream.Append("k", "first"u8);
        stream.Append("k", "second"u8);
        var source = new DataStreamRecordSource(stream);
        await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 1, CancellationToken.None);
        SourceBatch first = await reader.ReadAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal("first", Encoding.UTF8.GetString(first[0].Data.Span));
        SourceBatch second = await reader.ReadAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal("second", Encoding.UTF8.GetString(second[0].Data.Span));
        Assert.Throws<InvalidOperationException>(() => first[0].Data);
    }

    [Fact]
    public async Task A_disposed_engine_is_not_mistaken_for_a_shard_end()
    {
        var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        var source = new DataStreamRecordSource(stream);
        await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 10, CancellationToken.None);
        Task<SourceBatch> waiting = reader.ReadAsync(Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        t.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}

public sealed class PollingRecordSourceTests : RecordSourceContract
{
    private protected override Task<RecordSource> CreateSourceAsync(TestEngine t, string stream) =>
        Task.FromResult<RecordSource>(new KinesisClientRecordSource(t.Client, stream, new KinesisClientSourceOptions { TimeProvider = t.Clock }));

    [Fact]
    public async Task A_caught_up_reader_waits_the_idle_time_before_calling_again()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        var source = new KinesisClientRecordSource(t.Client, "s", new KinesisClientSourceOptions { TimeProvider = t.Clock });
        await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 100, CancellationToken.None);
        Assert.Equal(0, (await reader.ReadAsync(TimeSpan.Zero, CancellationToken.None)).Count);
        stream.Append("k", "x"u8);
        Task<SourceBatch> next = reader.ReadAsync(Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        t.Clock.Advance(TimeSpan.FromMilliseconds(1499));
        Assert.False(next.IsCompleted); // a record is there: an early call would have returned it
        t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, (await next.WaitAsync(TimeSpan.FromSeconds(30))).Count);

        // Behind the tip (more than a batch waiting), the next call follows at once.
        for (int i = 0; i < 5; i++)
        {
            stream.Append("k", "y"u8);
        }

        t.Clock.Advance(TimeSpan.FromSeconds(2));
        await using SourceShardReader small = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 2, CancellationToken.None);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await small.ReadAsync(TimeSpan.Zero, CancellationToken.None)).Count);
        Assert.Equal(2, (await small.ReadAsync(TimeSpan.Zero, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Throttled_reads_back_off_and_an_expired_iterator_is_replaced_after_the_last_record()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        var source = new KinesisClientRecordSource(t.Client, "s", new KinesisClientSourceOptions { TimeProvider = t.Clock });
        stream.Append("k", "one"u8);
        await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 100, CancellationToken.None);
        Assert.Equal(["one"], (await reader.ReadAsync(TimeSpan.Zero, CancellationToken.None)).Records());

        stream.Append("k", "two"u8);
        t.Clock.Advance(TimeSpan.FromSeconds(2));
        t.Engine.Faults.Add(new FaultRule { Operation = "GetRecords", Count = 2, Error = () => new ProvisionedThroughputExceededException("Rate exceeded for Shard - shardId-000000000000 in stream s under account 000000000000.") });
        DateTimeOffset started = t.Clock.GetUtcNow();
        Task<SourceBatch> throttled = reader.ReadAsync(Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        while (!throttled.IsCompleted)
        {
            await Task.WhenAny(throttled, Task.Delay(1));
            if (!throttled.IsCompleted)
            {
                t.Clock.Advance(TimeSpan.FromMilliseconds(50));
            }
        }

        Assert.Equal(["two"], (await throttled).Records());
        TimeSpan waited = t.Clock.GetUtcNow() - started;
        Assert.True(waited >= TimeSpan.FromMilliseconds(1500) && waited < TimeSpan.FromSeconds(3), $"backed off {waited} (500 ms, then 1 s)");

        stream.Append("k", "three"u8);
        t.Clock.Advance(TimeSpan.FromMinutes(6)); // the iterator expires
        SourceBatch after = await reader.ReadAsync(Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["three"], after.Records());
    }
}

public sealed class FanOutRecordSourceTests : RecordSourceContract
{
    private protected override async Task<RecordSource> CreateSourceAsync(TestEngine t, string stream)
    {
        string arn = t.Engine.GetStream(stream).Arn;
        RegisterStreamConsumerResponse consumer = await t.Client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = arn, ConsumerName = "contract" });
        var source = new KinesisClientRecordSource(t.Client, stream, new KinesisClientSourceOptions { ConsumerArn = consumer.Consumer!.ConsumerARN, TimeProvider = t.Clock });
        await source.ValidateAsync(CancellationToken.None);
        return source;
    }

    [Fact]
    public async Task Resubscribes_from_the_continuation_when_a_subscription_ends_after_five_minutes()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        RecordSource source = await CreateSourceAsync(t, "s");
        await using SourceShardReader reader = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 100, CancellationToken.None);
        var seen = new List<string>();
        for (int minute = 0; minute < 12; minute++)
        {
            stream.Append("k", Encoding.UTF8.GetBytes("m" + minute));
            while (seen.Count <= minute)
            {
                SourceBatch batch = await reader.ReadAsync(TimeSpan.FromSeconds(1), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                seen.AddRange(batch.Records());
                if (batch.Count == 0)
                {
                    t.Clock.Advance(TimeSpan.FromSeconds(1));
                }
            }

            t.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(i => "m" + i), seen);
    }

    [Fact]
    public async Task A_reader_reopened_within_five_seconds_waits_for_its_subscription_and_reads_everything()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        stream.Append("k", "a"u8);
        stream.Append("k", "b"u8);
        RecordSource source = await CreateSourceAsync(t, "s");
        await using (SourceShardReader first = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 100, CancellationToken.None))
        {
            Assert.Equal(["a", "b"], (await first.ReadAsync(TimeSpan.FromSeconds(1), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Records());
        }

        await using SourceShardReader second = await source.OpenReaderAsync(new ShardId(0), ShardPosition.TrimHorizon, 100, CancellationToken.None);
        SourceBatch refused = await second.ReadAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(0, refused.Count); // Kinesis refuses the second subscription for 5 s
        var seen = new List<string>();
        DateTimeOffset reopened = t.Clock.GetUtcNow();
        for (int i = 0; i < 100 && seen.Count < 2; i++)
        {
            seen.AddRange((await DriveAsync(t, async () => await second.ReadAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None))).Records());
        }

        Assert.True(t.Clock.GetUtcNow() - reopened >= TimeSpan.FromSeconds(4), "the subscription waited for Kinesis's 5 seconds");

        Assert.Equal(["a", "b"], seen);
    }

    [Fact]
    public async Task An_unknown_consumer_or_one_of_another_stream_fails_validation_with_a_clear_error()
    {
        using var t = new TestEngine();
        t.Engine.CreateStream("s", 1);
        DataStream other = t.Engine.CreateStream("other", 1);
        string unknown = t.Engine.GetStream("s").Arn + "/consumer/nobody:1";
        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => new KinesisClientRecordSource(t.Client, "s", new KinesisClientSourceOptions { ConsumerArn = unknown, TimeProvider = t.Clock }).ValidateAsync(CancellationToken.None));
        Assert.Contains(unknown, missing.Message, StringComparison.Ordinal);
        string foreign = (await t.Client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = other.Arn, ConsumerName = "c" })).Consumer!.ConsumerARN!;
        var mismatch = await Assert.ThrowsAsync<InvalidArgumentException>(() => new KinesisClientRecordSource(t.Client, "s", new KinesisClientSourceOptions { ConsumerArn = foreign, TimeProvider = t.Clock }).ValidateAsync(CancellationToken.None));
        Assert.Contains("not on", mismatch.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => new KinesisClientRecordSource(t.Client, "absent", new KinesisClientSourceOptions { TimeProvider = t.Clock }).ValidateAsync(CancellationToken.None));
    }
}

/// <summary>The same contract by polling through the remote client (JSON 1.1 over HTTP) against the StreamCore server over the test's engine.</summary>
public sealed class RemotePollingRecordSourceTests : RecordSourceContract, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly List<IDisposable> _clients = [];

    private protected override async Task<RecordSource> CreateSourceAsync(TestEngine t, string stream)
    {
        StreamCore.Server.KinesisEndpoint endpoint = await StreamCore.Server.KinesisEndpoint.StartAsync(t.Engine);
        var client = new StreamCore.Aws.Kinesis.RemoteKinesisClient(new StreamCore.Aws.Kinesis.RemoteKinesisClientOptions
        {
            ServiceUrl = endpoint.Url,
            Region = "us-east-1",
            Credentials = new Amazon.Runtime.BasicAWSCredentials("AKIDSOURCETEST", "source-test-secret"),
        });
        _servers.Add(endpoint);
        _clients.Add(client);
        return new KinesisClientRecordSource(client, stream, new KinesisClientSourceOptions { TimeProvider = t.Clock });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IDisposable client in _clients)
        {
            client.Dispose();
        }

        foreach (IAsyncDisposable server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}

internal static class SourceBatchTestExtensions
{
    public static List<string> Records(this SourceBatch batch) => [.. Enumerable.Range(0, batch.Count).Select(i => Encoding.UTF8.GetString(batch[i].Data.Span))];
}

