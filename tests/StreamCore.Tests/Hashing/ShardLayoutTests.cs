using System.Globalization;
using FsCheck;
using FsCheck.Xunit;
using StreamCore.Hashing;

namespace StreamCore.Tests.Hashing;

public class ShardLayoutTests
{
    private static UInt128 U(string s) => UInt128.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void One_shard_owns_the_whole_key_space() =>
        Assert.Equal([HashKeyRange.All], ShardLayout.Uniform(1));

    [Fact]
    public void Two_shards_split_at_2_pow_127()
    {
        HashKeyRange[] r = ShardLayout.Uniform(2);
        Assert.Equal(new HashKeyRange(0, U("170141183460469231731687303715884105727")), r[0]);
        Assert.Equal(new HashKeyRange(U("170141183460469231731687303715884105728"), U("340282366920938463463374607431768211455")), r[1]);
    }

    [Fact]
    public void Three_shards_match_AWS()
    {
        HashKeyRange[] r = ShardLayout.Uniform(3);
        Assert.Equal(new HashKeyRange(0, U("113427455640312821154458202477256070484")), r[0]);
        Assert.Equal(new HashKeyRange(U("113427455640312821154458202477256070485"), U("226854911280625642308916404954512140969")), r[1]);
        Assert.Equal(new HashKeyRange(U("226854911280625642308916404954512140970"), UInt128.MaxValue), r[2]);
    }

    [Fact]
    public void Four_shards_match_AWS() =>
        Assert.Equal(
            [0, U("85070591730234615865843651857942052864"), U("170141183460469231731687303715884105728"), U("255211775190703847597530955573826158592")],
            ShardLayout.Uniform(4).Select(r => r.StartingHashKey));

    [Fact]
    public void Five_shards_match_AWS() =>
        Assert.Equal(
            [0, U("68056473384187692692674921486353642291"), U("136112946768375385385349842972707284582"), U("204169420152563078078024764459060926873"), U("272225893536750770770699685945414569164")],
            ShardLayout.Uniform(5).Select(r => r.StartingHashKey));

    [Fact]
    public void Ten_shards_match_AWS()
    {
        HashKeyRange[] r = ShardLayout.Uniform(10);
        Assert.Equal(U("34028236692093846346337460743176821145"), r[1].StartingHashKey);
        Assert.Equal(U("306254130228844617117037146688591390305"), r[9].StartingHashKey);
        Assert.Equal(UInt128.MaxValue, r[9].EndingHashKey);
    }

    [Property(MaxTest = 200)]
    public bool Ranges_partition_the_key_space_exactly(PositiveInt count)
    {
        int n = (count.Get % 20_000) + 1;
        HashKeyRange[] ranges = ShardLayout.Uniform(n);
        if (ranges[0].StartingHashKey != 0 || ranges[^1].EndingHashKey != UInt128.MaxValue)
        {
            return false;
        }

        for (int i = 1; i < ranges.Length; i++)
        {
            if (ranges[i].StartingHashKey != ranges[i - 1].EndingHashKey + 1 || ranges[i].StartingHashKey > ranges[i].EndingHashKey)
            {
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 500)]
    public bool Every_hash_key_maps_to_exactly_one_shard(PositiveInt count, ulong high, ulong low)
    {
        int n = (count.Get % 100) + 1;
        var key = new UInt128(high, low);
        HashKeyRange[] ranges = ShardLayout.Uniform(n);
        var router = new HashKeyRouter<object>(ranges.Select(r => (r, (object)r)));
        var owner = (HashKeyRange)router.Route(key);
        return ranges.Count(r => r.Contains(key)) == 1 && owner.Contains(key);
    }
}
