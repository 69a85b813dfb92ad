using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Kinesis;
using StreamCore.Kinesis.Wire;
using StreamCore.Server.Services.Kinesis;

namespace StreamCore.Server.Tests;

/// <summary>
/// The streaming PutRecords and GetRecords writers produce exactly the bytes of the source-generated contracts, for
/// responses read from the engine (page-backed records, encrypted or not, any keys, a closed shard's children) and for
/// records whose members the caller read or replaced.
/// </summary>
public sealed class RecordsJsonWriterTests
{
    private static async Task<byte[]> StreamedAsync(GetRecordsResponse response)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        await KinesisRecordsJsonWriter.WriteAsync(pipe.Writer, response, TestContext.Current.CancellationToken);
        await pipe.Writer.CompleteAsync();
        using var copy = new MemoryStream();
        await pipe.Reader.CopyToAsync(copy, TestContext.Current.CancellationToken);
        return copy.ToArray();
    }

    private static byte[] Streamed(PutRecordsResponse response)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        KinesisRecordsJsonWriter.Write(buffer, response);
        return buffer.WrittenSpan.ToArray();
    }

    private static string Contracted<T>(T value) => Encoding.UTF8.GetString(JsonProtocol.Serialize(value!, JsonProtocol.Contract<T>()));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetRecords_equals_the_contract_for_records_read_from_the_engine(bool encrypted)
    {
        var keys = new InMemoryKmsKeyProvider();
        keys.AddKey("1234abcd-12ab-34cd-56ef-1234567890ab", aliases: "alias/app");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, 250, TimeSpan.Zero));
        using var engine = new StreamEngine(new StreamEngineOptions { TimeProvider = clock, KeyProvider = keys });
        IKinesisClient client = engine.CreateKinesisClient();
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 }, TestContext.Current.CancellationToken);
        if (encrypted)
        {
            await client.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = "alias/app" }, TestContext.Current.CancellationToken);
        }

        var random = new Random(7);
        string[] partitionKeys = ["a", "ключ", "日本語", "😀", "<script>&'\"", "key with spaces", new string('z', 250)];
        for (int i = 0; i < 300; i++)
        {
            byte[] data = new byte[random.Next(0, 700)];
            random.NextBytes(data);
            await client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = partitionKeys[i % partitionKeys.Length] + i, Data = new MemoryStream(data) }, TestContext.Current.CancellationToken);
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(0, 1500))); // arrival seconds change inside the run
        }

        await client.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "1000" }, TestContext.Current.CancellationToken);
        string? iterator = (await client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "s", ShardId = "shardId-000000000000", ShardIteratorType = ShardIteratorType.TRIM_HORIZON }, TestContext.Current.CancellationToken)).ShardIterator;
        GetRecordsResponse page = await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }, TestContext.Current.CancellationToken);
        Assert.Equal(300, page.Records.Count);
        Assert.NotEmpty(page.ChildShards);

        // Streamed first (nothing materialized), then the contract (which reads every member).
        string streamed = Encoding.UTF8.GetString(await StreamedAsync(page));
        Assert.Equal(Contracted(page), streamed);

        // Members read or replaced since: the writer follows what the record says now.
        page.Records[0].SequenceNumber = "49000000000000000000000000000000000000000000000000000001";
        page.Records[1].Data = new MemoryStream([1, 2, 3]);
        page.Records[2].PartitionKey = "replaced";
        _ = page.Records[3].PartitionKey;
        page.Records[4].Data = null;
        Assert.Equal(Contracted(page), Encoding.UTF8.GetString(await StreamedAsync(page)));

        GetRecordsResponse empty = await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = page.NextShardIterator ?? iterator }, TestContext.Current.CancellationToken);
        Assert.Equal(Contracted(empty), Encoding.UTF8.GetString(await StreamedAsync(empty)));
    }

    [Fact]
    public void PutRecords_equals_the_contract_with_successes_and_failures()
    {
        var response = new PutRecordsResponse
        {
            FailedRecordCount = 1,
            EncryptionType = EncryptionType.NONE,
            Records =
            [
                new PutRecordsResultEntry { SequenceNumber = "49646437577175378652512468275256581209501450792884764722", ShardId = "shardId-000000000003" },
                new PutRecordsResultEntry { ErrorCode = "ProvisionedThroughputExceededException", ErrorMessage = "Rate exceeded for shard <x> & \"y\"." },
            ],
        };
        Assert.Equal(Contracted(response), Encoding.UTF8.GetString(Streamed(response)));
        var bare = new PutRecordsResponse();
        Assert.Equal(Contracted(bare), Encoding.UTF8.GetString(Streamed(bare)));
    }
}
