using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Kinesis;

public class PutRecordTests
{
    [Theory]
    [InlineData("user-123", "shardId-000000000002")] // MD5 = 250018372642977770877286195909578633128: third quarter
    [InlineData("a", "shardId-000000000000")] // 16955237001963240173058271559858726497: first quarter
    [InlineData("key1", "shardId-000000000003")] // 258772850759514212175119384033924506317: last quarter
    public async Task Routes_by_MD5_of_the_partition_key(string key, string shard)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 4);
        PutRecordResponse r = await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = key, Data = TestEngine.Bytes("x") });
        Assert.Equal(shard, r.ShardId);
        Assert.Equal(EncryptionType.NONE, r.EncryptionType);
        Assert.Equal(56, r.SequenceNumber!.Length);
    }

    [Theory]
    [InlineData("0", "shardId-000000000000")]
    [InlineData("170141183460469231731687303715884105727", "shardId-000000000000")]
    [InlineData("170141183460469231731687303715884105728", "shardId-000000000001")]
    [InlineData("340282366920938463463374607431768211455", "shardId-000000000001")]
    public async Task An_explicit_hash_key_overrides_the_partition_key(string hashKey, string shard)
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 2);
        PutRecordResponse r = await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "a", ExplicitHashKey = hashKey, Data = TestEngine.Bytes("x") });
        Assert.Equal(shard, r.ShardId);
    }

    [Fact]
    public async Task Bad_records_are_rejected_with_Kinesis_errors_and_nothing_is_written()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        var range = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "a", ExplicitHashKey = "340282366920938463463374607431768211456", Data = TestEngine.Bytes("x") }));
        Assert.Equal("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456", range.Message);
        var key = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = new string('k', 257), Data = TestEngine.Bytes("x") }));
        Assert.Contains("at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256", key.Message);
        var data = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "a" }));
        Assert.Equal("1 validation error detected: Value null at 'data' failed to satisfy constraint: Member must not be null", data.Message);
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "a", ExplicitHashKey = "01", Data = TestEngine.Bytes("x") }));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "a", Data = new MemoryStream(new byte[1024 * 1024]) }));
        var ordering = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "a", SequenceNumberForOrdering = "12", Data = TestEngine.Bytes("x") }));
        Assert.Equal("ExclusiveMinimumSequenceNumber 12 used in PutRecord on stream s under account 000000000000 is invalid.", ordering.Message);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "missing", PartitionKey = "a", Data = TestEngine.Bytes("x") }));

        Assert.Empty(await t.DrainAsync(await t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON)));
    }

    [Fact]
    public async Task A_record_of_exactly_the_maximum_size_is_accepted_and_one_byte_more_is_not()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        byte[] data = new byte[(1024 * 1024) - 1]; // with the 1-byte partition key: exactly 1 MiB
        data[0] = 1;
        data[^1] = 2;
        PutRecordResponse put = await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "a", Data = new MemoryStream(data) });
        Assert.Equal("shardId-000000000000", put.ShardId);

        var over = await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "ab", Data = new MemoryStream(data) }));
        Assert.Equal("Record size 1048577 bytes (data plus partition key) exceeds the stream's maximum record size of 1048576 bytes (1024 KiB).", over.Message);

        GetRecordsResponse read = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON) });
        StreamCore.Kinesis.Record only = Assert.Single(read.Records);
        Assert.Equal((put.SequenceNumber, "a"), (only.SequenceNumber, only.PartitionKey));
        Assert.Equal(data, only.Data!.ToArray());
    }

    [Fact]
    public async Task SequenceNumberForOrdering_keeps_numbers_increasing()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        string? previous = null;
        var numbers = new List<SequenceNumber>();
        for (int i = 0; i < 5; i++)
        {
            PutRecordResponse r = await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("x"), SequenceNumberForOrdering = previous });
            previous = r.SequenceNumber;
            numbers.Add(SequenceNumber.Parse(previous!));
        }

        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
    }

    [Fact]
    public async Task PutRecords_returns_results_in_request_order_and_keeps_per_shard_order()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 4);
        var request = new PutRecordsRequest { StreamName = "s" };
        for (int i = 0; i < 500; i++)
        {
            request.Records.Add(new PutRecordsRequestEntry { PartitionKey = "key-" + (i % 13), Data = TestEngine.Bytes("r" + i) });
        }

        PutRecordsResponse response = await t.Client.PutRecordsAsync(request);
        Assert.Equal(0, response.FailedRecordCount);
        Assert.Equal(500, response.Records.Count);
        List<string> all = [];
        foreach (string shard in response.Records.Select(r => r.ShardId!).Distinct())
        {
            List<string> read = await t.DrainAsync(await t.IteratorAsync("s", shard, ShardIteratorType.TRIM_HORIZON));
            List<string> expected = [.. Enumerable.Range(0, 500).Where(i => response.Records[i].ShardId == shard).Select(i => "r" + i)];
            Assert.Equal(expected, read);
            all.AddRange(read);
        }

        Assert.Equal(500, all.Distinct().Count());
        for (int i = 0; i < 500; i++)
        {
            string shard = response.Records[i].ShardId!;
            Assert.Equal(shard, (await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "key-" + (i % 13), Data = TestEngine.Bytes("again") })).ShardId);
        }
    }

    [Fact]
    public async Task PutRecords_limits_fail_the_whole_call_and_write_nothing()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        PutRecordsRequestEntry Entry(string? hashKey = null, int size = 1) => new() { PartitionKey = "k", ExplicitHashKey = hashKey, Data = new MemoryStream(new byte[size]) };

        var tooMany = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s", Records = [.. Enumerable.Range(0, 501).Select(_ => Entry())] }));
        Assert.Contains("Member must have length less than or equal to 500", tooMany.Message);
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s" }));
        var member = await Assert.ThrowsAsync<ValidationException>(() => t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s", Records = [Entry(), new PutRecordsRequestEntry { Data = TestEngine.Bytes("x") }] }));
        Assert.Equal("1 validation error detected: Value null at 'records.2.member.partitionKey' failed to satisfy constraint: Member must not be null", member.Message);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s", Records = [Entry(), Entry("340282366920938463463374607431768211456")] }));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s", Records = [.. Enumerable.Range(0, 11).Select(_ => Entry(size: 1000 * 1000))] }));

        Assert.Empty(await t.DrainAsync(await t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON)));
    }

    [Fact]
    public async Task A_memory_cap_fails_records_individually_with_a_retryable_error()
    {
        using var t = new TestEngine(o => o.MaxRetainedBytes = 256 * 1024);
        await t.CreateAsync("s", 1);
        PutRecordsResponse response = await t.Client.PutRecordsAsync(new PutRecordsRequest
        {
            StreamName = "s",
            Records = [.. Enumerable.Range(0, 400).Select(_ => new PutRecordsRequestEntry { PartitionKey = "k", Data = new MemoryStream(new byte[1000]) })],
        });
        Assert.Equal(400, response.FailedRecordCount);
        Assert.All(response.Records, r => Assert.Equal("ProvisionedThroughputExceededException", r.ErrorCode));
        Assert.Contains("Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.", response.Records[0].ErrorMessage);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new MemoryStream(new byte[1000]) });
    }
}
