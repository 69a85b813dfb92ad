using System.Globalization;
using System.Numerics;
using FsCheck.Xunit;

namespace StreamCore.Tests.Primitives;

public class SequenceNumberTests
{
    [Fact]
    public void Has_AWS_layout_and_56_digits()
    {
        // Expected value computed independently from the layout: 2 | create(9 hex) | shard&F | seq(16) | 00 | arrival(9) | shard(8) | 2.
        var number = new SequenceNumber(1_700_000_000, 3, 5, 1_700_000_042);
        Assert.Equal("49646437577175378652512468275256581209501450792884764722", number.ToString());
        Assert.Equal(56, number.ToString().Length);
    }

    [Fact]
    public void Shards_created_in_the_same_second_differ_by_the_recorded_step()
    {
        BigInteger zero = BigInteger.Parse(new SequenceNumber(1_700_000_000, 0, 0, 1_700_000_000).ToString(), CultureInfo.InvariantCulture);
        BigInteger one = BigInteger.Parse(new SequenceNumber(1_700_000_000, 1, 0, 1_700_000_000).ToString(), CultureInfo.InvariantCulture);
        Assert.Equal(BigInteger.Parse("22300745198530623141535718272648361505980432", CultureInfo.InvariantCulture), one - zero);
    }

    [Fact]
    public void Round_trips_its_fields()
    {
        var number = new SequenceNumber(1_700_000_000, 0x1234_5678, long.MaxValue, (1L << 36) - 1);
        Assert.True(SequenceNumber.TryParse(number.ToString(), out SequenceNumber parsed));
        Assert.Equal(number, parsed);
        Assert.Equal(0x1234_5678, parsed.ShardIndex);
        Assert.Equal(long.MaxValue, parsed.SequenceIndex);
        Assert.Equal(1_700_000_000, parsed.ShardCreationSeconds);
        Assert.Equal(new ShardId(0x1234_5678), parsed.ShardId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("12345678901234567890")]
    [InlineData("49646437577175378652512468275256581209501450792884764723")] // version digit 3
    [InlineData("4964643757717537865251246827525658120950145079288476472x")]
    [InlineData("999999999999999999999999999999999999999999999999999999999999")]
    public void Rejects_malformed_numbers(string text) => Assert.False(SequenceNumber.TryParse(text, out _));

    [Property]
    public bool Parse_inverts_format(uint create, int shard, long index, uint arrival)
    {
        var number = new SequenceNumber(create, shard & int.MaxValue, index & long.MaxValue, arrival);
        return SequenceNumber.TryParse(number.ToString(), out SequenceNumber parsed) && parsed == number;
    }

    [Property]
    public bool Order_is_numeric_order(uint c1, int s1, long i1, uint a1, uint c2, int s2, long i2, uint a2)
    {
        var x = new SequenceNumber(c1, s1 & int.MaxValue, i1 & long.MaxValue, a1);
        var y = new SequenceNumber(c2, s2 & int.MaxValue, i2 & long.MaxValue, a2);
        BigInteger bx = BigInteger.Parse(x.ToString(), CultureInfo.InvariantCulture);
        BigInteger by = BigInteger.Parse(y.ToString(), CultureInfo.InvariantCulture);
        return Math.Sign(x.CompareTo(y)) == Math.Sign(bx.CompareTo(by));
    }

    [Property]
    public bool Within_a_shard_later_writes_sort_higher(uint create, int shard, long index, uint arrival1, uint arrival2)
    {
        long i = index & (long.MaxValue - 1);
        var earlier = new SequenceNumber(create, shard & int.MaxValue, i, arrival1);
        var later = new SequenceNumber(create, shard & int.MaxValue, i + 1, arrival2);
        return later > earlier;
    }
}
