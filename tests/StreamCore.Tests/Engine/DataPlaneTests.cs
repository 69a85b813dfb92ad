using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Engine;

/// <summary>
/// Both faces go through the engine's one data-plane path: the same records come out whichever face wrote or read
/// them, the same rules (throughput, KMS keys, encryption) apply to both, and every record is measured exactly once.
/// </summary>
public class DataPlaneTests
{
    private const string KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";

    /// <summary>One record as a face shows it: what both faces must agree on.</summary>
    private sealed record Seen(string ShardId, string SequenceNumber, string PartitionKey, string Data, long ArrivalMs, bool Encrypted);

    /// <summary>Collects one engine's long measurements (engines are told apart by their account id tag).</summary>
    private sealed class Collector : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Collector(string accountId)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "StreamCore" && instrument.Meter.Tags?.Any(t => t.Key == "AccountId" && (string?)t.Value == accountId) == true)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Measurements.Add((instrument.Name, value)));
            _listener.Start();
        }

        public ConcurrentBag<(string Name, long Value)> Measurements { get; } = [];

        public long Sum(string name) => Measurements.Where(m => m.Name == name).Sum(m => m.Value);

        public int Count(string name) => Measurements.Count(m => m.Name == name);

        public void Dispose() => _listener.Dispose();
    }

    private static TestEngine NewEngine(string accountId, bool encrypted, ThroughputLimits? limits = null)
    {
        var keys = new InMemoryKmsKeyProvider();
        keys.AddKey(KeyId, aliases: "alias/app");
        var t = new TestEngine(o =>
        {
            o.AccountId = accountId;
            o.KeyProvider = keys;
            o.Throughput = limits;
            o.IteratorSigningKey = new byte[32];
        });
        t.Engine.CreateStream("s", 4);
        if (encrypted)
        {
            t.Client.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = "alias/app" }).GetAwaiter().GetResult();
        }

        return t;
    }

    private static (string Key, UInt128? HashKey, string Data)[] Records() =>
    [
        .. Enumerable.Range(0, 40).Select(i => ("key-" + (i % 7), i % 5 == 0 ? (UInt128?)(UInt128.MaxValue / 40 * (uint)i) : null, "payload-" + i + new string('x', i * 3))),
    ];

    private static Seen Of(StreamRecord r) =>
        new(r.SequenceNumber.ShardId.ToString(), r.SequenceNumber.ToString(), r.PartitionKey, Encoding.UTF8.GetString(r.Data.Span), r.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds(), false);

    private static Seen Of(string shardId, StreamCore.Kinesis.Record r) =>
        new(shardId, r.SequenceNumber!, r.PartitionKey!, TestEngine.Text(r.Data), new DateTimeOffset(r.ApproximateArrivalTimestamp!.Value).ToUnixTimeMilliseconds(), r.EncryptionType == EncryptionType.KMS);

    /// <summary>Every record of the stream as the event-bus face reads it, shard by shard.</summary>
    private static List<Seen> ReadThroughEventBus(TestEngine t)
    {
        var seen = new List<Seen>();
        DataStream stream = t.Engine.GetStream("s");
        foreach (ShardInfo shard in stream.Shards)
        {
            using ShardReader reader = stream.OpenReader(shard.ShardId, ShardPosition.TrimHorizon, maxBatchRecords: 3);
            while (reader.TryRead(out RecordBatch batch))
            {
                foreach (StreamRecord record in batch)
                {
                    seen.Add(Of(record));
                }
            }
        }

        return seen;
    }

    /// <summary>Every record of the stream as the Kinesis face reads it, shard by shard.</summary>
    private static async Task<List<Seen>> ReadThroughKinesisAsync(TestEngine t, bool encrypted)
    {
        var seen = new List<Seen>();
        foreach (ShardInfo shard in t.Engine.GetStream("s").Shards)
        {
            string? iterator = await t.IteratorAsync("s", shard.ShardId.ToString(), ShardIteratorType.TRIM_HORIZON);
            while (iterator is not null)
            {
                GetRecordsResponse response = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = 3 });
                seen.AddRange(response.Records.Select(r => Of(shard.ShardId.ToString(), r)));
                iterator = response.Records.Count == 0 ? null : response.NextShardIterator;
            }
        }

        Assert.All(seen, s => Assert.Equal(encrypted, s.Encrypted));
        return [.. seen.Select(s => s with { Encrypted = false })];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Both_faces_store_the_same_records_and_read_back_the_same_records(bool encrypted)
    {
        // The same records, on the same clock, written through the Kinesis face into one engine and through the
        // event-bus face into another: same shards, same sequence numbers, same arrival times.
        using TestEngine kinesis = NewEngine("111111111111", encrypted);
        using TestEngine bus = NewEngine("111111111111", encrypted);
        (string Key, UInt128? HashKey, string Data)[] records = Records();
        var kinesisResults = new List<(string ShardId, string SequenceNumber)>();
        var busResults = new List<(string ShardId, string SequenceNumber)>();
        for (int i = 0; i < 20; i++)
        {
            (string key, UInt128? hashKey, string data) = records[i];
            PutRecordResponse put = await kinesis.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = key, ExplicitHashKey = hashKey?.ToString(), Data = TestEngine.Bytes(data) });
            Assert.Equal(encrypted ? EncryptionType.KMS : EncryptionType.NONE, put.EncryptionType);
            kinesisResults.Add((put.ShardId!, put.SequenceNumber!));
        }

        PutRecordsResponse batch = await kinesis.Client.PutRecordsAsync(new PutRecordsRequest
        {
            StreamName = "s",
            Records = [.. records[20..].Select(r => new PutRecordsRequestEntry { PartitionKey = r.Key, ExplicitHashKey = r.HashKey?.ToString(), Data = TestEngine.Bytes(r.Data) })],
        });
        Assert.Equal(0, batch.FailedRecordCount);
        kinesisResults.AddRange(batch.Records.Select(r => (r.ShardId!, r.SequenceNumber!)));

        DataStream stream = bus.Engine.GetStream("s");
        foreach ((string key, UInt128? hashKey, string data) in records)
        {
            AppendResult result = hashKey is { } h ? stream.Append(key, h, Encoding.UTF8.GetBytes(data)) : stream.Append(key, Encoding.UTF8.GetBytes(data));
            busResults.Add((result.ShardId.ToString(), result.SequenceNumber.ToString()));
        }

        Assert.Equal(kinesisResults, busResults);

        // Whichever face reads, and whichever face wrote, a record reads back the same (decrypted when encrypted).
        List<Seen> expected = ReadThroughEventBus(bus);
        Assert.Equal(records.Length, expected.Count);
        Assert.Equal(expected, ReadThroughEventBus(kinesis));
        Assert.Equal(expected, await ReadThroughKinesisAsync(kinesis, encrypted));
        Assert.Equal(expected, await ReadThroughKinesisAsync(bus, encrypted));
        Assert.Equal(records.Select(r => r.Data).Order(StringComparer.Ordinal), expected.Select(s => s.Data).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_record_is_measured_exactly_once_whichever_face_moves_it(bool encrypted)
    {
        string account = encrypted ? "222222222221" : "222222222220";
        using TestEngine t = NewEngine(account, encrypted);
        using var metrics = new Collector(account);
        (string Key, UInt128? HashKey, string Data)[] records = Records();
        long putBytes = records.Sum(r => (long)Encoding.UTF8.GetByteCount(r.Key) + Encoding.UTF8.GetByteCount(r.Data));

        for (int i = 0; i < 10; i++)
        {
            await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = records[i].Key, Data = TestEngine.Bytes(records[i].Data) });
        }

        await t.Client.PutRecordsAsync(new PutRecordsRequest
        {
            StreamName = "s",
            Records = [.. records[10..25].Select(r => new PutRecordsRequestEntry { PartitionKey = r.Key, ExplicitHashKey = r.HashKey?.ToString(), Data = TestEngine.Bytes(r.Data) })],
        });
        DataStream stream = t.Engine.GetStream("s");
        foreach ((string key, _, string data) in records[25..])
        {
            stream.Append(key, Encoding.UTF8.GetBytes(data));
        }

        // Bytes are what was put (key plus plaintext), not what is stored: encryption adds no bytes to the metric.
        Assert.Equal(records.Length, metrics.Sum("IncomingRecords"));
        Assert.Equal(putBytes, metrics.Sum("IncomingBytes"));

        List<Seen> kinesisRead = await ReadThroughKinesisAsync(t, encrypted);
        Assert.Equal(records.Length, kinesisRead.Count);
        Assert.Equal(records.Length, metrics.Sum("OutgoingRecords"));
        Assert.Equal(putBytes, metrics.Sum("OutgoingBytes"));
        int getRecordsCalls = metrics.Count("IteratorAgeMilliseconds");
        Assert.True(getRecordsCalls > 4, "one iterator age per GetRecords call");

        Assert.Equal(records.Length, ReadThroughEventBus(t).Count);
        Assert.Equal(2 * records.Length, metrics.Sum("OutgoingRecords"));
        Assert.Equal(2 * putBytes, metrics.Sum("OutgoingBytes"));
        Assert.Equal(getRecordsCalls, metrics.Count("IteratorAgeMilliseconds"));
        Assert.Equal(records.Length, metrics.Sum("IncomingRecords"));
    }

    [Fact]
    public async Task Throughput_limits_hold_for_both_faces_and_a_throttled_record_is_counted_once()
    {
        const string account = "333333333333";
        using TestEngine t = NewEngine(account, encrypted: false, new ThroughputLimits { ShardWriteRecordsPerSecond = 3, EnforceControlPlaneRates = false });
        using var metrics = new Collector(account);
        DataStream stream = t.Engine.GetStream("s");

        // One shard's write budget is shared by the two faces: two appends and one PutRecord use it up.
        stream.Append("k", UInt128.Zero, "a"u8);
        stream.Append("k", UInt128.Zero, "b"u8);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", ExplicitHashKey = "0", Data = TestEngine.Bytes("c") });
        Assert.Throws<ProvisionedThroughputExceededException>(() => stream.Append("k", UInt128.Zero, "d"u8));
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", ExplicitHashKey = "0", Data = TestEngine.Bytes("e") }));
        PutRecordsResponse batch = await t.Client.PutRecordsAsync(new PutRecordsRequest
        {
            StreamName = "s",
            Records = [new PutRecordsRequestEntry { PartitionKey = "k", ExplicitHashKey = "0", Data = TestEngine.Bytes("f") }],
        });
        Assert.Equal(1, batch.FailedRecordCount);
        Assert.Equal("ProvisionedThroughputExceededException", batch.Records[0].ErrorCode);

        Assert.Equal(3, metrics.Sum("WriteProvisionedThroughputExceeded"));
        Assert.Equal(3, metrics.Sum("IncomingRecords"));
        Assert.Equal(["a", "b", "c"], ReadThroughEventBus(t).Select(s => s.Data));

        t.Clock.Advance(TimeSpan.FromSeconds(1));
        stream.Append("k", UInt128.Zero, "g"u8);
        Assert.Equal(4, metrics.Sum("IncomingRecords"));
    }

    [Fact]
    public async Task A_disabled_key_refuses_writes_and_reads_through_both_faces_and_loses_nothing()
    {
        var keys = new InMemoryKmsKeyProvider();
        keys.AddKey(KeyId, aliases: "alias/app");
        using var t = new TestEngine(o => o.KeyProvider = keys);
        DataStream stream = t.Engine.CreateStream("s", 1);
        await t.Client.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = "alias/app" });
        stream.Append("k", "secret-1"u8);
        using ShardReader reader = stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);

        keys.DisableKey("alias/app");
        Assert.Throws<KMSDisabledException>(() => stream.Append("k", "refused"u8));
        await Assert.ThrowsAsync<KMSDisabledException>(() => t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes("refused") }));
        Assert.Throws<KMSDisabledException>(() => reader.TryRead(out _));

        // A refused read leaves the reader where it was: once the key is back, nothing was skipped.
        keys.EnableKey("alias/app");
        Assert.True(reader.TryRead(out RecordBatch batch));
        Assert.Equal(["secret-1"], batch.ToArraySeen());
    }
}

internal static class RecordBatchExtensions
{
    public static string[] ToArraySeen(this RecordBatch batch)
    {
        var texts = new List<string>();
        foreach (StreamRecord record in batch)
        {
            texts.Add(Encoding.UTF8.GetString(record.Data.Span));
        }

        return [.. texts];
    }
}
