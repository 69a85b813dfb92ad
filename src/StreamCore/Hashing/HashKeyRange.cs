namespace StreamCore;

/// <summary>
/// An inclusive range of 128-bit hash keys, <c>[StartingHashKey, EndingHashKey]</c>, owned by one shard.
/// </summary>
/// <param name="StartingHashKey">The lowest hash key in the range.</param>
/// <param name="EndingHashKey">The highest hash key in the range (inclusive).</param>
public readonly record struct HashKeyRange(UInt128 StartingHashKey, UInt128 EndingHashKey)
{
    /// <summary>The whole key space, <c>[0, 2^128 - 1]</c>.</summary>
    public static HashKeyRange All => new(UInt128.Zero, UInt128.MaxValue);

    /// <summary>Whether <paramref name="hashKey"/> lies in this range.</summary>
    /// <param name="hashKey">A hash key.</param>
    /// <returns><see langword="true"/> when <c>StartingHashKey &lt;= hashKey &lt;= EndingHashKey</c>.</returns>
    public bool Contains(UInt128 hashKey) => hashKey >= StartingHashKey && hashKey <= EndingHashKey;
}
