using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Kinesis;

public class ShardIteratorTests
{
    private const string Shard0 = "shardId-000000000000";

    private static async Task<TestEngine> WithRecordsAsync(int count)
    {
        var t = new TestEngine();
        await t.CreateAsync("s", 1);
        for (int i = 0; i < count; i++)
        {
            await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("r" + i) });
            t.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        return t;
    }

    private static async Task<string> SequenceOfAsync(TestEngine t, int index)
    {
        GetRecordsResponse r = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await t.IteratorAsync("s", Shard0, ShardIteratorType.TRIM_HORIZON) });
        return r.Records[index].SequenceNumber!;
    }

    [Fact]
    public async Task Iterator_types_start_where_Kinesis_starts()
    {
        using TestEngine t = await WithRecordsAsync(5);
        string third = await SequenceOfAsync(t, 2);
        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], await t.DrainAsync(await t.IteratorAsync("s", Shard0, ShardIteratorType.TRIM_HORIZON)));
        Assert.Equal(["r2", "r3", "r4"], await t.DrainAsync(await t.IteratorAsync("s", Shard0, ShardIteratorType.AT_SEQUENCE_NUMBER, third)));
        Assert.Equal(["r3", "r4"], await t.DrainAsync(await t.IteratorAsync("s", Shard0, ShardIteratorType.AFTER_SEQUENCE_NUMBER, third)));
        Assert.Equal(["r2", "r3", "r4"], await t.DrainAsync(await t.IteratorAsync("s", Shard0, ShardIteratorType.AT_TIMESTAMP, timestamp: TestEngine.Start.UtcDateTime.AddMilliseconds(1500))));
        Assert.Equal(["r0", "r1", "r2", "r3", "r4"], await t.DrainAsync(await t.IteratorAsync("s", Shard0, ShardIteratorType.AT_TIMESTAMP, timestamp: TestEngine.Start.UtcDateTime.AddDays(-3))));
        Assert.Empty(await t.DrainAsync(await t.IteratorAsync("s", Shard0, ShardIteratorType.LATEST)));
    }

    [Fact]
    public async Task The_shard_starting_sequence_number_is_accepted_even_with_no_records()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        ListShardsResponse shards = await t.Client.ListShardsAsync(new ListShardsRequest { StreamName = "s" });
        string start = shards.Shards[0].SequenceNumberRange!.StartingSequenceNumber!;
        string iterator = await t.IteratorAsync("s", Shard0, ShardIteratorType.AT_SEQUENCE_NUMBER, start);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("first") });
        Assert.Equal(["first"], await t.DrainAsync(iterator));
        Assert.True(SequenceNumber.Parse(start) < SequenceNumber.Parse(await SequenceOfAsync(t, 0)));
    }

    [Fact]
    public async Task LATEST_is_fixed_when_the_iterator_is_created()
    {
        using TestEngine t = await WithRecordsAsync(2);
        string latest = await t.IteratorAsync("s", Shard0, ShardIteratorType.LATEST);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("later-1") });
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("later-2") });
        Assert.Equal(["later-1", "later-2"], await t.DrainAsync(latest));
    }

    [Fact]
    public async Task AT_TIMESTAMP_after_the_newest_record_returns_nothing_now_and_later_records_later()
    {
        using TestEngine t = await WithRecordsAsync(2);
        string iterator = await t.IteratorAsync("s", Shard0, ShardIteratorType.AT_TIMESTAMP, timestamp: t.Clock.GetUtcNow().UtcDateTime);
        GetRecordsResponse empty = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
        Assert.Empty(empty.Records);
        Assert.NotNull(empty.NextShardIterator);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("new") });
        Assert.Equal(["new"], await t.DrainAsync(empty.NextShardIterator!));
    }

    [Fact]
    public async Task Argument_mismatches_use_AWS_texts()
    {
        using TestEngine t = await WithRecordsAsync(1);
        string seq = await SequenceOfAsync(t, 0);
        var noSeq = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.IteratorAsync("s", Shard0, ShardIteratorType.AT_SEQUENCE_NUMBER));
        Assert.Equal("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.", noSeq.Message);
        var extraSeq = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.IteratorAsync("s", Shard0, ShardIteratorType.LATEST, seq));
        Assert.EndsWith("Request specified LATEST and also a StartingSequenceNumber.", extraSeq.Message);
        var noTime = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.IteratorAsync("s", Shard0, ShardIteratorType.AT_TIMESTAMP));
        Assert.Equal("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.", noTime.Message);
        DateTime future = t.Clock.GetUtcNow().UtcDateTime.AddSeconds(1);
        var futureTime = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.IteratorAsync("s", Shard0, ShardIteratorType.AT_TIMESTAMP, timestamp: future));
        Assert.StartsWith("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ", futureTime.Message);
        await Assert.ThrowsAsync<ValidationException>(() => t.IteratorAsync("s", Shard0, new ShardIteratorType("SOMEWHERE")));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.IteratorAsync("s", Shard0, ShardIteratorType.AT_SEQUENCE_NUMBER, "123456"));
    }

    [Fact]
    public async Task A_sequence_number_names_its_shard_and_stream()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        PutRecordResponse put = await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "a", ExplicitHashKey = "0", Data = TestEngine.Bytes("x") });
        var wrongShard = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.IteratorAsync("s", "shardId-000000000001", ShardIteratorType.AT_SEQUENCE_NUMBER, put.SequenceNumber));
        Assert.Equal("Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in a call to a shard with shardId-000000000001", wrongShard.Message);

        t.Clock.Advance(TimeSpan.FromSeconds(5));
        await t.CreateAsync("other", 1);
        var wrongStream = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.IteratorAsync("other", Shard0, ShardIteratorType.AT_SEQUENCE_NUMBER, put.SequenceNumber));
        Assert.Equal($"StartingSequenceNumber {put.SequenceNumber} used in GetShardIterator on shard shardId-000000000000 in stream other under account 000000000000 is invalid because it did not come from this stream.", wrongStream.Message);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("shardId-5")]
    [InlineData("x-000000000005")]
    public async Task Shard_ids_are_parsed_leniently_and_missing_ones_are_ResourceNotFound(string shardId)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 6);
        Assert.NotNull(await t.IteratorAsync("s", shardId, ShardIteratorType.TRIM_HORIZON));
        var missing = await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.IteratorAsync("s", "shardId-000000000006", ShardIteratorType.TRIM_HORIZON));
        Assert.Equal("Shard shardId-000000000006 in stream s under account 000000000000 does not exist", missing.Message);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.IteratorAsync("s", "shardId-abc", ShardIteratorType.TRIM_HORIZON));
    }

    [Fact]
    public async Task Iterators_expire_after_five_minutes_and_are_reusable_until_then()
    {
        using TestEngine t = await WithRecordsAsync(3);
        string iterator = await t.IteratorAsync("s", Shard0, ShardIteratorType.TRIM_HORIZON);
        Assert.StartsWith("AAAAAAAAAA", iterator);
        Assert.True(iterator.Length <= 512);
        t.Clock.Advance(TimeSpan.FromMilliseconds(300_000));
        Assert.Equal(["r0", "r1", "r2"], await t.DrainAsync(iterator));
        Assert.Equal(["r0", "r1", "r2"], await t.DrainAsync(iterator)); // positional and stateless
        t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var ex = await Assert.ThrowsAsync<ExpiredIteratorException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }));
        Assert.Equal("Iterator expired. The iterator was created at time Sun Mar 01 12:00:03 UTC 2026 while right now it is Sun Mar 01 12:05:03 UTC 2026 which is further in the future than the tolerated delay of 300000 milliseconds.", ex.Message);
    }

    [Fact]
    public async Task Tampered_or_foreign_iterators_are_invalid()
    {
        using TestEngine t = await WithRecordsAsync(1);
        string iterator = await t.IteratorAsync("s", Shard0, ShardIteratorType.TRIM_HORIZON);
        char[] chars = iterator.ToCharArray();
        chars[20] = chars[20] == 'A' ? 'B' : 'A';
        var ex = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = new string(chars) }));
        Assert.Equal("Invalid ShardIterator.", ex.Message);
        using var other = new TestEngine();
        await other.CreateAsync("s", 1);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => other.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }));
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = 10_001 }));
    }

    [Fact]
    public async Task GetRecords_honours_Limit_and_reports_how_far_behind_the_reader_is()
    {
        using TestEngine t = await WithRecordsAsync(5);
        GetRecordsResponse first = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await t.IteratorAsync("s", Shard0, ShardIteratorType.TRIM_HORIZON), Limit = 2 });
        Assert.Equal(["r0", "r1"], first.Records.Select(r => TestEngine.Text(r.Data)));
        Assert.Equal(3_000, first.MillisBehindLatest); // r2 arrived at +2 s; now is +5 s
        Assert.Equal(TestEngine.Start.UtcDateTime, first.Records[0].ApproximateArrivalTimestamp);
        Assert.Equal("k", first.Records[0].PartitionKey);
        Assert.Empty(first.ChildShards);
        GetRecordsResponse rest = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = first.NextShardIterator });
        Assert.Equal(["r2", "r3", "r4"], rest.Records.Select(r => TestEngine.Text(r.Data)));
        Assert.Equal(0, rest.MillisBehindLatest);
        Assert.NotNull(rest.NextShardIterator);
        Assert.False(rest.Records[0].Data!.CanWrite);
    }

    [Fact]
    public async Task GetRecords_returns_everything_available_on_the_first_call_across_storage_segments()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        for (int i = 0; i < 30; i++)
        {
            await t.Client.PutRecordsAsync(new PutRecordsRequest
            {
                StreamName = "s",
                Records = [.. Enumerable.Range(0, 500).Select(j => new PutRecordsRequestEntry { PartitionKey = "k", Data = TestEngine.Bytes("x") })],
            });
        }

        GetRecordsResponse r = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await t.IteratorAsync("s", Shard0, ShardIteratorType.TRIM_HORIZON) });
        Assert.Equal(10_000, r.Records.Count);
        Assert.True(r.MillisBehindLatest >= 0);
    }

    [Fact]
    public async Task GetRecords_stops_at_10_MiB()
    {
        using var t = new TestEngine(o => o.SegmentArenaBytes = 8 * 1024 * 1024);
        await t.CreateAsync("s", 1);
        for (int i = 0; i < 12; i++)
        {
            await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new MemoryStream(new byte[1_000_000]) });
        }

        GetRecordsResponse r = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await t.IteratorAsync("s", Shard0, ShardIteratorType.TRIM_HORIZON) });
        Assert.Equal(10, r.Records.Count);
        Assert.Equal(2, (await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = r.NextShardIterator })).Records.Count);
    }
}
