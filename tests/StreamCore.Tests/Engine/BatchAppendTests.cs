using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Engine;

/// <summary>
/// <see cref="DataStream.Append(AppendBatch)"/> is a faster way to do what single appends do: the same records land on
/// the same shards, in the same order per shard, with the same arrival time; a batch that breaks the rules stores nothing.
/// </summary>
public class BatchAppendTests
{
    /// <summary>One record as a reader sees it.</summary>
    private sealed record Seen(string ShardId, string PartitionKey, string Data, long ArrivalMs);

    private static List<Seen> ReadAll(DataStream stream)
    {
        var seen = new List<Seen>();
        foreach (ShardInfo shard in stream.Shards)
        {
            using ShardReader reader = stream.OpenReader(shard.ShardId, ShardPosition.TrimHorizon, maxBatchRecords: 7);
            while (reader.TryRead(out RecordBatch batch))
            {
                foreach (StreamRecord r in batch)
                {
                    seen.Add(new Seen(shard.ShardId.ToString(), r.PartitionKey, Encoding.UTF8.GetString(r.Data.Span), r.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds()));
                }
            }
        }

        return seen;
    }

    /// <summary>A record to append: key, optional explicit hash key, payload.</summary>
    public sealed record Input(string Key, UInt128? HashKey, byte[] Data);

    private static Arbitrary<Input[]> Inputs()
    {
        Gen<string> key = Gen.OneOf(
            Gen.Elements("a", "b", "user-1", "ключ", "日本", "😀x"),
            ArbMap.Default.GeneratorFor<NonEmptyString>().Select(s => s.Get.Length > 256 ? s.Get[..256] : s.Get));
        Gen<UInt128?> hash = Gen.Frequency(
            (3, Gen.Constant<UInt128?>(null)),
            (1, ArbMap.Default.GeneratorFor<ulong>().Select(x => (UInt128?)((UInt128)x << 64 | x))));
        Gen<byte[]> data = Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));
        Gen<Input> input = key.SelectMany(k => hash.SelectMany(h => data.Select(d => new Input(k, h, d))));
        return Gen.Choose(1, 120).SelectMany(n => Gen.ArrayOf(input, n)).ToArbitrary();
    }

    public static class Generators
    {
        public static Arbitrary<Input[]> InputArrays() => Inputs();
    }

    [Property(MaxTest = 120, Arbitrary = [typeof(Generators)])]
    public bool Equals_single_appends_of_the_same_records(Input[] inputs, PositiveInt shards, bool encrypted)
    {
        int shardCount = (shards.Get % 6) + 1;
        using var single = new TestEngine(o => o.KeyProvider = Keys());
        using var batched = new TestEngine(o => o.KeyProvider = Keys());
        DataStream a = Create(single, shardCount, encrypted);
        DataStream b = Create(batched, shardCount, encrypted);
        var singleResults = new List<AppendResult>();
        foreach (Input r in inputs)
        {
            singleResults.Add(r.HashKey is { } h ? a.Append(r.Key, h, r.Data) : a.Append(r.Key, r.Data));
        }

        var batch = new AppendBatch(capacity: 4); // grows
        foreach (Input r in inputs)
        {
            if (r.HashKey is { } h)
            {
                batch.Add(r.Key, h, r.Data);
            }
            else
            {
                batch.Add(r.Key, r.Data);
            }
        }

        if (b.Append(batch) != 0 || batch.Results.Length != inputs.Length)
        {
            return false;
        }

        // Same shards and the same sequence numbers record for record; the same records read back, shard by shard.
        for (int i = 0; i < inputs.Length; i++)
        {
            if (batch.Results[i] != singleResults[i] || batch.ErrorAt(i) is not null)
            {
                return false;
            }
        }

        return ReadAll(a).SequenceEqual(ReadAll(b));
    }

    private static Arbitrary<Input[]> RepeatingKeys()
    {
        // Few key instances (literals are interned, so a key repeats as the same string): runs of one key, whose bytes
        // and MD5 a batch reuses, mixed with explicit hash keys on the same key.
        Gen<string> key = Gen.Frequency((6, Gen.Constant("hot")), (2, Gen.Constant("warm")), (1, Gen.Constant("ключ-😀")));
        Gen<UInt128?> hash = Gen.Frequency(
            (5, Gen.Constant<UInt128?>(null)),
            (1, ArbMap.Default.GeneratorFor<ulong>().Select(x => (UInt128?)((UInt128)x << 64 | x))));
        Gen<byte[]> data = Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));
        Gen<Input> input = key.SelectMany(k => hash.SelectMany(h => data.Select(d => new Input(k, h, d))));
        return Gen.Choose(1, 60).SelectMany(n => Gen.ArrayOf(input, n)).ToArbitrary();
    }

    public static class RepeatingGenerators
    {
        public static Arbitrary<Input[]> InputArrays() => RepeatingKeys();
    }

    /// <summary>
    /// Repeated keys and a reused batch: two batches through one <see cref="AppendBatch"/> (cleared between) equal single
    /// appends, results read after each append (they are made when first read).
    /// </summary>
    [Property(MaxTest = 120, Arbitrary = [typeof(RepeatingGenerators)])]
    public bool Equals_single_appends_when_keys_repeat_and_the_batch_is_reused(Input[] first, Input[] second, PositiveInt shards, bool encrypted)
    {
        int shardCount = (shards.Get % 5) + 1;
        using var single = new TestEngine(o => o.KeyProvider = Keys());
        using var batched = new TestEngine(o => o.KeyProvider = Keys());
        DataStream a = Create(single, shardCount, encrypted);
        DataStream b = Create(batched, shardCount, encrypted);
        var batch = new AppendBatch(capacity: 2);
        foreach (Input[] inputs in new[] { first, second })
        {
            var singleResults = inputs.Select(r => r.HashKey is { } h ? a.Append(r.Key, h, r.Data) : a.Append(r.Key, r.Data)).ToList();
            batch.Clear();
            foreach (Input r in inputs)
            {
                if (r.HashKey is { } h)
                {
                    batch.Add(r.Key, h, r.Data);
                }
                else
                {
                    batch.Add(r.Key, r.Data);
                }
            }

            if (b.Append(batch) != 0 || !batch.Results.SequenceEqual(singleResults.ToArray()) || !batch.Results.SequenceEqual(singleResults.ToArray()))
            {
                return false;
            }
        }

        return ReadAll(a).SequenceEqual(ReadAll(b));
    }

    private static InMemoryKmsKeyProvider Keys()
    {
        var keys = new InMemoryKmsKeyProvider();
        keys.AddKey("1234abcd-12ab-34cd-56ef-1234567890ab", aliases: "alias/app");
        return keys;
    }

    private static DataStream Create(TestEngine t, int shards, bool encrypted)
    {
        DataStream stream = t.Engine.CreateStream("s", shards);
        if (encrypted)
        {
            t.Client.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "s", EncryptionType = EncryptionType.KMS, KeyId = "alias/app" }).GetAwaiter().GetResult();
        }

        return stream;
    }

    [Fact]
    public void Reads_the_clock_once_per_batch()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 3);
        var batch = new AppendBatch();
        for (int i = 0; i < 50; i++)
        {
            batch.Add("k" + i, "x"u8);
        }

        Assert.Equal(0, stream.Append(batch));
        List<Seen> seen = ReadAll(stream);
        Assert.Equal(50, seen.Count);
        Assert.Single(seen.Select(s => s.ArrivalMs).Distinct());
        Assert.Equal(TestEngine.Start.ToUnixTimeMilliseconds(), seen[0].ArrivalMs);
    }

    [Fact]
    public void A_record_over_the_size_limit_rejects_the_whole_batch_and_stores_nothing()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        var batch = new AppendBatch();
        batch.Add("a", "first"u8);
        batch.Add("b", new byte[(1024 * 1024) + 1]); // over the default 1 MiB record size
        batch.Add("c", "last"u8);
        InvalidArgumentException error = Assert.Throws<InvalidArgumentException>(() => stream.Append(batch));
        Assert.Contains("1048578", error.Message, StringComparison.Ordinal); // the record's size as Kinesis counts it: key plus data
        Assert.Empty(ReadAll(stream));
        Assert.True(batch.Results.IsEmpty);
    }

    [Fact]
    public void A_bad_partition_key_is_refused_when_added()
    {
        var batch = new AppendBatch();
        Assert.Throws<ValidationException>(() => batch.Add("", "x"u8));
        Assert.Throws<ValidationException>(() => batch.Add(new string('k', 257), "x"u8));
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void A_deleted_stream_stores_nothing()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        t.Engine.DeleteStream("s");
        var batch = new AppendBatch();
        batch.Add("a", "x"u8);
        Assert.Equal(1, stream.Append(batch)); // refused as PutRecords refuses it: the stream's logs are gone
        Assert.IsType<ResourceNotFoundException>(batch.ErrorAt(0));
        Assert.Equal(default, batch.Results[0]);
    }

    [Fact]
    public void A_batch_is_reusable_and_its_results_follow_the_last_append()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 2);
        var batch = new AppendBatch(capacity: 2);
        batch.Add("a", "1"u8);
        batch.Add("b", "2"u8);
        stream.Append(batch);
        AppendResult[] first = batch.Results.ToArray();
        batch.Clear();
        Assert.True(batch.Results.IsEmpty);
        batch.Add("a", "3"u8);
        stream.Append(batch);
        Assert.Equal(1, batch.Results.Length);
        Assert.Equal(first[0].ShardId, batch.Results[0].ShardId); // same key, same shard
        Assert.True(batch.Results[0].SequenceNumber > first[0].SequenceNumber);
        Assert.Equal(["1", "2", "3"], ReadAll(stream).Select(s => s.Data).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Throttled_records_are_refused_one_by_one_and_the_rest_are_stored()
    {
        using var t = new TestEngine(o => o.Throughput = new ThroughputLimits { ShardWriteRecordsPerSecond = 3 });
        DataStream stream = t.Engine.CreateStream("s", 1);
        var batch = new AppendBatch();
        for (int i = 0; i < 5; i++)
        {
            batch.Add("k", Encoding.UTF8.GetBytes("r" + i));
        }

        Assert.Equal(2, stream.Append(batch));
        Assert.Null(batch.ErrorAt(2));
        Assert.IsType<ProvisionedThroughputExceededException>(batch.ErrorAt(3));
        Assert.Equal(default, batch.Results[4]);
        Assert.Equal(["r0", "r1", "r2"], ReadAll(stream).Select(s => s.Data));
    }

    [Fact]
    public async Task Batches_appended_while_the_stream_reshards_lose_and_duplicate_nothing()
    {
        using var engine = new StreamEngine();
        DataStream stream = engine.CreateStream("s", 2);
        const int Batches = 300, PerBatch = 50;
        var results = new Dictionary<string, string>(); // payload -> the shard and sequence number its result named
        Task writer = Task.Run(() =>
        {
            var batch = new AppendBatch(PerBatch);
            for (int b = 0; b < Batches; b++)
            {
                batch.Clear();
                for (int i = 0; i < PerBatch; i++)
                {
                    batch.Add("key-" + (i % 13), Encoding.UTF8.GetBytes(b + "/" + i));
                }

                Assert.Equal(0, stream.Append(batch));
                for (int i = 0; i < PerBatch; i++)
                {
                    results.Add(b + "/" + i, $"{batch.Results[i].ShardId}:{batch.Results[i].SequenceNumber}");
                }
            }
        }, TestContext.Current.CancellationToken);
        for (int i = 0; i < 3 && !writer.IsCompleted; i++)
        {
            stream.UpdateShardCount(stream.Shards.Count(s => s.IsOpen) * 2);
            await Task.Yield();
        }

        await writer;
        List<string> seen = [];
        await using IAsyncEnumerator<RecordBatch> all = stream.ReadStreamAsync(ShardPosition.TrimHorizon, TestContext.Current.CancellationToken).GetAsyncEnumerator();
        while (seen.Count < Batches * PerBatch && await all.MoveNextAsync())
        {
            foreach (StreamRecord r in all.Current)
            {
                string payload = Encoding.UTF8.GetString(r.Data.Span);
                seen.Add(payload);
                Assert.Equal(results[payload], $"{all.Current.ShardId}:{r.SequenceNumber}"); // results name where each record is, also when a reshard rerouted it
            }
        }

        Assert.Equal(Batches * PerBatch, seen.Count);
        Assert.Equal(Batches * PerBatch, seen.Distinct().Count());

        // Per key, in the order written (the follower reads parents before children).
        foreach (IGrouping<int, (int B, int I)> key in seen.Select(s => s.Split('/')).Select(p => (B: int.Parse(p[0]), I: int.Parse(p[1]))).GroupBy(x => x.I % 13))
        {
            Assert.Equal(key.OrderBy(x => x.B).ThenBy(x => x.I), key);
        }
    }
}
