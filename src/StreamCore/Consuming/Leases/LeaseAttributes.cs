namespace StreamCore.Consuming;

/// <summary>
/// The KCL's names for a lease's fields: the attribute names of its DynamoDB lease table (DynamoDBLeaseSerializer,
/// KCL 2.x and 3.x), used by the DynamoDB store for its items and by the file store for its JSON files.
/// </summary>
internal static class LeaseAttributes
{
    /// <summary>The hash key (S).</summary>
    public const string LeaseKey = "leaseKey";

    /// <summary>S; absent when no worker holds the lease.</summary>
    public const string LeaseOwner = "leaseOwner";

    /// <summary>N.</summary>
    public const string LeaseCounter = "leaseCounter";

    /// <summary>S: a sequence number or a sentinel (TRIM_HORIZON, LATEST, AT_TIMESTAMP, SHARD_END).</summary>
    public const string Checkpoint = "checkpoint";

    /// <summary>N.</summary>
    public const string CheckpointSubSequenceNumber = "checkpointSubSequenceNumber";

    /// <summary>S.</summary>
    public const string PendingCheckpoint = "pendingCheckpoint";

    /// <summary>N.</summary>
    public const string PendingCheckpointSubSequenceNumber = "pendingCheckpointSubSequenceNumber";

    /// <summary>B.</summary>
    public const string PendingCheckpointState = "pendingCheckpointState";

    /// <summary>N.</summary>
    public const string OwnerSwitchesSinceCheckpoint = "ownerSwitchesSinceCheckpoint";

    /// <summary>SS (singular in the KCL's name, a set all the same); absent when empty.</summary>
    public const string ParentShardId = "parentShardId";

    /// <summary>SS; absent when empty.</summary>
    public const string ChildShardIds = "childShardIds";

    /// <summary>S, decimal.</summary>
    public const string StartingHashKey = "startingHashKey";

    /// <summary>S, decimal.</summary>
    public const string EndingHashKey = "endingHashKey";

    /// <summary>S (KCL 3.x graceful hand-off).</summary>
    public const string CheckpointOwner = "checkpointOwner";
}
