// The KPL-style producer next to raw PutRecords, on the embedded engine. Swap the IKinesisClient for the remote
// client (StreamCore.Aws) and the same producer writes to the StreamCore server or to Amazon Kinesis.
using System.Diagnostics;
using System.Text;
using StreamCore;
using StreamCore.Aggregation;
using StreamCore.Kinesis;
using StreamCore.Producing;

using var engine = new StreamEngine();
IKinesisClient kinesis = engine.CreateKinesisClient();
await kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "orders", ShardCount = 4 });
const int Count = 100_000;
byte[] payload = Encoding.UTF8.GetBytes(new string('x', 100));

// 1. Raw PutRecords: batch by hand (500 per call), one Kinesis record per user record, retry failures yourself.
var clock = Stopwatch.StartNew();
for (int start = 0; start < Count; start += 500)
{
    var request = new PutRecordsRequest { StreamName = "orders" };
    for (int i = start; i < start + 500; i++)
    {
        request.Records.Add(new PutRecordsRequestEntry { PartitionKey = "customer-" + (i % 1000), Data = new MemoryStream(payload) });
    }

    PutRecordsResponse response = await kinesis.PutRecordsAsync(request);
    if (response.FailedRecordCount > 0)
    {
        throw new InvalidOperationException("a real caller would retry the failed entries here");
    }
}

Console.WriteLine($"PutRecords: {Count:N0} records as {Count:N0} Kinesis records in {clock.ElapsedMilliseconds} ms");

// 2. The producer: aggregation per shard, collection, retries until RecordTtl, back-pressure, a result per record.
await using (var producer = new KinesisProducer(kinesis, "orders", new KinesisProducerOptions { RecordMaxBufferedTime = TimeSpan.FromMilliseconds(50) }))
{
    clock.Restart();
    var results = new ValueTask<UserRecordResult>[Count];
    for (int i = 0; i < Count; i++)
    {
        results[i] = producer.AddAsync("customer-" + (i % 1000), payload);
    }

    await producer.FlushAsync(); // every record added so far now has its result
    var sequenceNumbers = new HashSet<SequenceNumber>();
    foreach (ValueTask<UserRecordResult> pending in results)
    {
        UserRecordResult result = await pending;
        sequenceNumbers.Add(result.SequenceNumber);
    }

    Console.WriteLine($"Producer:   {Count:N0} records as {sequenceNumbers.Count:N0} Kinesis records in {clock.ElapsedMilliseconds} ms");
}

// 3. Reading: de-aggregate (with the shard's range, as the KCL does) to get the user records back.
var deaggregator = new RecordDeaggregator();
DataStream stream = engine.GetStream("orders");
long userRecords = 0;
foreach (ShardInfo shard in stream.Shards)
{
    string iterator = (await kinesis.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "orders", ShardId = shard.ShardId.ToString(), ShardIteratorType = ShardIteratorType.TRIM_HORIZON })).ShardIterator!;
    while (true)
    {
        GetRecordsResponse page = await kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
        foreach (Record record in page.Records)
        {
            userRecords += deaggregator.Deaggregate(record, shard.HashKeyRange).Count;
        }

        if (page.Records.Count == 0 || page.NextShardIterator is null)
        {
            break;
        }

        iterator = page.NextShardIterator;
    }
}

Console.WriteLine($"Read back:  {userRecords:N0} user records ({Count:N0} raw + {Count:N0} through the producer)");
