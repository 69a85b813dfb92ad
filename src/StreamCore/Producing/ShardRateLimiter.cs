namespace StreamCore.Producing;

/// <summary>
/// The KPL's per-shard limiter: token buckets of one second's worth of records and bytes at
/// <c>RateLimit</c> percent of the shard's write limits, refilled on the producer's clock. A batch takes its tokens and
/// waits out any debt before it is sent, so a producer stays under the limits instead of being throttled.
/// </summary>
internal sealed class ShardRateLimiter(ThroughputLimits limits, int ratePercent, TimeProvider time)
{
    private readonly double _recordsPerSecond = limits.ShardWriteRecordsPerSecond * ratePercent / 100.0;
    private readonly double _bytesPerSecond = limits.ShardWriteBytesPerSecond * ratePercent / 100.0;
    private readonly Dictionary<ShardId, Bucket> _buckets = [];

    /// <summary>Takes one record of <paramref name="bytes"/> from the shard's buckets; returns how long to wait.</summary>
    public TimeSpan Take(ShardId shard, int bytes)
    {
        lock (_buckets)
        {
            long now = time.GetTimestamp();
            if (!_buckets.TryGetValue(shard, out Bucket? bucket))
            {
                bucket = new Bucket { Records = _recordsPerSecond, Bytes = _bytesPerSecond, Updated = now };
                _buckets[shard] = bucket;
            }

            double elapsed = time.GetElapsedTime(bucket.Updated, now).TotalSeconds;
            bucket.Updated = now;
            bucket.Records = Math.Min(_recordsPerSecond, bucket.Records + (elapsed * _recordsPerSecond)) - 1;
            bucket.Bytes = Math.Min(_bytesPerSecond, bucket.Bytes + (elapsed * _bytesPerSecond)) - bytes;
            double wait = Math.Max(-bucket.Records / _recordsPerSecond, -bucket.Bytes / _bytesPerSecond);
            return wait > 0 ? TimeSpan.FromSeconds(wait) : TimeSpan.Zero;
        }
    }

    private sealed class Bucket
    {
        public double Records;
        public double Bytes;
        public long Updated;
    }
}
