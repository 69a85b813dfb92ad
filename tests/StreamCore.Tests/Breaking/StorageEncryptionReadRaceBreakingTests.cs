using System.Text;
using StreamCore.Engine;
using StreamCore.Storage;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Breaking;

/// <summary>
/// Breaker's tests of a read that races the start of a stream's encryption: a record encrypted under a key the stream
/// got after the read took its list of keys must still come out decrypted (not as ciphertext, not as an exception).
/// </summary>
public sealed class StorageEncryptionReadRaceBreakingTests
{
    private const string AppKey = "alias/app";

    private static TestEngine WithKeys()
    {
        var provider = new InMemoryKmsKeyProvider();
        provider.AddKey("1234abcd-12ab-34cd-56ef-1234567890ab", aliases: AppKey);
        return new TestEngine(o => o.KeyProvider = provider);
    }

    /// <summary>Starts encryption under <paramref name="keyId"/> and appends <paramref name="text"/>, at the first "read.begun" of this thread.</summary>
    private static void AtFirstReadBegun(TestEngine t, string keyId, string text)
    {
        bool done = false;
        Interleaving.SetHook(point =>
        {
            if (point == "read.begun" && !done)
            {
                done = true;
                t.Engine.StartEncryption(t.Engine.Resolve("s", null), keyId);
                t.Engine.GetStream("s").Append("k", Encoding.UTF8.GetBytes(text));
            }
        });
    }

    private static List<string> ReadAll(DataStream stream)
    {
        var texts = new List<string>();
        using ShardReader reader = stream.OpenReader(stream.Shards[0].ShardId, ShardPosition.TrimHorizon);
        try
        {
            while (reader.TryRead(out RecordBatch batch) && batch.Count > 0)
            {
                foreach (StreamRecord record in batch)
                {
                    texts.Add(Encoding.UTF8.GetString(record.Data.Span));
                }
            }
        }
        finally
        {
            Interleaving.SetHook(null);
        }

        return texts;
    }

    [Fact]
    public async Task A_reader_that_took_the_key_list_of_a_never_encrypted_stream_decrypts_a_record_encrypted_as_it_reads()
    {
        using TestEngine t = WithKeys();
        await t.CreateAsync("s", 1);
        DataStream stream = t.Engine.GetStream("s");
        stream.Append("k", "plain"u8);
        AtFirstReadBegun(t, InMemoryKmsKeyProvider.AwsManagedKinesisAlias, "encrypted in between");
        Assert.Equal(["plain", "encrypted in between"], ReadAll(stream));
    }

    [Fact]
    public async Task A_reader_that_took_the_key_list_before_a_key_rotation_decrypts_a_record_under_the_new_key()
    {
        using TestEngine t = WithKeys();
        await t.CreateAsync("s", 1);
        DataStream stream = t.Engine.GetStream("s");
        t.Engine.StartEncryption(t.Engine.Resolve("s", null), InMemoryKmsKeyProvider.AwsManagedKinesisAlias);
        stream.Append("k", "under the first key"u8);
        AtFirstReadBegun(t, AppKey, "under the second key");
        Assert.Equal(["under the first key", "under the second key"], ReadAll(stream));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_GetRecords_call_decrypts_a_record_encrypted_under_a_key_the_stream_got_during_the_call(bool encryptedBefore)
    {
        using TestEngine t = WithKeys();
        await t.CreateAsync("s", 1);
        StreamState state = t.Engine.Resolve("s", null);
        DataStream stream = t.Engine.GetStream("s");
        if (encryptedBefore)
        {
            t.Engine.StartEncryption(state, InMemoryKmsKeyProvider.AwsManagedKinesisAlias);
        }

        stream.Append("k", "first"u8);
        var texts = new List<string>();
        t.Engine.GetRecords(state, state.Shards[0], 0, 10, t.Engine.NowMs, null, texts, (list, record) =>
        {
            list.Add(Encoding.UTF8.GetString(record.Data.Span));
            if (list.Count == 1)
            {
                // A writer encrypts under a key the stream gets while this call is reading.
                t.Engine.StartEncryption(state, encryptedBefore ? AppKey : InMemoryKmsKeyProvider.AwsManagedKinesisAlias);
                stream.Append("k", "second"u8);
            }
        });
        Assert.Equal(["first", "second"], texts);
    }
}
