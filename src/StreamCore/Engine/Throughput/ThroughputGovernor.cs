using System.Collections.Concurrent;
using StreamCore.Errors;

namespace StreamCore.Engine.Throughput;

/// <summary>Applies <see cref="ThroughputLimits"/> for one engine: buckets per shard, per subscription and per control operation.</summary>
internal sealed class ThroughputGovernor(ThroughputLimits limits, string accountId)
{
    // Control-plane calls per second, per account unless noted (the reference's table).
    private static readonly Dictionary<string, (int PerSecond, bool PerStream)> ControlRates = new(StringComparer.Ordinal)
    {
        ["CreateStream"] = (5, false),
        ["DeleteStream"] = (5, false),
        ["ListStreams"] = (5, false),
        ["SplitShard"] = (5, false),
        ["MergeShards"] = (5, false),
        ["AddTagsToStream"] = (5, false),
        ["RemoveTagsFromStream"] = (5, false),
        ["ListTagsForStream"] = (5, false),
        ["DescribeStream"] = (10, false),
        ["DescribeStreamSummary"] = (20, false),
        ["ListShards"] = (1000, true),
        ["UpdateShardCount"] = (10, false),
        ["DescribeLimits"] = (1, false),
        ["RegisterStreamConsumer"] = (5, false),
        ["DeregisterStreamConsumer"] = (5, true),
        ["ListStreamConsumers"] = (5, true),
        ["DescribeStreamConsumer"] = (20, true),
    };

    private readonly ConcurrentDictionary<string, TokenBucket> _control = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ShardState, ShardBuckets> _shards = new();

    public ThroughputLimits Limits => limits;

    /// <summary>Throws LimitExceededException when a control operation exceeds its calls per second.</summary>
    public void AdmitControl(string operation, string? streamName, long nowMs)
    {
        if (!limits.EnforceControlPlaneRates || !ControlRates.TryGetValue(operation, out (int PerSecond, bool PerStream) rate))
        {
            return;
        }

        string key = rate.PerStream ? $"{operation}/{streamName}" : operation;
        if (!_control.GetOrAdd(key, _ => new TokenBucket(rate.PerSecond, nowMs)).TryTake(1, nowMs))
        {
            string scope = rate.PerStream ? $"stream {streamName} under account {accountId}" : $"account {accountId}";
            throw new LimitExceededException($"Rate exceeded for {operation} on {scope}: at most {rate.PerSecond} calls per second.");
        }
    }

    /// <summary>Admits one record of <paramref name="bytes"/> to a shard, or returns the throttling error.</summary>
    public ProvisionedThroughputExceededException? AdmitWrite(StreamState stream, ShardState shard, int bytes, long nowMs)
    {
        ShardBuckets buckets = For(shard, nowMs);
        lock (buckets)
        {
            // Both budgets or neither: a refused record consumes nothing.
            if (buckets.WriteRecords.MillisecondsUntil(1, nowMs) == 0 && buckets.WriteBytes.MillisecondsUntil(bytes, nowMs) == 0)
            {
                buckets.WriteRecords.TryTake(1, nowMs);
                buckets.WriteBytes.TryTake(bytes, nowMs);
                return null;
            }
        }

        return RateExceeded(stream, shard);
    }

    public void AdmitGetShardIterator(StreamState stream, ShardState shard, long nowMs)
    {
        if (!For(shard, nowMs).IteratorCalls.TryTake(1, nowMs))
        {
            throw RateExceeded(stream, shard);
        }
    }

    /// <summary>Admits a GetRecords call on a shard (calls per second, byte debt, large-response penalty).</summary>
    public void AdmitGetRecords(StreamState stream, ShardState shard, long nowMs)
    {
        ShardBuckets buckets = For(shard, nowMs);
        if (nowMs < Volatile.Read(ref buckets.PenaltyUntilMs) || !buckets.ReadBytes.HasCredit(nowMs) || !buckets.ReadCalls.TryTake(1, nowMs))
        {
            throw RateExceeded(stream, shard);
        }
    }

    /// <summary>
    /// Charges a GetRecords response to the shard's read budget; a response that hit the 10 MiB cap starts the
    /// large-response penalty.
    /// </summary>
    public void ChargeRead(ShardState shard, long bytes, bool hitResponseCap, long nowMs)
    {
        ShardBuckets buckets = For(shard, nowMs);
        buckets.ReadBytes.Charge(bytes, nowMs);
        if (hitResponseCap)
        {
            Volatile.Write(ref buckets.PenaltyUntilMs, nowMs + (long)limits.LargeResponsePenalty.TotalMilliseconds);
        }
    }

    /// <summary>A bucket pacing one subscription (2 MiB/s per consumer per shard).</summary>
    public TokenBucket NewSubscriptionBucket(long nowMs) => new(limits.SubscriptionBytesPerSecond, nowMs);

    private ShardBuckets For(ShardState shard, long nowMs) => _shards.GetOrAdd(shard, _ => new ShardBuckets(limits, nowMs));

    private ProvisionedThroughputExceededException RateExceeded(StreamState stream, ShardState shard) =>
        new($"Rate exceeded for shard {shard.IdText} in stream {stream.Name} under account {accountId}.");

    private sealed class ShardBuckets(ThroughputLimits limits, long nowMs)
    {
        public readonly TokenBucket WriteBytes = new(limits.ShardWriteBytesPerSecond, nowMs);
        public readonly TokenBucket WriteRecords = new(limits.ShardWriteRecordsPerSecond, nowMs);
        public readonly TokenBucket ReadBytes = new(limits.ShardReadBytesPerSecond, nowMs);
        public readonly TokenBucket ReadCalls = new(limits.ShardGetRecordsPerSecond, nowMs);
        public readonly TokenBucket IteratorCalls = new(limits.ShardGetShardIteratorPerSecond, nowMs);
        public long PenaltyUntilMs = long.MinValue;
    }
}
