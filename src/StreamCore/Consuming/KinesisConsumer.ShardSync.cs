using System.Globalization;
using StreamCore.Connectors;

namespace StreamCore.Consuming;

public sealed partial class KinesisConsumer
{
    /// <summary>
    /// Creates the leases of shards that have none, and deletes finished ones. A shard gets a lease when it is not yet
    /// covered (neither it nor a descendant has one): a child of leased parents (both, for a merge) starts at
    /// TRIM_HORIZON whatever the initial position; otherwise, with TRIM_HORIZON or AT_TIMESTAMP the roots of what is
    /// retained start at the initial position (so nothing is skipped), with LATEST the open shards do (their closed
    /// ancestors count as done). A SHARD_END lease is deleted once every child has started processing.
    /// </summary>
    private async Task SyncShardsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SourceShard> shards = await Source.ListShardsAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<Lease> table = await Store.ListLeasesAsync(cancellationToken).ConfigureAwait(false);
        var leases = table.ToDictionary(l => l.LeaseKey, StringComparer.Ordinal);
        var byId = shards.ToDictionary(s => s.ShardId.ToString(), StringComparer.Ordinal);
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (SourceShard shard in shards)
        {
            foreach (ShardId parent in shard.ParentShardIds)
            {
                string key = parent.ToString();
                if (!children.TryGetValue(key, out List<string>? list))
                {
                    children[key] = list = [];
                }

                list.Add(shard.ShardId.ToString());
            }
        }

        var covered = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool Covered(string id)
        {
            if (!covered.TryGetValue(id, out bool value))
            {
                covered[id] = false; // no cycles in a lineage, but be safe
                value = leases.ContainsKey(id) || (children.TryGetValue(id, out List<string>? kids) && kids.Any(Covered));
                covered[id] = value;
            }

            return value;
        }

        bool initial = table.Count == 0;
        foreach (SourceShard shard in shards) // in shard id order: parents before their children
        {
            string id = shard.ShardId.ToString();
            if (Covered(id))
            {
                continue;
            }

            string[] listedParents = [.. shard.ParentShardIds.Select(p => p.ToString()).Where(byId.ContainsKey)];
            string? checkpoint;
            if (listedParents.Length > 0 && listedParents.All(leases.ContainsKey))
            {
                checkpoint = initial && Options.InitialPosition == InitialPosition.AtTimestamp ? Lease.AtTimestamp : Lease.TrimHorizon;
            }
            else if (listedParents.Any(leases.ContainsKey))
            {
                continue; // a merge: wait until both parents have leases
            }
            else if (Options.InitialPosition == InitialPosition.Latest)
            {
                checkpoint = shard.IsOpen ? Lease.Latest : null;
            }
            else
            {
                checkpoint = listedParents.Length == 0 ? (Options.InitialPosition == InitialPosition.AtTimestamp ? Lease.AtTimestamp : Lease.TrimHorizon) : null;
            }

            if (checkpoint is null)
            {
                continue;
            }

            var lease = new Lease
            {
                LeaseKey = id,
                Checkpoint = checkpoint,
                ParentShardIds = [.. shard.ParentShardIds.Select(p => p.ToString())],
                StartingHashKey = shard.HashKeyRange.StartingHashKey.ToString(CultureInfo.InvariantCulture),
                EndingHashKey = shard.HashKeyRange.EndingHashKey.ToString(CultureInfo.InvariantCulture),
            };
            if (await Store.CreateLeaseIfNotExistsAsync(lease, cancellationToken).ConfigureAwait(false))
            {
                ConsumerLog.LeaseCreated(Logger, id, checkpoint);
            }

            leases[id] = lease;
            covered[id] = true;
        }

        if (!Options.CleanupLeasesUponShardCompletion)
        {
            return;
        }

        foreach (Lease done in table.Where(l => l.Checkpoint == Lease.ShardEnd))
        {
            IReadOnlyList<string> kids = done.ChildShardIds.Count > 0 ? done.ChildShardIds
                : children.TryGetValue(done.LeaseKey, out List<string>? known) ? known : [];
            bool childrenStarted = kids.Count > 0 && kids.All(k => leases.TryGetValue(k, out Lease? child)
                && child.Checkpoint is not (null or Lease.TrimHorizon or Lease.Latest or Lease.AtTimestamp));
            bool shardGone = !byId.ContainsKey(done.LeaseKey) && kids.All(leases.ContainsKey);
            if ((childrenStarted || shardGone) && await Store.DeleteLeaseAsync(done, cancellationToken).ConfigureAwait(false))
            {
                ConsumerLog.LeaseDeleted(Logger, done.LeaseKey);
            }
        }
    }
}
