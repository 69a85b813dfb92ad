using System.Security.Cryptography;
using StreamCore.Engine.Encryption;
using StreamCore.Engine;
using StreamCore.Hashing;
using StreamCore.Kinesis;
using StreamCore.Engine.Metrics;
using StreamCore.Reading;
using StreamCore.Storage;
using StreamCore.Engine.Throughput;

namespace StreamCore;

/// <summary>Retention: the periodic sweep that trims expired records and releases aged-out closed shards.</summary>
public sealed partial class StreamEngine
{
    private void SweepRetention()
    {
        long now = NowMs;
        foreach (StreamState stream in _streams.Values)
        {
            long cutoff = ExpiryCutoff(stream, now);
            foreach (ShardState shard in stream.Shards)
            {
                if (shard.IsExpired(cutoff))
                {
                    shard.Log.Release(); // a closed shard whose data all aged out: its storage goes back (once; idempotent)
                }
                else
                {
                    shard.Log.TrimExpired(cutoff);
                }
            }
        }

        // Released logs whose last readers or producers have let go since: their storage goes back now.
        Budget.ReclaimReleased();
    }
}
