namespace StreamCore.Hashing;

/// <summary>Shard layout arithmetic over the 128-bit key space.</summary>
internal static class ShardLayout
{
    /// <summary>
    /// The ranges of a stream created with <paramref name="shardCount"/> shards, with AWS's arithmetic:
    /// h = floor(2^128 / N); shard i = [i*h, (i+1)*h - 1]; the last shard ends at 2^128 - 1.
    /// </summary>
    public static HashKeyRange[] Uniform(int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        var ranges = new HashKeyRange[shardCount];
        if (shardCount == 1)
        {
            ranges[0] = HashKeyRange.All;
            return ranges;
        }

        // floor(2^128 / N) computed without 2^128: (2^128 - 1) / N, plus one when N divides 2^128 exactly.
        UInt128 width = UInt128.MaxValue / (uint)shardCount;
        if (UInt128.MaxValue % (uint)shardCount == (uint)shardCount - 1)
        {
            width++;
        }

        for (int i = 0; i < shardCount; i++)
        {
            UInt128 start = width * (uint)i;
            UInt128 end = i == shardCount - 1 ? UInt128.MaxValue : (width * (uint)(i + 1)) - 1;
            ranges[i] = new HashKeyRange(start, end);
        }

        return ranges;
    }
}
