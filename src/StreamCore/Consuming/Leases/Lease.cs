using System.Collections.ObjectModel;

namespace StreamCore.Consuming;

/// <summary>
/// One row of a KCL-style lease table: which worker processes a shard, how far it got (the checkpoint), and the
/// shard's place in the stream's lineage. The field names are the KCL's (its DynamoDB attribute names, camel-cased),
/// so a table written by Java KCL workers reads as these leases and the reverse.
/// </summary>
/// <remarks>
/// <para>
/// A lease is an immutable value. Two leases are equal when every field is equal: strings ordinally,
/// <see cref="ParentShardIds"/> and <see cref="ChildShardIds"/> element by element, and
/// <see cref="PendingCheckpointState"/> byte by byte (not by reference, as a record's generated equality would).
/// </para>
/// <para>
/// <see cref="ParentShardIds"/> and <see cref="ChildShardIds"/> are sets (the KCL keeps them as DynamoDB string sets,
/// which have no order): setting one copies the given ids, drops duplicates and sorts them ordinally, so the lease
/// never shares a list with its caller and equal sets compare equal whatever order they were given in.
/// <see cref="PendingCheckpointState"/> is an array a caller could change; every <see cref="ILeaseStore"/> stores its
/// own copy and hands out copies, so changing an array after a call changes nothing stored.
/// </para>
/// <para>
/// A store checks a lease before it writes it (<see cref="ArgumentException"/> naming the field, and nothing written):
/// a <see cref="LeaseKey"/> of 1 to <see cref="MaxLeaseKeyLength"/> UTF-8 bytes without control characters;
/// counters and sub-sequence numbers not negative; a checkpoint that is a sequence number (decimal digits) or one of
/// <see cref="TrimHorizon"/>, <see cref="Latest"/>, <see cref="AtTimestamp"/>, <see cref="ShardEnd"/>; owners not
/// empty (<see langword="null"/> means none); shard ids not empty; hash keys both present or both absent, decimal
/// 128-bit values with the start not above the end.
/// </para>
/// </remarks>
public sealed record Lease
{
    /// <summary>The checkpoint of a shard to be read from its oldest record.</summary>
    public const string TrimHorizon = "TRIM_HORIZON";

    /// <summary>The checkpoint of a shard to be read from its newest record on.</summary>
    public const string Latest = "LATEST";

    /// <summary>The checkpoint of a shard to be read from a timestamp on.</summary>
    public const string AtTimestamp = "AT_TIMESTAMP";

    /// <summary>The checkpoint of a shard that was read to its end (its children may start).</summary>
    public const string ShardEnd = "SHARD_END";

    /// <summary>The longest lease key, in UTF-8 bytes (DynamoDB's limit for a partition key).</summary>
    public const int MaxLeaseKeyLength = 2048;

    /// <summary>The key of the lease: the shard id in single-stream mode (<c>shardId-000000000000</c>).</summary>
    public required string LeaseKey { get; init; }

    /// <summary>The worker that holds the lease; <see langword="null"/> when no worker does.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>
    /// The optimistic-locking counter: every write (renew, take, checkpoint, release) is conditional on it and
    /// increments it. A worker that sees it unchanged for the failover time considers the lease expired.
    /// </summary>
    public long LeaseCounter { get; init; }

    /// <summary>
    /// Where processing of the shard got to: a sequence number, or <see cref="TrimHorizon"/>, <see cref="Latest"/>,
    /// <see cref="AtTimestamp"/> (no record processed yet) or <see cref="ShardEnd"/>.
    /// </summary>
    public string? Checkpoint { get; init; }

    /// <summary>The sub-sequence number within an aggregated record at <see cref="Checkpoint"/> (0 for a plain record).</summary>
    public long CheckpointSubSequenceNumber { get; init; }

    /// <summary>A checkpoint prepared but not yet committed (two-phase checkpointing), or <see langword="null"/>.</summary>
    public string? PendingCheckpoint { get; init; }

    /// <summary>The sub-sequence number of <see cref="PendingCheckpoint"/>, or <see langword="null"/>.</summary>
    public long? PendingCheckpointSubSequenceNumber { get; init; }

    /// <summary>Application state saved with <see cref="PendingCheckpoint"/>, or <see langword="null"/>.</summary>
    public byte[]? PendingCheckpointState { get; init; }

    /// <summary>How many times the lease changed owner since the last checkpoint.</summary>
    public long OwnerSwitchesSinceCheckpoint { get; init; }

    /// <summary>The shards this shard was split or merged from: a set, sorted ordinally, empty for a root shard.</summary>
    public IReadOnlyList<string> ParentShardIds { get; init => field = ShardIdSet(value); } = ReadOnlyCollection<string>.Empty;

    /// <summary>The shards this shard was split or merged into, once known: a set, sorted ordinally.</summary>
    public IReadOnlyList<string> ChildShardIds { get; init => field = ShardIdSet(value); } = ReadOnlyCollection<string>.Empty;

    /// <summary>The shard's starting hash key, as decimal text (as the KCL stores it), or <see langword="null"/>.</summary>
    public string? StartingHashKey { get; init; }

    /// <summary>The shard's ending hash key, as decimal text, or <see langword="null"/>.</summary>
    public string? EndingHashKey { get; init; }

    /// <summary>
    /// The worker that must checkpoint before the lease moves to <see cref="LeaseOwner"/> (KCL 3.x graceful
    /// hand-off), or <see langword="null"/> when no hand-off is under way.
    /// </summary>
    public string? CheckpointOwner { get; init; }

    /// <summary>Whether every field of <paramref name="other"/> equals this lease's (collections and bytes by content).</summary>
    /// <param name="other">The lease to compare with.</param>
    /// <returns><see langword="true"/> when the leases are equal.</returns>
    public bool Equals(Lease? other) =>
        other is not null
        && string.Equals(LeaseKey, other.LeaseKey, StringComparison.Ordinal)
        && string.Equals(LeaseOwner, other.LeaseOwner, StringComparison.Ordinal)
        && LeaseCounter == other.LeaseCounter
        && string.Equals(Checkpoint, other.Checkpoint, StringComparison.Ordinal)
        && CheckpointSubSequenceNumber == other.CheckpointSubSequenceNumber
        && string.Equals(PendingCheckpoint, other.PendingCheckpoint, StringComparison.Ordinal)
        && PendingCheckpointSubSequenceNumber == other.PendingCheckpointSubSequenceNumber
        && (PendingCheckpointState is null ? other.PendingCheckpointState is null
            : other.PendingCheckpointState is not null && PendingCheckpointState.AsSpan().SequenceEqual(other.PendingCheckpointState))
        && OwnerSwitchesSinceCheckpoint == other.OwnerSwitchesSinceCheckpoint
        && ParentShardIds.SequenceEqual(other.ParentShardIds, StringComparer.Ordinal)
        && ChildShardIds.SequenceEqual(other.ChildShardIds, StringComparer.Ordinal)
        && string.Equals(StartingHashKey, other.StartingHashKey, StringComparison.Ordinal)
        && string.Equals(EndingHashKey, other.EndingHashKey, StringComparison.Ordinal)
        && string.Equals(CheckpointOwner, other.CheckpointOwner, StringComparison.Ordinal);

    /// <summary>A hash of the fields that <see cref="Equals(Lease?)"/> compares.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(LeaseKey, StringComparer.Ordinal);
        hash.Add(LeaseOwner, StringComparer.Ordinal);
        hash.Add(LeaseCounter);
        hash.Add(Checkpoint, StringComparer.Ordinal);
        hash.Add(CheckpointSubSequenceNumber);
        hash.Add(PendingCheckpoint, StringComparer.Ordinal);
        hash.Add(PendingCheckpointSubSequenceNumber);
        hash.AddBytes(PendingCheckpointState);
        hash.Add(OwnerSwitchesSinceCheckpoint);
        foreach (string id in ParentShardIds)
        {
            hash.Add(id, StringComparer.Ordinal);
        }

        hash.Add(ParentShardIds.Count);
        foreach (string id in ChildShardIds)
        {
            hash.Add(id, StringComparer.Ordinal);
        }

        hash.Add(ChildShardIds.Count);
        hash.Add(StartingHashKey, StringComparer.Ordinal);
        hash.Add(EndingHashKey, StringComparer.Ordinal);
        hash.Add(CheckpointOwner, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    /// <summary>This lease with its own copy of <see cref="PendingCheckpointState"/> (what stores keep and hand out).</summary>
    internal Lease WithOwnState() =>
        PendingCheckpointState is null ? this : this with { PendingCheckpointState = (byte[])PendingCheckpointState.Clone() };

    // A read-only wrapper over a private array: a caller cannot cast it back to something writable.
    private static ReadOnlyCollection<string> ShardIdSet(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return ReadOnlyCollection<string>.Empty;
        }

        string[] copy = [.. ids];
        Array.Sort(copy, StringComparer.Ordinal);
        int distinct = 0;
        for (int i = 0; i < copy.Length; i++)
        {
            if (distinct == 0 || !string.Equals(copy[i], copy[distinct - 1], StringComparison.Ordinal))
            {
                copy[distinct++] = copy[i];
            }
        }

        return Array.AsReadOnly(distinct == copy.Length ? copy : copy[..distinct]);
    }
}
