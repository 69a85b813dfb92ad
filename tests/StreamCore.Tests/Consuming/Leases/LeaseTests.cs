using StreamCore.Consuming;

namespace StreamCore.Tests.Consuming;

/// <summary>A lease is a value: equality by content (sets and bytes included), sets normalized, nothing shared with callers.</summary>
public sealed class LeaseTests
{
    [Fact]
    public void Leases_with_equal_fields_are_equal_whatever_the_list_and_array_instances()
    {
        Lease a = LeaseStoreContract.Full("shardId-000000000001");
        Lease b = a with
        {
            ParentShardIds = [.. a.ParentShardIds.Reverse(), a.ParentShardIds[0]],
            ChildShardIds = new List<string>(a.ChildShardIds),
            PendingCheckpointState = (byte[])a.PendingCheckpointState!.Clone(),
        };
        Assert.NotSame(a.PendingCheckpointState, b.PendingCheckpointState);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Leases_differing_in_any_one_field_are_not_equal()
    {
        Lease a = LeaseStoreContract.Full("shardId-000000000001");
        Lease[] variants =
        [
            a with { LeaseKey = "shardId-000000000002" }, a with { LeaseOwner = null }, a with { LeaseCounter = 42 },
            a with { Checkpoint = Lease.ShardEnd }, a with { CheckpointSubSequenceNumber = 1 }, a with { PendingCheckpoint = null },
            a with { PendingCheckpointSubSequenceNumber = null }, a with { PendingCheckpointSubSequenceNumber = 1 },
            a with { PendingCheckpointState = null }, a with { PendingCheckpointState = [0, 1, 2, 255, 1] }, a with { PendingCheckpointState = [] },
            a with { OwnerSwitchesSinceCheckpoint = 0 }, a with { ParentShardIds = ["shardId-000000000000"] }, a with { ChildShardIds = [] },
            a with { StartingHashKey = "1" }, a with { EndingHashKey = "1" }, a with { CheckpointOwner = null },
        ];
        Assert.All(variants, v => Assert.NotEqual(a, v));
        Assert.Equal(variants.Length, variants.Distinct().Count());
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void Shard_id_sets_are_copied_sorted_and_deduplicated_and_cannot_be_changed_through_the_lease()
    {
        var given = new List<string> { "shardId-000000000002", "shardId-000000000000", "shardId-000000000002" };
        Lease lease = new() { LeaseKey = "k", ParentShardIds = given, ChildShardIds = given };
        given.Clear();
        Assert.Equal(["shardId-000000000000", "shardId-000000000002"], lease.ParentShardIds);
        Assert.Equal(lease.ParentShardIds, lease.ChildShardIds);
        Assert.Throws<NotSupportedException>(() => ((IList<string>)lease.ParentShardIds)[0] = "x");
        Assert.False(lease.ParentShardIds is string[]);
        Assert.Empty(new Lease { LeaseKey = "k" }.ParentShardIds);
        Assert.Throws<ArgumentNullException>(() => new Lease { LeaseKey = "k", ParentShardIds = null! });
    }
}
