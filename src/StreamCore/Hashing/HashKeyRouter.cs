namespace StreamCore.Hashing;

/// <summary>
/// Routes a hash key to the target whose range contains it. Immutable: built once per shard layout and swapped
/// whole, so lookups are lock-free binary searches.
/// </summary>
/// <typeparam name="T">What a range routes to (a shard).</typeparam>
internal sealed class HashKeyRouter<T>
    where T : class
{
    // Invariant: ranges sorted by StartingHashKey, contiguous, covering [0, 2^128 - 1] exactly.
    private readonly UInt128[] _starts;
    private readonly T[] _targets;

    public HashKeyRouter(IEnumerable<(HashKeyRange Range, T Target)> ranges)
    {
        (HashKeyRange Range, T Target)[] sorted = [.. ranges.OrderBy(r => r.Range.StartingHashKey)];
        if (sorted.Length == 0 || sorted[0].Range.StartingHashKey != 0 || sorted[^1].Range.EndingHashKey != UInt128.MaxValue)
        {
            throw new ArgumentException("Ranges must cover the whole key space.", nameof(ranges));
        }

        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i - 1].Range.EndingHashKey == UInt128.MaxValue || sorted[i].Range.StartingHashKey != sorted[i - 1].Range.EndingHashKey + 1)
            {
                throw new ArgumentException("Ranges must be contiguous and must not overlap.", nameof(ranges));
            }
        }

        _starts = [.. sorted.Select(r => r.Range.StartingHashKey)];
        _targets = [.. sorted.Select(r => r.Target)];
    }

    public int Count => _targets.Length;

    public T Route(UInt128 hashKey)
    {
        UInt128[] starts = _starts;
        int lo = 0, hi = starts.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= hashKey)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _targets[lo];
    }
}
