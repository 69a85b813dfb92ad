using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using StreamCore.Aws.Kinesis;
using StreamCore.Kinesis;

// The remote client's side of benchmarks/wire/client-bench.mjs, which starts the StreamCore server, measures the AWS
// SDK for JavaScript v3 against it, then runs this driver against the same server in the same run:
//   dotnet benchmarks/RemoteClientBench/bin/Release/net10.0/RemoteClientBench.dll --url http://127.0.0.1:4612 \
//     --put-stream bench-put --read-stream bench-read [--calls 60] [--reads 40] [--protocol json|cbor]
// Prints one JSON line: PutRecords (500 x 100 B, one call in flight) median call and records/s, GetRecords records/s,
// and the client process's CPU seconds for each loop (records per CPU-second is the per-core figure).
string Arg(string name, string fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

var url = new Uri(Arg("--url", "http://127.0.0.1:4612"));
string putStream = Arg("--put-stream", "bench-put");
string readStream = Arg("--read-stream", "bench-read");
int calls = int.Parse(Arg("--calls", "60"), CultureInfo.InvariantCulture);
int reads = int.Parse(Arg("--reads", "40"), CultureInfo.InvariantCulture);
KinesisWireProtocol protocol = Arg("--protocol", "json") == "cbor" ? KinesisWireProtocol.Cbor : KinesisWireProtocol.Json;

using var client = new RemoteKinesisClient(new RemoteKinesisClientOptions
{
    ServiceUrl = url,
    Region = "us-east-1",
    Credentials = new BasicAWSCredentials("test", "test"),
    Protocol = protocol,
    MaxAttempts = 1,
});

byte[] payload = new byte[100];
Array.Fill(payload, (byte)7);
PutRecordsRequest Batch()
{
    var request = new PutRecordsRequest { StreamName = putStream };
    for (int i = 0; i < 500; i++)
    {
        request.Records.Add(new PutRecordsRequestEntry { PartitionKey = "user-" + i.ToString(CultureInfo.InvariantCulture), Data = new MemoryStream(payload, writable: false) });
    }

    return request;
}

PutRecordsRequest batch = Batch();
for (int i = 0; i < Math.Max(5, calls / 6); i++)
{
    await client.PutRecordsAsync(batch);
}

var process = Process.GetCurrentProcess();
var times = new List<double>();
TimeSpan cpu0 = process.TotalProcessorTime;
var wall = Stopwatch.StartNew();
for (int i = 0; i < calls; i++)
{
    long t = Stopwatch.GetTimestamp();
    PutRecordsResponse response = await client.PutRecordsAsync(batch);
    times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    if (response.FailedRecordCount != 0)
    {
        throw new InvalidOperationException($"{response.FailedRecordCount} records failed");
    }
}

double putWall = wall.Elapsed.TotalSeconds;
process.Refresh();
double putCpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
times.Sort();
double medianPut = times[times.Count / 2];

async Task<int> ReadAllAsync()
{
    string shard = "shardId-000000000000";
    string? iterator = (await client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = readStream, ShardId = shard, ShardIteratorType = ShardIteratorType.TRIM_HORIZON })).ShardIterator;
    int count = 0;
    while (iterator is not null)
    {
        GetRecordsResponse page = await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = 10_000 });
        count += page.Records.Count;
        iterator = page.Records.Count == 0 ? null : page.NextShardIterator;
    }

    return count;
}

for (int i = 0; i < 3; i++)
{
    await ReadAllAsync();
}

process.Refresh();
cpu0 = process.TotalProcessorTime;
wall.Restart();
long read = 0;
for (int i = 0; i < reads; i++)
{
    read += await ReadAllAsync();
}

double readWall = wall.Elapsed.TotalSeconds;
process.Refresh();
double readCpu = (process.TotalProcessorTime - cpu0).TotalSeconds;

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"client\":\"StreamCore RemoteKinesisClient ({protocol})\",\"medianPutMs\":{medianPut:0.###},\"putRecordsPerSecond\":{500 / (medianPut / 1000):0},\"putRecordsPerCpuSecond\":{calls * 500 / putCpu:0},\"putCpuShare\":{putCpu / putWall:0.###},\"getRecordsPerSecond\":{read / readWall:0},\"getRecordsPerCpuSecond\":{read / readCpu:0},\"getCpuShare\":{readCpu / readWall:0.###}}}"));
