using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using StreamCore.Aws.Kinesis;
using StreamCore.Consuming;
using StreamCore.Kinesis;
using StreamCore.Server;
using StreamCore.Storage;
using StreamCore.Tests.Consuming;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Breaking;

/// <summary>
/// Breaker's tests of the aggregate tag in the record entry's <c>Published</c> word (bit 30): every engine append path
/// tags exactly the payloads that begin as aggregates, the kind stays as it was, encryption started and stopped
/// mid-stream loses no aggregate, the worker de-aggregates the same over the event bus, the in-process client and the
/// remote client, and concurrent single and batch appends with a concurrent reader never show a wrong tag.
/// </summary>
public sealed class StorageAggregateTagBreakingTests
{
    private static readonly byte[] Magic = [0xF3, 0x89, 0x9A, 0xC2];

    /// <summary>A KPL aggregate (magic, protobuf AggregatedRecord, MD5), written with Google.Protobuf.</summary>
    private static byte[] Aggregate(params string[] records)
    {
        using var body = new MemoryStream();
        var output = new CodedOutputStream(body);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString("pk");
        foreach (string r in records)
        {
            using var inner = new MemoryStream();
            var record = new CodedOutputStream(inner);
            record.WriteTag(1, WireFormat.WireType.Varint);
            record.WriteUInt64(0);
            record.WriteTag(3, WireFormat.WireType.LengthDelimited);
            record.WriteBytes(ByteString.CopyFromUtf8(r));
            record.Flush();
            output.WriteTag(3, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(inner.ToArray()));
        }

        output.Flush();
        byte[] protobuf = body.ToArray();
        return [.. Magic, .. protobuf, .. MD5.HashData(protobuf)];
    }

    private static bool BeginsAsAggregate(ReadOnlySpan<byte> payload) => payload.Length > 20 && payload.StartsWith(Magic);

    /// <summary>The edges: magic alone, magic at 20 and 21 bytes (and a 21-byte frame with a valid MD5), a real aggregate, a look-alike, plain.</summary>
    private static byte[][] EdgePayloads()
    {
        byte[] oneByteProtobuf = [0x00];
        return
        [
            [.. Magic],
            [.. Magic, .. new byte[16]], // 20 bytes: the frame alone, never an aggregate
            [.. Magic, .. new byte[17]], // 21 bytes: tagged; not a valid frame
            [.. Magic, .. oneByteProtobuf, .. MD5.HashData(oneByteProtobuf)], // 21 bytes, valid frame, unparseable protobuf
            [.. Magic, .. MD5.HashData(ReadOnlySpan<byte>.Empty)], // 20 bytes, the digest of nothing
            Aggregate("a-1", "a-2"),
            [.. Magic, .. Encoding.UTF8.GetBytes("looks like an aggregate, is not one")],
            [0xF3, 0x89, 0x9A, 0xC3, .. new byte[30]],
            Encoding.UTF8.GetBytes("a plain record longer than twenty bytes"),
            [],
        ];
    }

    private static Task<StartStreamEncryptionResponse> StartEncryptionAsync(TestEngine t) => t.Client.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = InMemoryKmsKeyProvider.AwsManagedKinesisAlias });

    private static Task<StopStreamEncryptionResponse> StopEncryptionAsync(TestEngine t) => t.Client.StopStreamEncryptionAsync(new StopStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = InMemoryKmsKeyProvider.AwsManagedKinesisAlias });

    private static List<(byte[] Data, int Kind, bool MayBeAggregate, bool Tagged)> ReadAll(DataStream stream)
    {
        var seen = new List<(byte[], int, bool, bool)>();
        using ShardReader reader = stream.OpenReader(stream.Shards[0].ShardId, ShardPosition.TrimHorizon);
        while (reader.TryRead(out RecordBatch batch) && batch.Count > 0)
        {
            foreach (StreamRecord record in batch)
            {
                seen.Add((record.Data.ToArray(), record.Kind, record.MayBeAggregate, BeginsAsAggregate(record.StoredData.Span)));
            }
        }

        return seen;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_engine_append_path_tags_exactly_the_stored_payloads_that_begin_as_aggregates_and_keeps_the_kind(bool encrypted)
    {
        using var t = new TestEngine(o => o.KeyProvider = new InMemoryKmsKeyProvider());
        await t.CreateAsync("s", 1);
        DataStream stream = t.Engine.GetStream("s");
        if (encrypted)
        {
            await StartEncryptionAsync(t);
        }

        byte[][] payloads = EdgePayloads();
        var expected = new List<byte[]>();
        foreach (byte[] p in payloads)
        {
            stream.Append("k", p); // single, event bus
            expected.Add(p);
        }

        var batch = new AppendBatch();
        foreach (byte[] p in payloads)
        {
            batch.Add("k", p);
        }

        Assert.Equal(0, stream.Append(batch)); // batch, event bus
        expected.AddRange(payloads);
        foreach (byte[] p in payloads.Where(p => p.Length > 0))
        {
            await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new MemoryStream(p) }); // single, Kinesis
            expected.Add(p);
        }

        PutRecordsResponse put = await t.Client.PutRecordsAsync(new PutRecordsRequest
        {
            StreamName = "s",
            Records = [.. payloads.Where(p => p.Length > 0).Select(p => new PutRecordsRequestEntry { PartitionKey = "k", Data = new MemoryStream(p) })],
        }); // batch, Kinesis
        Assert.Equal(0, put.FailedRecordCount);
        expected.AddRange(payloads.Where(p => p.Length > 0));

        var seen = ReadAll(stream);
        Assert.Equal(expected.Count, seen.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], seen[i].Data);
            if (encrypted)
            {
                Assert.True(seen[i].Kind >= 2, $"record {i} encrypted");
                Assert.True(seen[i].MayBeAggregate, $"record {i}: an encrypted record may be an aggregate");
            }
            else
            {
                Assert.Equal(1, seen[i].Kind);
                Assert.Equal(BeginsAsAggregate(expected[i]), seen[i].MayBeAggregate);
            }
        }

        // Over the wire the payloads and their encryption are as put (the size accounting reads the kind, not the word).
        GetRecordsResponse wire = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON) });
        Assert.Equal(expected.Count, wire.Records.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], wire.Records[i].Data!.ToArray());
            Assert.Equal(encrypted ? EncryptionType.KMS : EncryptionType.NONE, wire.Records[i].EncryptionType);
        }
    }

    public enum Face
    {
        EventBus,
        InProcessClient,
        RemoteClient,
    }

    [Theory]
    [InlineData(Face.EventBus)]
    [InlineData(Face.InProcessClient)]
    [InlineData(Face.RemoteClient)]
    public async Task Encryption_started_and_stopped_mid_stream_every_aggregate_is_de_aggregated_and_every_look_alike_passes_as_it_is(Face face)
    {
        using var t = new TestEngine(o => o.KeyProvider = new InMemoryKmsKeyProvider());
        await t.CreateAsync("s", 1);
        DataStream stream = t.Engine.GetStream("s");
        byte[] lookalike = [.. Magic, .. Encoding.UTF8.GetBytes("magic, not an aggregate")];
        byte[] twenty = [.. Magic, .. MD5.HashData(ReadOnlySpan<byte>.Empty)];
        var expected = new List<string>();

        void Phase(string name)
        {
            stream.Append("k", Aggregate(name + "-1", name + "-2"));
            stream.Append("k", Encoding.UTF8.GetBytes(name + "-plain"));
            stream.Append("k", lookalike);
            stream.Append("k", twenty);
            var batch = new AppendBatch();
            batch.Add("k", Aggregate(name + "-b1", name + "-b2", name + "-b3"));
            batch.Add("k", Encoding.UTF8.GetBytes(name + "-bplain"));
            Assert.Equal(0, stream.Append(batch));
            expected.AddRange([name + "-1", name + "-2", name + "-plain", Encoding.UTF8.GetString(lookalike), Encoding.UTF8.GetString(twenty), name + "-b1", name + "-b2", name + "-b3", name + "-bplain"]);
        }

        Phase("before");
        await StartEncryptionAsync(t);
        Phase("encrypted");
        await StopEncryptionAsync(t);
        Phase("after");

        var log = new ScenarioLog();
        var options = new KinesisConsumerOptions
        {
            ApplicationName = "tag-app",
            WorkerId = "w",
            LeaseStore = new InMemoryLeaseStore(),
            InitialPosition = InitialPosition.TrimHorizon,
            TimeProvider = t.Clock,
            ProcessorFactory = () => new RecordingProcessor("w", log),
        };

        KinesisEndpoint? server = null;
        RemoteKinesisClient? remote = null;
        try
        {
            KinesisConsumer consumer;
            switch (face)
            {
                case Face.EventBus:
                    consumer = new KinesisConsumer(stream, options);
                    break;
                case Face.InProcessClient:
                    options.StreamName = "s";
                    consumer = new KinesisConsumer(t.Client, options);
                    break;
                default:
                    server = await KinesisEndpoint.StartAsync(t.Engine);
                    remote = new RemoteKinesisClient(new RemoteKinesisClientOptions
                    {
                        ServiceUrl = server.Url,
                        Region = "us-east-1",
                        Credentials = new Amazon.Runtime.BasicAWSCredentials("AKIDTAGTEST", "tag-test-secret"),
                    });
                    options.StreamName = "s";
                    consumer = new KinesisConsumer(remote, options);
                    break;
            }

            await using (consumer)
            {
                await consumer.StartAsync();
                await Pump.UntilAsync(t, () => log.Records.Count >= expected.Count, "every user record");
            }

            Assert.Equal(expected, log.Data);
        }
        finally
        {
            remote?.Dispose();
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(RecordEntry.AggregateMagicFlag)]
    [InlineData(RecordEntry.AggregateMagicFlag | 1)]
    public void A_kind_that_would_not_publish_or_would_collide_with_the_tag_bit_is_refused_before_anything_is_written(int kind)
    {
        // Kinds are 1 and 2 + key slot, far below bit 30; the Debug invariant keeps it so (tests run in Debug).
        var log = new ShardLog(new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 64 * 1024), maxSegmentSlots: 256, maxSegmentBytes: 64 * 1024);
        Assert.Throws<InvalidOperationException>(() => log.Append("k"u8, "plain payload, longer than twenty"u8, 1, out _, kind));
        Assert.Throws<InvalidOperationException>(() => log.AppendBatch([new PendingRecord("k", 1, "x"u8.ToArray())], 1, out _, kind));
        Assert.Equal(0, log.EndIndex);
    }

    [Fact]
    public async Task A_Lambda_mapping_delivers_an_aggregate_and_a_look_alike_raw_as_stored()
    {
        // Lambda does not de-aggregate: the tag must change nothing a function sees.
        await using var h = new StreamCore.Tests.EventSources.MappingHarness();
        h.RegisterRecorder();
        byte[] aggregate = Aggregate("u-1", "u-2");
        byte[] lookalike = [.. Magic, .. Encoding.UTF8.GetBytes("magic, not an aggregate")];
        h.Stream.Append("k", aggregate);
        var batch = new AppendBatch();
        batch.Add("k", aggregate);
        batch.Add("k", lookalike);
        Assert.Equal(0, h.Stream.Append(batch));
        await h.MapAsync();
        var seen = new List<byte[]>();
        while (seen.Count < 3)
        {
            seen.AddRange((await h.NextAsync()).Records.Select(r => r.Kinesis!.Data!.ToArray()));
        }

        Assert.Equal([aggregate, aggregate, lookalike], seen);
    }

    [Fact]
    public async Task Concurrent_single_and_batch_appends_with_a_concurrent_reader_never_show_a_wrong_tag_and_lose_nothing()
    {
        // Small segments: many rolls while writers and the reader run.
        var log = new ShardLog(new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 32 * 1024), maxSegmentSlots: 256, maxSegmentBytes: 32 * 1024);
        const int Writers = 4, PerWriter = 3000;
        byte[] aggregate = Aggregate("x");

        // Payload: a prefix chosen by n % 3 (an aggregate: tagged; the magic alone: too short; a zero then the magic:
        // not at the start), then 4 bytes writer and 4 bytes n, which tell the reader what to expect.
        static byte[] Payload(int writer, int n, byte[] aggregate)
        {
            byte[] id = new byte[8];
            BitConverter.TryWriteBytes(id.AsSpan(0, 4), writer);
            BitConverter.TryWriteBytes(id.AsSpan(4, 4), n);
            return (n % 3) switch
            {
                0 => [.. aggregate, .. id],
                1 => [.. Magic, .. id],
                _ => [0x00, .. Magic, .. new byte[16], .. id],
            };
        }

        var seen = new HashSet<(int, int)>();
        int wrong = 0;
        long total = (long)Writers * PerWriter;
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reader = Task.Run(() =>
        {
            long next = 0;
            LogPin pin = log.RentPin();
            while (seen.Count < total && !done.IsCancellationRequested)
            {
                pin.BeginRead();
                try
                {
                    LogSlice slice = log.Read(next, 1000, long.MaxValue, long.MinValue);
                    for (int i = 0; i < slice.Count; i++)
                    {
                        RecordEntry e = slice.Segment.Entries[slice.FirstSlot + i];
                        ReadOnlySpan<byte> data = slice.Segment.Arena.AsSpan(e.Offset + e.KeyLength, e.DataLength);
                        int writer = BitConverter.ToInt32(data[^8..^4]);
                        int n = BitConverter.ToInt32(data[^4..]);
                        if (e.Kind != 1 || e.StartsWithAggregateMagic != (n % 3 == 0) || e.StartsWithAggregateMagic != BeginsAsAggregate(data))
                        {
                            Interlocked.Increment(ref wrong);
                        }

                        if (!seen.Add((writer, n)))
                        {
                            Interlocked.Increment(ref wrong); // duplicated
                        }
                    }

                    next = slice.EndIndex;
                }
                finally
                {
                    pin.EndRead();
                }
            }

            log.ReturnPin(pin);
        });

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (int n = 0; n < PerWriter;)
            {
                if (w % 2 == 0)
                {
                    Assert.Equal(AppendStatus.Appended, log.Append("k"u8, Payload(w, n, aggregate), 1, out _));
                    n++;
                }
                else
                {
                    int count = Math.Min(5, PerWriter - n);
                    PendingRecord[] records = [.. Enumerable.Range(n, count).Select(i => new PendingRecord("k", 1, Payload(w, i, aggregate)))];
                    Assert.Equal(AppendStatus.Appended, log.AppendBatch(records, 1, out _));
                    n += count;
                }
            }
        })).ToArray();

        await Task.WhenAll([.. writers, reader]).WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(0, wrong);
        Assert.Equal(total, seen.Count);
    }
}
