using System.Collections.Concurrent;
using System.Text;
using StreamCore.Hashing;

namespace StreamCore.Producing;

/// <summary>
/// The partition keys a producer has seen, each with its MD5 hash key and UTF-8 length computed once, and where it
/// stands in the aggregate being filled for its shard. A producer's keys repeat (users, devices, sessions), so this
/// replaces, per user record, a UTF-8 encoding, an MD5 (or a lookup in a small direct-mapped cache that evicts when
/// two hot keys share a slot) and the aggregate's two key-table dictionary lookups with one lookup here. Bounded:
/// at <see cref="MaxKeys"/> distinct keys it starts afresh, so unbounded key sets (UUIDs) cost no unbounded memory.
/// Lookups are lock-free; <see cref="ProducerKey.AggregateSerial"/> and <see cref="ProducerKey.Index"/> are read and
/// written under the producer's lock only.
/// </summary>
internal sealed class PartitionKeyTable
{
    public const int MaxKeys = 65_536;

    private readonly ConcurrentDictionary<string, ProducerKey> _keys = new(StringComparer.Ordinal);

    public ProducerKey Get(string partitionKey)
    {
        if (_keys.TryGetValue(partitionKey, out ProducerKey? known))
        {
            return known;
        }

        var key = new ProducerKey(partitionKey);
        if (_keys.Count >= MaxKeys)
        {
            _keys.Clear();
        }

        return _keys.GetOrAdd(partitionKey, key);
    }
}

/// <summary>One partition key: its hash key and UTF-8 length, and its index in the key table of the aggregate it is in.</summary>
internal sealed class ProducerKey
{
    public ProducerKey(string partitionKey)
    {
        Value = partitionKey;
        Span<byte> utf8 = stackalloc byte[partitionKey.Length * 3];
        Utf8Length = Encoding.UTF8.GetBytes(partitionKey, utf8);
        HashKey = Md5.HashToUInt128(utf8[..Utf8Length]);
    }

    public string Value { get; }

    /// <summary>The MD5 of the key's UTF-8 bytes, as Kinesis routes it.</summary>
    public UInt128 HashKey { get; }

    public int Utf8Length { get; }

    /// <summary>The serial of the aggregate whose partition key table holds the key at <see cref="Index"/> (under the producer's lock).</summary>
    public long AggregateSerial = -1;

    /// <summary>The key's index in that aggregate's partition key table (under the producer's lock).</summary>
    public int Index;
}
