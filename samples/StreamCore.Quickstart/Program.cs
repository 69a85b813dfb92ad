// StreamCore quickstart: Kinesis semantics inside this process, on the embedded default engine.
using System.Text;
using StreamCore;
using StreamCore.Kinesis;

using var engine = new StreamEngine(); // account 000000000000, us-east-1, the system clock
IKinesisClient kinesis = engine.CreateKinesisClient();

// 1. Create a provisioned stream with 4 shards.
await kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "app-clickstream", ShardCount = 4 });
StreamDescription description = (await kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "app-clickstream" })).StreamDescription!;
Console.WriteLine($"Created {description.StreamARN}: {description.StreamStatus}, {description.Shards.Count} shards");
foreach (Shard shard in description.Shards)
{
    Console.WriteLine($"  {shard.ShardId}  hash keys {shard.HashKeyRange!.StartingHashKey} .. {shard.HashKeyRange.EndingHashKey}");
}

// 2. Write: partition keys are routed by MD5; an explicit hash key picks the shard directly.
Console.WriteLine();
DateTime beforeWrites = DateTime.UtcNow;
string? firstSequenceNumber = null;
foreach (string user in new[] { "user-123", "user-456", "user-789" })
{
    PutRecordResponse put = await kinesis.PutRecordAsync(new PutRecordRequest
    {
        StreamName = "app-clickstream",
        PartitionKey = user,
        Data = new MemoryStream(Encoding.UTF8.GetBytes($$"""{"event":"click","user":"{{user}}"}""")),
    });
    firstSequenceNumber ??= put.SequenceNumber;
    Console.WriteLine($"PutRecord  key={user,-9} -> {put.ShardId}  seq={put.SequenceNumber}");
}

PutRecordResponse pinned = await kinesis.PutRecordAsync(new PutRecordRequest
{
    StreamName = "app-clickstream",
    PartitionKey = "user-123",
    ExplicitHashKey = "170141183460469231731687303715884105727", // 2^127 - 1: the last key of shard 1
    Data = new MemoryStream("""{"event":"pinned"}"""u8.ToArray()),
});
Console.WriteLine($"PutRecord  explicit hash key 2^127-1 -> {pinned.ShardId}");

PutRecordsResponse batch = await kinesis.PutRecordsAsync(new PutRecordsRequest
{
    StreamName = "app-clickstream",
    Records = [.. Enumerable.Range(1, 6).Select(i => new PutRecordsRequestEntry
    {
        PartitionKey = "user-123",
        Data = new MemoryStream(Encoding.UTF8.GetBytes($"view-{i}")),
    })],
});
Console.WriteLine($"PutRecords 6 records for user-123 -> {batch.Records[0].ShardId}, failed: {batch.FailedRecordCount}");

// 3. Read user-123's shard back with each iterator type.
string shardId = batch.Records[0].ShardId!;
Console.WriteLine();
await ReadAsync("TRIM_HORIZON", ShardIteratorType.TRIM_HORIZON);
await ReadAsync("AT_SEQUENCE_NUMBER (first put)", ShardIteratorType.AT_SEQUENCE_NUMBER, firstSequenceNumber);
await ReadAsync("AFTER_SEQUENCE_NUMBER (first put)", ShardIteratorType.AFTER_SEQUENCE_NUMBER, firstSequenceNumber);
await ReadAsync("AT_TIMESTAMP (before the writes)", ShardIteratorType.AT_TIMESTAMP, timestamp: beforeWrites);
string latest = (await kinesis.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "app-clickstream", ShardId = shardId, ShardIteratorType = ShardIteratorType.LATEST })).ShardIterator!;
await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "app-clickstream", PartitionKey = "user-123", Data = new MemoryStream("written after LATEST"u8.ToArray()) });
GetRecordsResponse fromLatest = await kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = latest });
Console.WriteLine($"LATEST: {string.Join(", ", fromLatest.Records.Select(r => Encoding.UTF8.GetString(r.Data!.ToArray())))}");

// 4. The same engine as an event bus: append without allocating, read zero-copy batches as they arrive.
Console.WriteLine();
DataStream events = engine.CreateStream("orders", shardCount: 2);
using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
Task<int> consumer = Task.Run(async () =>
{
    int seen = 0;
    await foreach (RecordBatch records in events.ReadAsync(new ShardId(0), ShardPosition.TrimHorizon, cts.Token))
    {
        foreach (StreamRecord record in records)
        {
            seen++;
        }

        if (seen >= 1000)
        {
            break;
        }
    }

    return seen;
});
for (int i = 0; i < 1000; i++)
{
    events.Append($"order-{i}", 0, Encoding.UTF8.GetBytes($"order #{i}"));
}

Console.WriteLine($"Event bus: 1000 records appended to shardId-000000000000, the async reader saw {await consumer}.");

// 5. Reshard under load: two producers keep writing while the stream goes from 2 to 4 to 8 shards; a reader that
//    follows the whole stream reads parents before children, so it sees every record once, each key in order.
Console.WriteLine();
DataStream live = engine.CreateStream("live", shardCount: 2);
const int PerProducer = 100_000;
using var followCts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
Task<(int Records, int OutOfOrder)> follower = Task.Run(async () =>
{
    var last = new Dictionary<string, int>();
    int records = 0, outOfOrder = 0;
    await foreach (RecordBatch records_ in live.ReadStreamAsync(ShardPosition.TrimHorizon, followCts.Token))
    {
        foreach (StreamRecord record in records_)
        {
            string key = record.PartitionKey;
            int counter = BitConverter.ToInt32(record.Data.Span);
            outOfOrder += last.TryGetValue(key, out int previous) && counter <= previous ? 1 : 0;
            last[key] = counter;
            records++;
        }

        if (records == 2 * PerProducer)
        {
            break;
        }
    }

    return (records, outOfOrder);
});
Task[] producers = [.. Enumerable.Range(0, 2).Select(p => Task.Run(() =>
{
    for (int i = 0; i < PerProducer; i++)
    {
        live.Append($"producer-{p}-key-{i % 50}", BitConverter.GetBytes(i));
    }
}))];
while (!producers.All(t => t.IsCompleted) && live.Shards.Count(s => s.IsOpen) < 8)
{
    live.UpdateShardCount(live.Shards.Count(s => s.IsOpen) * 2); // while the producers write
    Console.WriteLine($"Resharded under load: {live.Shards.Count(s => s.IsOpen)} open shards, {live.Shards.Count(s => !s.IsOpen)} closed parents");
    await Task.Yield();
}

await Task.WhenAll(producers);
(int read, int reordered) = await follower;
Console.WriteLine($"Follower read {read:N0} of {2 * PerProducer:N0} records across the reshards, {reordered} out of order per key.");
Console.WriteLine($"Engine retains {engine.RetainedBytes:N0} bytes for {engine.ListStreamNames().Count} streams.");

async Task ReadAsync(string label, ShardIteratorType type, string? sequenceNumber = null, DateTime? timestamp = null)
{
    string iterator = (await kinesis.GetShardIteratorAsync(new GetShardIteratorRequest
    {
        StreamName = "app-clickstream",
        ShardId = shardId,
        ShardIteratorType = type,
        StartingSequenceNumber = sequenceNumber,
        Timestamp = timestamp,
    })).ShardIterator!;
    GetRecordsResponse records = await kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
    Console.WriteLine($"{label}: {records.Records.Count} records, MillisBehindLatest={records.MillisBehindLatest}");
    foreach (Record record in records.Records.Take(3))
    {
        Console.WriteLine($"    {record.PartitionKey,-9} {Encoding.UTF8.GetString(record.Data!.ToArray())}");
    }
}
