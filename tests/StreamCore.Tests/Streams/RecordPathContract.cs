using System.Text;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Streams;

/// <summary>
/// The same write/read behaviour, run against each face of the engine: the Kinesis-shaped client and the
/// event-bus API must agree on routing, ordering and positions.
/// </summary>
public abstract class RecordPathContract
{
    protected abstract Task<AppendResult> AppendAsync(TestEngine t, string key, string data, UInt128? hashKey = null);

    protected abstract Task<List<string>> ReadAsync(TestEngine t, ShardId shard, ShardPosition position);

    private static async Task<TestEngine> NewAsync(int shards)
    {
        var t = new TestEngine();
        await t.CreateAsync("s", shards);
        return t;
    }

    [Fact]
    public async Task Records_come_back_in_write_order()
    {
        using TestEngine t = await NewAsync(1);
        for (int i = 0; i < 50; i++)
        {
            await AppendAsync(t, "k" + i, "r" + i);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => "r" + i), await ReadAsync(t, new ShardId(0), ShardPosition.TrimHorizon));
    }

    [Fact]
    public async Task A_partition_key_always_lands_on_the_shard_owning_its_MD5()
    {
        using TestEngine t = await NewAsync(4);
        Assert.Equal(new ShardId(2), (await AppendAsync(t, "user-123", "x")).ShardId);
        Assert.Equal(new ShardId(0), (await AppendAsync(t, "a", "x")).ShardId);
        Assert.Equal(new ShardId(3), (await AppendAsync(t, "whatever", "x", UInt128.MaxValue)).ShardId);
    }

    [Fact]
    public async Task Sequence_numbers_increase_and_position_reads()
    {
        using TestEngine t = await NewAsync(1);
        var results = new List<AppendResult>();
        for (int i = 0; i < 10; i++)
        {
            results.Add(await AppendAsync(t, "k", "r" + i));
        }

        Assert.Equal(results.Select(r => r.SequenceNumber).Order(), results.Select(r => r.SequenceNumber));
        Assert.Equal(["r4", "r5", "r6", "r7", "r8", "r9"], await ReadAsync(t, new ShardId(0), ShardPosition.AtSequenceNumber(results[4].SequenceNumber)));
        Assert.Equal(["r5", "r6", "r7", "r8", "r9"], await ReadAsync(t, new ShardId(0), ShardPosition.AfterSequenceNumber(results[4].SequenceNumber)));
        Assert.Empty(await ReadAsync(t, new ShardId(0), ShardPosition.Latest));
    }

    [Fact]
    public async Task Bad_partition_keys_are_rejected_before_anything_is_written()
    {
        using TestEngine t = await NewAsync(1);
        await Assert.ThrowsAsync<ValidationException>(() => AppendAsync(t, "", "x"));
        await Assert.ThrowsAsync<ValidationException>(() => AppendAsync(t, new string('k', 257), "x"));
        Assert.Empty(await ReadAsync(t, new ShardId(0), ShardPosition.TrimHorizon));
    }
}

public sealed class KinesisFaceRecordPath : RecordPathContract
{
    protected override async Task<AppendResult> AppendAsync(TestEngine t, string key, string data, UInt128? hashKey = null)
    {
        PutRecordResponse r = await t.Client.PutRecordAsync(new PutRecordRequest
        {
            StreamName = "s",
            PartitionKey = key,
            ExplicitHashKey = hashKey?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Data = TestEngine.Bytes(data),
        });
        Assert.True(ShardId.TryParse(r.ShardId, out ShardId shard));
        return new AppendResult(shard, SequenceNumber.Parse(r.SequenceNumber!));
    }

    protected override async Task<List<string>> ReadAsync(TestEngine t, ShardId shard, ShardPosition position)
    {
        (ShardIteratorType type, string? seq) = position.Kind switch
        {
            ShardPositionKind.TrimHorizon => (ShardIteratorType.TRIM_HORIZON, (string?)null),
            ShardPositionKind.Latest => (ShardIteratorType.LATEST, null),
            ShardPositionKind.AtSequenceNumber => (ShardIteratorType.AT_SEQUENCE_NUMBER, position.SequenceNumber.ToString()),
            _ => (ShardIteratorType.AFTER_SEQUENCE_NUMBER, position.SequenceNumber.ToString()),
        };
        return await t.DrainAsync(await t.IteratorAsync("s", shard.ToString(), type, seq));
    }
}

public sealed class EventBusFaceRecordPath : RecordPathContract
{
    protected override Task<AppendResult> AppendAsync(TestEngine t, string key, string data, UInt128? hashKey = null)
    {
        DataStream stream = t.Engine.GetStream("s");
        byte[] bytes = Encoding.UTF8.GetBytes(data);
        return Task.FromResult(hashKey is { } h ? stream.Append(key, h, bytes) : stream.Append(key, bytes));
    }

    protected override Task<List<string>> ReadAsync(TestEngine t, ShardId shard, ShardPosition position)
    {
        ShardReader reader = t.Engine.GetStream("s").OpenReader(shard, position, maxBatchRecords: 7);
        var texts = new List<string>();
        while (reader.TryRead(out RecordBatch batch))
        {
            foreach (StreamRecord record in batch)
            {
                texts.Add(Encoding.UTF8.GetString(record.Data.Span));
            }
        }

        return Task.FromResult(texts);
    }
}
