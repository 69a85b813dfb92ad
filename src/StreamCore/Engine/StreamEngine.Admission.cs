using StreamCore.Engine;

namespace StreamCore;

/// <summary>Admission of Kinesis calls: fault rules and the throughput limits that are not part of a data-plane path.</summary>
public sealed partial class StreamEngine
{
    /// <summary>
    /// Admits a call after validation and before any change: raises an injected fault if a rule fires, then holds
    /// control operations to their calls per second when throughput limits are on.
    /// </summary>
    internal void AdmitCall(string operation, string? streamName, ShardState? shard = null)
    {
        if (Faults.Check(operation, streamName, shard?.Id) is { } error)
        {
            throw error;
        }

        Throughput?.AdmitControl(operation, streamName, NowMs);
    }

    /// <summary>Holds GetShardIterator to its calls per second per shard when throughput limits are on.</summary>
    internal void AdmitGetShardIterator(StreamState stream, ShardState shard, long nowMs) => Throughput?.AdmitGetShardIterator(stream, shard, nowMs);
}
