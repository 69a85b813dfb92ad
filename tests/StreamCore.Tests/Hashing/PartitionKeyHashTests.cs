using System.Globalization;
using FsCheck.Xunit;
using StreamCore.Hashing;

namespace StreamCore.Tests.Hashing;

public class PartitionKeyHashTests
{
    // Expected values computed independently: int.from_bytes(hashlib.md5(key.encode()).digest(), 'big').
    [Theory]
    [InlineData("user-123", "250018372642977770877286195909578633128")]
    [InlineData("a", "16955237001963240173058271559858726497")]
    [InlineData("partition-key", "171922231538597478840392253176536055210")]
    [InlineData("key1", "258772850759514212175119384033924506317")]
    [InlineData("😀", "55842721998748738903166261021950683062")]
    public void Is_MD5_of_UTF8_as_big_endian_integer(string key, string expected) =>
        Assert.Equal(UInt128.Parse(expected, CultureInfo.InvariantCulture), PartitionKeyHash.Hash(key));

    [Theory]
    [InlineData("0", "Ok")]
    [InlineData("340282366920938463463374607431768211455", "Ok")]
    [InlineData("340282366920938463463374607431768211456", "OutOfRange")]
    [InlineData("999999999999999999999999999999999999999", "OutOfRange")]
    [InlineData("01", "Malformed")]
    [InlineData("-1", "Malformed")]
    [InlineData("", "Malformed")]
    [InlineData("1000000000000000000000000000000000000000", "Malformed")]
    public void Parses_explicit_hash_keys(string text, string expected) =>
        Assert.Equal(expected, PartitionKeyHash.TryParseExplicitHashKey(text, out _).ToString());
}

public class Md5Tests
{
    [Property(MaxTest = 1000)]
    public bool Matches_the_platform_MD5_for_any_input(byte[] message, FsCheck.PositiveInt pad)
    {
        // Vary lengths across the 55/56/64-byte padding boundaries as well as FsCheck's small arrays.
        byte[] input = [.. message, .. new byte[pad.Get % 150]];
#pragma warning disable CA5351 // the reference implementation under comparison
        byte[] expected = System.Security.Cryptography.MD5.HashData(input);
#pragma warning restore CA5351
        return Md5.HashToUInt128(input) == System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(expected);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(119)]
    [InlineData(120)]
    [InlineData(1024)]
    public void Matches_the_platform_MD5_at_padding_boundaries(int length)
    {
        byte[] input = [.. Enumerable.Range(0, length).Select(i => (byte)(i * 31))];
#pragma warning disable CA5351
        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(System.Security.Cryptography.MD5.HashData(input)), Md5.HashToUInt128(input));
#pragma warning restore CA5351
    }
}

public class PartitionKeyHashCacheTests
{
    [Property(MaxTest = 300)]
    public bool Always_returns_the_MD5_of_the_key(FsCheck.NonEmptyString key, FsCheck.PositiveInt repeats)
    {
        var cache = new PartitionKeyHashCache();
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(key.Get);
        UInt128 expected = Md5.HashToUInt128(utf8);
        for (int i = 0; i < (repeats.Get % 5) + 1; i++)
        {
            if (cache.Hash(key.Get, utf8) != expected)
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public async Task Concurrent_readers_and_writers_never_pair_a_key_with_another_keys_hash()
    {
        var cache = new PartitionKeyHashCache();
        string[] keys = [.. Enumerable.Range(0, 20_000).Select(i => "key-" + i)]; // more keys than slots: constant overwrites
        byte[][] utf8 = [.. keys.Select(k => System.Text.Encoding.UTF8.GetBytes(k))];
        UInt128[] expected = [.. utf8.Select(b => Md5.HashToUInt128(b))];
        int wrong = 0;
        Task[] workers = [.. Enumerable.Range(0, 4).Select(w => Task.Run(
            () =>
            {
                var random = new Random(w);
                for (int i = 0; i < 300_000; i++)
                {
                    int k = random.Next(keys.Length) % (i % 3 == 0 ? 64 : keys.Length); // a hot set and a long tail
                    if (cache.Hash(keys[k], utf8[k]) != expected[k])
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            },
            TestContext.Current.CancellationToken))];
        await Task.WhenAll(workers);
        Assert.Equal(0, wrong);
    }
}
