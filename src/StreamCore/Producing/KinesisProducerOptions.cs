namespace StreamCore.Producing;

/// <summary>What <see cref="KinesisProducer.AddAsync"/> does when the producer already holds its maximum of records or bytes.</summary>
public enum ProducerFullMode
{
    /// <summary>Wait until earlier records have their results (the default), like <c>BoundedChannelFullMode.Wait</c>.</summary>
    Wait,

    /// <summary>Fail at once with <see cref="ProducerBufferFullException"/>; nothing is buffered.</summary>
    Fail,
}

/// <summary>
/// Settings of a <see cref="KinesisProducer"/>, named and defaulted as the KPL names and defaults them (see each
/// member). Validated when the producer is created (and at start under dependency injection).
/// </summary>
public sealed class KinesisProducerOptions
{
    /// <summary>Whether user records predicted for the same shard are packed into KPL aggregates. Default true.</summary>
    public bool AggregationEnabled { get; set; } = true;

    /// <summary>The most user records in one aggregate. Default 4,294,967,295 (the KPL's).</summary>
    public long AggregationMaxCount { get; set; } = uint.MaxValue;

    /// <summary>
    /// The largest aggregate in bytes, 64 to 10,485,760. Default 51,200. A user record too big to fit alone is sent as
    /// a plain record.
    /// </summary>
    public int AggregationMaxSize { get; set; } = 51_200;

    /// <summary>The most Kinesis records per PutRecords call, 1 to 500. Default 500.</summary>
    public int CollectionMaxCount { get; set; } = 500;

    /// <summary>The most bytes per PutRecords call, 52,224 to 10,485,760. Default 5,242,880.</summary>
    public int CollectionMaxSize { get; set; } = 5 * 1024 * 1024;

    /// <summary>
    /// How long a record may wait to be sent after it arrives: the earliest deadline in an aggregate or a PutRecords
    /// collection sends it. Default 100 ms.
    /// </summary>
    public TimeSpan RecordMaxBufferedTime { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a record may take to be stored, retries included, before it fails as <c>Expired</c> with its last
    /// error; at least 100 ms. Default 30 s.
    /// </summary>
    public TimeSpan RecordTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The per-shard rate limit, in percent of the shard's write limits (records and bytes per second), applied when
    /// the limits are known (the embedded engine with throughput emulation, or limits given to the producer). Default 150.
    /// </summary>
    public int RateLimit { get; set; } = 150;

    /// <summary>Whether a throttled record fails at once instead of being retried. Default false.</summary>
    public bool FailIfThrottled { get; set; }

    /// <summary>The first retry delay; later ones grow exponentially, with jitter. Default 50 ms (half of the KPL's buffered time).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest delay between two attempts. Default 1 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most PutRecords calls in flight at once (the KPL's MaxConnections). Default 24.</summary>
    public int MaxConcurrentRequests { get; set; } = 24;

    /// <summary>
    /// Keep the order of records of each shard (so of each partition key) even under retries: one PutRecords call in
    /// flight per shard, carrying one Kinesis record (aggregate), and a failed record is retried before any later record
    /// of its shard is sent. Costs throughput without aggregation. Default false.
    /// </summary>
    public bool StrictOrdering { get; set; }

    /// <summary>The most user records added and not yet final (the bound on buffered records). Default 100,000.</summary>
    public int MaxOutstandingRecords { get; set; } = 100_000;

    /// <summary>The most bytes (data plus partition keys) added and not yet final. Default 128 MiB.</summary>
    public long MaxOutstandingBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>What AddAsync does when either bound is reached. Default <see cref="ProducerFullMode.Wait"/>.</summary>
    public ProducerFullMode FullMode { get; set; } = ProducerFullMode.Wait;

    /// <summary>
    /// The per-shard write limits the stream is held to, for <see cref="RateLimit"/>. Null: the embedded engine's
    /// own limits when the producer writes through its event-bus face, otherwise no rate limit. For Amazon Kinesis
    /// set <c>new ThroughputLimits()</c> (1,000 records and 1 MiB per second per shard).
    /// </summary>
    public ThroughputLimits? ShardWriteLimits { get; set; }

    /// <summary>The clock for buffering deadlines, TTLs and retry delays. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of its range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(AggregationMaxCount, 1, nameof(AggregationMaxCount));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(AggregationMaxCount, uint.MaxValue, nameof(AggregationMaxCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(AggregationMaxSize, 64, nameof(AggregationMaxSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(AggregationMaxSize, 10 * 1024 * 1024, nameof(AggregationMaxSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(CollectionMaxCount, 1, nameof(CollectionMaxCount));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CollectionMaxCount, 500, nameof(CollectionMaxCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(CollectionMaxSize, 52_224, nameof(CollectionMaxSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(CollectionMaxSize, 10 * 1024 * 1024, nameof(CollectionMaxSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(RecordMaxBufferedTime, TimeSpan.Zero, nameof(RecordMaxBufferedTime));
        ArgumentOutOfRangeException.ThrowIfLessThan(RecordTtl, TimeSpan.FromMilliseconds(100), nameof(RecordTtl));
        ArgumentOutOfRangeException.ThrowIfLessThan(RateLimit, 1, nameof(RateLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryBaseDelay, TimeSpan.Zero, nameof(RetryBaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryMaxDelay, RetryBaseDelay, nameof(RetryMaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentRequests, 1, nameof(MaxConcurrentRequests));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutstandingRecords, 1, nameof(MaxOutstandingRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutstandingBytes, 1, nameof(MaxOutstandingBytes));
        if (!Enum.IsDefined(FullMode))
        {
            throw new ArgumentOutOfRangeException(nameof(FullMode), FullMode, "FullMode must be Wait or Fail.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
