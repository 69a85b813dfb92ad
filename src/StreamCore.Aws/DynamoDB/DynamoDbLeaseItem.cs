using System.Globalization;
using Amazon.DynamoDBv2.Model;
using StreamCore.Consuming;

namespace StreamCore.Aws.DynamoDB;

/// <summary>
/// A lease as a DynamoDB item of the KCL's lease table (DynamoDBLeaseSerializer): <c>leaseKey</c> S (the hash key),
/// <c>leaseOwner</c> S, <c>leaseCounter</c> N, <c>checkpoint</c> S, <c>checkpointSubSequenceNumber</c> N,
/// <c>pendingCheckpoint</c> S, <c>pendingCheckpointSubSequenceNumber</c> N, <c>pendingCheckpointState</c> B,
/// <c>ownerSwitchesSinceCheckpoint</c> N, <c>parentShardId</c> SS, <c>childShardIds</c> SS, <c>startingHashKey</c>
/// and <c>endingHashKey</c> S, <c>checkpointOwner</c> S. Absent values and empty sets are absent attributes.
/// </summary>
internal static class DynamoDbLeaseItem
{
    /// <summary>KCL 3.x marks its lease items with this attribute; items of other entity types are not leases.</summary>
    public const string EntityType = "entityType";

    /// <summary>The <see cref="EntityType"/> of a lease.</summary>
    public const string LeaseEntity = "LEASE";

    /// <summary>The attributes of <paramref name="lease"/>, by name; only the present ones.</summary>
    public static Dictionary<string, AttributeValue> ToItem(Lease lease)
    {
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [LeaseAttributes.LeaseKey] = new() { S = lease.LeaseKey } };
        foreach ((string name, AttributeValue? value) in Attributes(lease))
        {
            if (value is not null)
            {
                item[name] = value;
            }
        }

        return item;
    }

    /// <summary>Every attribute but the key, with <see langword="null"/> for those the lease has no value for (to remove).</summary>
    public static IEnumerable<(string Name, AttributeValue? Value)> Attributes(Lease lease)
    {
        yield return (LeaseAttributes.LeaseOwner, String(lease.LeaseOwner));
        yield return (LeaseAttributes.LeaseCounter, Number(lease.LeaseCounter));
        yield return (LeaseAttributes.Checkpoint, String(lease.Checkpoint));
        yield return (LeaseAttributes.CheckpointSubSequenceNumber, Number(lease.CheckpointSubSequenceNumber));
        yield return (LeaseAttributes.PendingCheckpoint, String(lease.PendingCheckpoint));
        yield return (LeaseAttributes.PendingCheckpointSubSequenceNumber, lease.PendingCheckpointSubSequenceNumber is { } sub ? Number(sub) : null);
        yield return (LeaseAttributes.PendingCheckpointState, lease.PendingCheckpointState is { } state ? new AttributeValue { B = new MemoryStream(state, writable: false) } : null);
        yield return (LeaseAttributes.OwnerSwitchesSinceCheckpoint, Number(lease.OwnerSwitchesSinceCheckpoint));
        yield return (LeaseAttributes.ParentShardId, Set(lease.ParentShardIds));
        yield return (LeaseAttributes.ChildShardIds, Set(lease.ChildShardIds));
        yield return (LeaseAttributes.StartingHashKey, String(lease.StartingHashKey));
        yield return (LeaseAttributes.EndingHashKey, String(lease.EndingHashKey));
        yield return (LeaseAttributes.CheckpointOwner, String(lease.CheckpointOwner));
    }

    /// <summary>Whether an item of the lease table is a lease (KCL 3.x may keep other entities there).</summary>
    public static bool IsLease(Dictionary<string, AttributeValue> item) =>
        !item.TryGetValue(EntityType, out AttributeValue? type) || type.S is null || type.S == LeaseEntity;

    /// <summary>The lease an item holds, as the KCL reads it: numbers it did not write read as 0, attributes of another type as absent.</summary>
    /// <exception cref="InvalidDataException">The item has no <c>leaseKey</c> string, or a number attribute is not a 64-bit integer.</exception>
    public static Lease FromItem(Dictionary<string, AttributeValue> item)
    {
        string key = GetString(item, LeaseAttributes.LeaseKey) ?? throw new InvalidDataException("A lease table item has no leaseKey string attribute.");
        return new Lease
        {
            LeaseKey = key,
            LeaseOwner = GetString(item, LeaseAttributes.LeaseOwner),
            LeaseCounter = GetNumber(item, LeaseAttributes.LeaseCounter, key) ?? 0,
            Checkpoint = GetString(item, LeaseAttributes.Checkpoint),
            CheckpointSubSequenceNumber = GetNumber(item, LeaseAttributes.CheckpointSubSequenceNumber, key) ?? 0,
            PendingCheckpoint = GetString(item, LeaseAttributes.PendingCheckpoint),
            PendingCheckpointSubSequenceNumber = GetNumber(item, LeaseAttributes.PendingCheckpointSubSequenceNumber, key),
            PendingCheckpointState = item.TryGetValue(LeaseAttributes.PendingCheckpointState, out AttributeValue? state) && state.B is { } bytes ? bytes.ToArray() : null,
            OwnerSwitchesSinceCheckpoint = GetNumber(item, LeaseAttributes.OwnerSwitchesSinceCheckpoint, key) ?? 0,
            ParentShardIds = GetSet(item, LeaseAttributes.ParentShardId),
            ChildShardIds = GetSet(item, LeaseAttributes.ChildShardIds),
            StartingHashKey = GetString(item, LeaseAttributes.StartingHashKey),
            EndingHashKey = GetString(item, LeaseAttributes.EndingHashKey),
            CheckpointOwner = GetString(item, LeaseAttributes.CheckpointOwner),
        };
    }

    public static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue? String(string? value) => value is null ? null : new AttributeValue { S = value };

    private static AttributeValue? Set(IReadOnlyList<string> ids) => ids.Count == 0 ? null : new AttributeValue { SS = [.. ids] };

    private static string? GetString(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out AttributeValue? value) ? value.S : null;

    private static long? GetNumber(Dictionary<string, AttributeValue> item, string name, string key)
    {
        if (!item.TryGetValue(name, out AttributeValue? value) || value.N is null)
        {
            return null;
        }

        return long.TryParse(value.N, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number)
            ? number
            : throw new InvalidDataException($"The {name} of lease '{key}' is {value.N}; expected a 64-bit integer.");
    }

    private static List<string> GetSet(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out AttributeValue? value) && value.SS is { } ids ? ids : [];
}
