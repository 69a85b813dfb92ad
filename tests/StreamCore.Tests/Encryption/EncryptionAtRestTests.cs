using System.Text;
using StreamCore.Engine;
using StreamCore.Kinesis;
using StreamCore.Storage;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Encryption;

public class EncryptionAtRestTests
{
    private static TestEngine WithKeys(out InMemoryKmsKeyProvider keys)
    {
        var provider = new InMemoryKmsKeyProvider();
        provider.AddKey("1234abcd-12ab-34cd-56ef-1234567890ab", aliases: "alias/app");
        keys = provider;
        return new TestEngine(o => o.KeyProvider = provider);
    }

    private static Task<StartStreamEncryptionResponse> StartAsync(TestEngine t, string keyId) =>
        t.Client.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = keyId });

    private static Task<PutRecordResponse> PutAsync(TestEngine t, string text) =>
        t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = TestEngine.Bytes(text) });

    /// <summary>Every byte the shard's storage holds, as the engine stored it.</summary>
    private static byte[] StoredBytes(TestEngine t)
    {
        ShardLog log = t.Engine.Resolve("s", null).Shards[0].Log;
        LogPin pin = log.Pin();
        pin.BeginRead();
        var bytes = new List<byte>();
        for (long next = 0; ;)
        {
            LogSlice slice = log.Read(next, 10_000, long.MaxValue, long.MinValue);
            if (slice.Count == 0)
            {
                break;
            }

            for (int i = 0; i < slice.Count; i++)
            {
                ref RecordEntry e = ref slice.Segment.Entries[slice.FirstSlot + i];
                bytes.AddRange(slice.Segment.Arena.AsSpan(e.Offset, e.KeyLength + e.DataLength).ToArray());
            }

            next = slice.EndIndex;
        }

        pin.EndRead();
        log.Unpin(pin);
        return [.. bytes];
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    [Fact]
    public async Task Records_written_after_StartStreamEncryption_are_not_stored_in_the_clear_and_read_back_decrypted()
    {
        using TestEngine t = WithKeys(out _);
        await t.CreateAsync("s", 1);
        await PutAsync(t, "plain before encryption");
        await StartAsync(t, InMemoryKmsKeyProvider.AwsManagedKinesisAlias);
        PutRecordResponse put = await PutAsync(t, "top secret payload");
        Assert.Equal(EncryptionType.KMS, put.EncryptionType);
        await t.Client.PutRecordsAsync(new PutRecordsRequest { StreamName = "s", Records = [new PutRecordsRequestEntry { PartitionKey = "k", Data = TestEngine.Bytes("batched secret") }] });
        t.Engine.GetStream("s").Append("k", "event-bus secret"u8);

        byte[] stored = StoredBytes(t);
        Assert.True(Contains(stored, "plain before encryption"));
        Assert.False(Contains(stored, "top secret payload"));
        Assert.False(Contains(stored, "batched secret"));
        Assert.False(Contains(stored, "event-bus secret"));

        GetRecordsResponse read = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON) });
        Assert.Equal(["plain before encryption", "top secret payload", "batched secret", "event-bus secret"], read.Records.Select(r => TestEngine.Text(r.Data)));
        Assert.Equal([EncryptionType.NONE, EncryptionType.KMS, EncryptionType.KMS, EncryptionType.KMS], read.Records.Select(r => r.EncryptionType));

        using ShardReader reader = t.Engine.GetStream("s").OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        Assert.True(reader.TryRead(out RecordBatch batch));
        var texts = new List<string>();
        foreach (StreamRecord record in batch)
        {
            texts.Add(Encoding.UTF8.GetString(record.Data.Span));
        }

        Assert.Equal(["plain before encryption", "top secret payload", "batched secret", "event-bus secret"], texts);
    }

    [Fact]
    public async Task Unknown_disabled_and_inaccessible_keys_give_the_KMS_errors_and_change_nothing()
    {
        using TestEngine t = WithKeys(out InMemoryKmsKeyProvider keys);
        await t.CreateAsync("s", 1);
        await Assert.ThrowsAsync<KMSNotFoundException>(() => StartAsync(t, "alias/nobody"));
        keys.DisableKey("alias/app");
        await Assert.ThrowsAsync<KMSDisabledException>(() => StartAsync(t, "alias/app"));
        keys.EnableKey("alias/app");
        keys.DenyAccess("1234abcd-12ab-34cd-56ef-1234567890ab");
        await Assert.ThrowsAsync<KMSAccessDeniedException>(() => StartAsync(t, "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
        Assert.Equal(EncryptionType.NONE, (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" })).StreamDescriptionSummary!.EncryptionType);
        keys.AllowAccess("alias/app");

        await StartAsync(t, "arn:aws:kms:us-east-1:000000000000:alias/app");
        await PutAsync(t, "under app key");
        keys.DisableKey("alias/app");
        await Assert.ThrowsAsync<KMSDisabledException>(() => PutAsync(t, "refused"));
        string iterator = await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON);
        await Assert.ThrowsAsync<KMSDisabledException>(() => t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }));
        keys.EnableKey("alias/app");
        Assert.Equal(["under app key"], await t.DrainAsync(iterator));
    }

    [Fact]
    public async Task Every_key_generation_stays_readable_after_rotation_and_stop()
    {
        using TestEngine t = WithKeys(out _);
        await t.CreateAsync("s", 1);
        await StartAsync(t, InMemoryKmsKeyProvider.AwsManagedKinesisAlias);
        await PutAsync(t, "under the AWS key");
        await t.Client.StopStreamEncryptionAsync(new StopStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = InMemoryKmsKeyProvider.AwsManagedKinesisAlias });
        PutRecordResponse plain = await PutAsync(t, "after stopping");
        Assert.Equal(EncryptionType.NONE, plain.EncryptionType);
        await StartAsync(t, "alias/app");
        await PutAsync(t, "under the app key");
        Assert.Equal(["under the AWS key", "after stopping", "under the app key"], await t.DrainAsync(await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON)));
        Assert.False(Contains(StoredBytes(t), "under the app key"));
    }

    [Fact]
    public async Task Subscriptions_push_decrypted_records()
    {
        using TestEngine t = WithKeys(out _);
        await t.CreateAsync("s", 1);
        await StartAsync(t, "alias/app");
        await PutAsync(t, "pushed secret");
        string consumer = (await t.Client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = t.Engine.GetStream("s").Arn, ConsumerName = "c" })).Consumer!.ConsumerARN!;
        SubscribeToShardResponse sub = await t.Client.SubscribeToShardAsync(new SubscribeToShardRequest { ConsumerARN = consumer, ShardId = "0", StartingPosition = new StreamCore.Kinesis.StartingPosition { Type = ShardIteratorType.TRIM_HORIZON } });
        await using IAsyncEnumerator<SubscribeToShardEvent> events = sub.EventStream!.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["pushed secret"], events.Current.Records.Select(r => TestEngine.Text(r.Data)));
        Assert.Equal(EncryptionType.KMS, events.Current.Records[0].EncryptionType);
    }

    [Fact]
    public async Task Large_encrypted_records_round_trip()
    {
        using TestEngine t = WithKeys(out _);
        await t.CreateAsync("s", 1);
        await StartAsync(t, "alias/app");
        byte[] big = new byte[(1024 * 1024) - 2];
        new Random(7).NextBytes(big);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new MemoryStream(big) });
        t.Engine.GetStream("s").Append("k", big);
        GetRecordsResponse read = await t.Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await t.IteratorAsync("s", "0", ShardIteratorType.TRIM_HORIZON) });
        Assert.All(read.Records, r => Assert.True(r.Data!.ToArray().AsSpan().SequenceEqual(big)));
        Assert.Equal(2, read.Records.Count);
    }
}
