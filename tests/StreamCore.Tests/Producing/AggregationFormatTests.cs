using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using StreamCore.Aggregation;
using StreamCore.Connectors;
using StreamCore.Producing;

namespace StreamCore.Tests.Producing;

/// <summary>The KPL aggregation format: the reference's vector, and both directions against Google.Protobuf.</summary>
public class AggregationFormatTests
{
    private const string VectorBase64 = "84mawgoBYQoBYhoFCAAaAXgaBQgBGgF5sAMZCa51iRypSs7C7M4xJQ==";

    internal static async Task<List<SinkRecord>> AggregateAsync(IEnumerable<(string Key, string? HashKey, byte[] Data)> records, KinesisProducerOptions? options = null)
    {
        var sink = new CapturingSink();
        await using (var producer = new KinesisProducer(sink, options ?? new KinesisProducerOptions(), null, null))
        {
            var pending = new List<ValueTask<UserRecordResult>>();
            foreach ((string key, string? hashKey, byte[] data) in records)
            {
                pending.Add(producer.AddAsync(key, data, hashKey));
            }

            await producer.FlushAsync();
            foreach (ValueTask<UserRecordResult> p in pending)
            {
                await p;
            }
        }

        return [.. sink.Calls.SelectMany(c => c)];
    }

    [Fact]
    public async Task Two_user_records_aggregate_to_the_reference_bytes()
    {
        List<SinkRecord> sent = await AggregateAsync([("a", null, "x"u8.ToArray()), ("b", null, "y"u8.ToArray())]);
        SinkRecord only = Assert.Single(sent);
        Assert.Equal(VectorBase64, Convert.ToBase64String(only.Data.Span));
        Assert.Equal("0A01610A01621A0508001A01781A0508011A0179", Convert.ToHexString(only.Data.Span[4..^16]));
        Assert.Equal("a", only.PartitionKey); // the KPL's constant partition key
        Assert.Equal(StreamCore.Hashing.PartitionKeyHash.Hash("a"), only.ExplicitHashKey); // the first record's hash key
        Assert.Equal(UInt128.Parse("16955237001963240173058271559858726497"), only.ExplicitHashKey);
    }

    [Fact]
    public void The_reference_bytes_deaggregate_with_subsequence_numbers()
    {
        var users = new List<DeaggregatedRecord>();
        new RecordDeaggregator().Deaggregate(Convert.FromBase64String(VectorBase64), "a", null, null, users);
        Assert.Equal(["a", "b"], users.Select(u => u.PartitionKey));
        Assert.Equal(["x", "y"], users.Select(u => System.Text.Encoding.UTF8.GetString(u.Data.Span)));
        Assert.Equal([0L, 1L], users.Select(u => u.SubSequenceNumber));
        Assert.All(users, u => Assert.True(u.IsAggregated));
    }

    [Fact]
    public async Task A_single_user_record_goes_out_plain_with_its_own_key()
    {
        SinkRecord only = Assert.Single(await AggregateAsync([("k", null, "v"u8.ToArray())]));
        Assert.Equal("k", only.PartitionKey);
        Assert.Equal("v"u8.ToArray(), only.Data.ToArray());
    }

    [Fact]
    public void Bad_frames_and_bad_protobuf_pass_through_unchanged()
    {
        byte[] vector = Convert.FromBase64String(VectorBase64);
        byte[] badDigest = [.. vector];
        badDigest[^1] ^= 1;
        byte[] badProtobuf = [.. AggregatedRecordFormat.Magic, 0xFF, 0xFF, .. new byte[16]];
        System.Security.Cryptography.MD5.HashData(badProtobuf.AsSpan(4, 2), badProtobuf.AsSpan(6));
        foreach (byte[] data in new[] { badDigest, badProtobuf, "plain"u8.ToArray(), vector[..20] })
        {
            var users = new List<DeaggregatedRecord>();
            new RecordDeaggregator().Deaggregate(data, "pk", null, null, users);
            DeaggregatedRecord user = Assert.Single(users);
            Assert.False(user.IsAggregated);
            Assert.Equal(data, user.Data.ToArray());
            Assert.Equal("pk", user.PartitionKey);
        }
    }

    [Fact]
    public void An_aggregate_with_a_key_outside_the_shard_is_dropped_whole_counted()
    {
        var deaggregator = new RecordDeaggregator();
        var users = new List<DeaggregatedRecord>();
        UInt128 a = StreamCore.Hashing.PartitionKeyHash.Hash("a");
        int kept = deaggregator.Deaggregate(Convert.FromBase64String(VectorBase64), "a", null, new HashKeyRange(a, a), users);
        Assert.Equal(0, kept);
        Assert.Empty(users);
        Assert.Equal(2, deaggregator.DroppedRecordCount);
        Assert.Equal(1, deaggregator.DroppedAggregateCount);
        Assert.Equal(2, deaggregator.Deaggregate(Convert.FromBase64String(VectorBase64), "a", null, HashKeyRange.All, users));
    }

    private static Arbitrary<(string Key, string? HashKey, byte[] Data)[]> Records() =>
        Gen.ArrayOf(
            from key in Gen.Elements("a", "b", "key-1", "ключ", "日本", new string('k', 256))
            from hashKey in Gen.Elements<string?>(null, null, "0", "42", "340282366920938463463374607431768211455")
            from data in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>())
            select (key, hashKey, data)).ToArbitrary();

    [Fact]
    public void Producer_aggregates_parse_with_google_protobuf_to_the_same_user_records()
    {
        Prop.ForAll(Records(), records =>
        {
            List<SinkRecord> sent = AggregateAsync(records, new KinesisProducerOptions { AggregationMaxSize = 2048 }).GetAwaiter().GetResult();
            var decoded = new List<(string, string?, byte[])>();
            foreach (SinkRecord record in sent)
            {
                byte[] data = record.Data.ToArray();
                if (!RecordDeaggregator.IsAggregate(data))
                {
                    decoded.Add((record.PartitionKey, record.ExplicitHashKeyText, data));
                    continue;
                }

                decoded.AddRange(ReferenceCodec.Decode(data[4..^16]));
                Assert.Equal(System.Security.Cryptography.MD5.HashData(data.AsSpan(4, data.Length - 20)), data[^16..]);
            }

            Assert.Equal(records.Select(r => (r.Key, r.HashKey, Convert.ToHexString(r.Data))), decoded.Select(d => (d.Item1, d.Item2, Convert.ToHexString(d.Item3))));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Google_protobuf_aggregates_deaggregate_to_the_same_user_records()
    {
        Prop.ForAll(Records(), records =>
        {
            byte[] protobuf = ReferenceCodec.Encode(records);
            byte[] aggregate = [.. AggregatedRecordFormat.Magic, .. protobuf, .. System.Security.Cryptography.MD5.HashData(protobuf)];
            var users = new List<DeaggregatedRecord>();
            new RecordDeaggregator().Deaggregate(aggregate, "a", null, null, users);
            if (records.Length == 0)
            {
                Assert.False(Assert.Single(users).IsAggregated); // no protobuf after the magic: not an aggregate (KCL)
                return;
            }

            Assert.Equal(records.Select(r => (r.Key, r.HashKey, Convert.ToHexString(r.Data))), users.Select(u => (u.PartitionKey, u.ExplicitHashKey, Convert.ToHexString(u.Data.Span))));
            Assert.Equal(Enumerable.Range(0, records.Length).Select(i => (long)i), users.Select(u => u.SubSequenceNumber));
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>The AggregatedRecord message written and read with Google.Protobuf's coded streams (records before tables, to test field order).</summary>
    private static class ReferenceCodec
    {
        public static byte[] Encode((string Key, string? HashKey, byte[] Data)[] records)
        {
            var keys = records.Select(r => r.Key).Distinct().ToList();
            var hashKeys = records.Where(r => r.HashKey is not null).Select(r => r.HashKey!).Distinct().ToList();
            using var stream = new MemoryStream();
            var output = new CodedOutputStream(stream);
            foreach ((string key, string? hashKey, byte[] data) in records)
            {
                using var inner = new MemoryStream();
                var record = new CodedOutputStream(inner);
                record.WriteTag(1, WireFormat.WireType.Varint);
                record.WriteUInt64((ulong)keys.IndexOf(key));
                if (hashKey is not null)
                {
                    record.WriteTag(2, WireFormat.WireType.Varint);
                    record.WriteUInt64((ulong)hashKeys.IndexOf(hashKey));
                }

                record.WriteTag(3, WireFormat.WireType.LengthDelimited);
                record.WriteBytes(ByteString.CopyFrom(data));
                record.Flush();
                output.WriteTag(3, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(inner.ToArray()));
            }

            foreach (string key in keys)
            {
                output.WriteTag(1, WireFormat.WireType.LengthDelimited);
                output.WriteString(key);
            }

            foreach (string key in hashKeys)
            {
                output.WriteTag(2, WireFormat.WireType.LengthDelimited);
                output.WriteString(key);
            }

            output.Flush();
            return stream.ToArray();
        }

        public static List<(string, string?, byte[])> Decode(byte[] protobuf)
        {
            var keys = new List<string>();
            var hashKeys = new List<string>();
            var records = new List<(ulong Key, ulong? HashKey, byte[] Data)>();
            var input = new CodedInputStream(protobuf);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: keys.Add(input.ReadString()); break;
                    case 2: hashKeys.Add(input.ReadString()); break;
                    case 3:
                        var inner = new CodedInputStream(input.ReadBytes().ToByteArray());
                        ulong key = 0;
                        ulong? hashKey = null;
                        byte[] data = [];
                        uint innerTag;
                        while ((innerTag = inner.ReadTag()) != 0)
                        {
                            switch (WireFormat.GetTagFieldNumber(innerTag))
                            {
                                case 1: key = inner.ReadUInt64(); break;
                                case 2: hashKey = inner.ReadUInt64(); break;
                                case 3: data = inner.ReadBytes().ToByteArray(); break;
                                default: inner.SkipLastField(); break;
                            }
                        }

                        records.Add((key, hashKey, data));
                        break;
                    default: input.SkipLastField(); break;
                }
            }

            return [.. records.Select(r => (keys[(int)r.Key], r.HashKey is { } h ? hashKeys[(int)h] : null, r.Data))];
        }
    }
}
