namespace StreamCore.Engine;

/// <summary>Receives what became of each record of a batch append, in no particular order.</summary>
internal interface IAppendOutcomes
{
    /// <summary>
    /// Records <paramref name="records"/> (request indices, in write order) were stored on <paramref name="shard"/> under
    /// consecutive sequence numbers: <c>records[j]</c> got <paramref name="first"/> advanced by j
    /// (<see cref="SequenceNumber.Advance"/>).
    /// </summary>
    void Stored(ReadOnlySpan<int> records, ShardState shard, SequenceNumber first);

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
