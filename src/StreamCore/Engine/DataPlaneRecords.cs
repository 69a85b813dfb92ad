namespace StreamCore.Engine;

/// <summary>
/// One record of a batch append, shape-checked by the face that received it. The engine fills in the hash key of a
/// record routed by its partition key and replaces <see cref="Data"/> with the stored form on an encrypted stream,
/// so a batch costs one array of these and no parallel arrays.
/// </summary>
internal struct BatchRecord(string partitionKey, int partitionKeyUtf8Length, ReadOnlyMemory<byte> data, UInt128? explicitHashKey)
{
    /// <summary>The partition key (1-256 characters).</summary>
    public readonly string PartitionKey = partitionKey;

    /// <summary>Its UTF-8 length.</summary>
    public readonly int PartitionKeyUtf8Length = partitionKeyUtf8Length;

    /// <summary>Whether <see cref="HashKey"/> was given (ExplicitHashKey) rather than computed from the partition key.</summary>
    public readonly bool HasExplicitHashKey = explicitHashKey.HasValue;

    // The hash key as two halves: UInt128's 16-byte alignment would pad every record of the array by 8 bytes.
    private ulong _hashUpper = (ulong)(explicitHashKey.GetValueOrDefault() >> 64);
    private ulong _hashLower = (ulong)explicitHashKey.GetValueOrDefault();

    /// <summary>The payload: as put, then as stored.</summary>
    public ReadOnlyMemory<byte> Data = data;

    /// <summary>The payload's length as put (before any encryption).</summary>
    public readonly int PlainLength = data.Length;

    /// <summary>The hash key that routes the record.</summary>
    public UInt128 HashKey
    {
        readonly get => new(_hashUpper, _hashLower);
        set
        {
            _hashUpper = (ulong)(value >> 64);
            _hashLower = (ulong)value;
        }
    }
}

/// <summary>Receives what became of each record of a batch append, in no particular order.</summary>
internal interface IAppendOutcomes
{
    /// <summary>Record <paramref name="index"/> was stored.</summary>
    void Stored(int index, ShardState shard, SequenceNumber sequenceNumber);

    /// <summary>
    /// Record <paramref name="index"/> was refused: throttling, an injected fault, the memory cap, or a stream deleted
    /// under the call; nothing of it was stored.
    /// </summary>
    void Refused(int index, Exception error);
}

/// <summary>Where a GetRecords call ended.</summary>
/// <param name="NextIndex">The log index the next call starts at.</param>
/// <param name="MillisBehindLatest">How far behind the tip of the shard the call ended (0 at a closed shard's end).</param>
/// <param name="AtShardEnd">Whether the call read a closed shard to its end: no next iterator; continue with the children.</param>
internal readonly record struct GetRecordsResult(long NextIndex, long MillisBehindLatest, bool AtShardEnd);
