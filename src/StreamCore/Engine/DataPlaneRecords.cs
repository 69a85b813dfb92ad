namespace StreamCore.Engine;

/// <summary>One record of a batch append, shape-checked by the face that received it.</summary>
/// <param name="PartitionKey">The partition key (1-256 characters).</param>
/// <param name="PartitionKeyUtf8Length">Its UTF-8 length.</param>
/// <param name="ExplicitHashKey">The hash key that routes the record, or null to route by the partition key's MD5.</param>
/// <param name="Data">The payload as put (plaintext).</param>
internal readonly record struct BatchRecord(string PartitionKey, int PartitionKeyUtf8Length, UInt128? ExplicitHashKey, ReadOnlyMemory<byte> Data);

/// <summary>What became of one record of a batch append: stored (shard and sequence number) or refused (the error).</summary>
/// <param name="Shard">The shard that stored it; null when refused.</param>
/// <param name="SequenceNumber">Its sequence number when stored.</param>
/// <param name="Error">Why it was refused (throttling, an injected fault, the memory cap, a deleted stream); null when stored.</param>
internal readonly record struct AppendOutcome(ShardState? Shard, SequenceNumber SequenceNumber, Exception? Error);

/// <summary>Where a GetRecords call ended.</summary>
/// <param name="NextIndex">The log index the next call starts at.</param>
/// <param name="MillisBehindLatest">How far behind the tip of the shard the call ended (0 at a closed shard's end).</param>
/// <param name="AtShardEnd">Whether the call read a closed shard to its end: no next iterator; continue with the children.</param>
internal readonly record struct GetRecordsResult(long NextIndex, long MillisBehindLatest, bool AtShardEnd);
