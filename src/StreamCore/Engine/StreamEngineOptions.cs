using StreamCore.Storage;

namespace StreamCore;

/// <summary>
/// Options of a <see cref="StreamEngine"/>: one engine stands for one AWS account in one region.
/// </summary>
public sealed class StreamEngineOptions
{
    /// <summary>The 12-digit account id in ARNs and error texts. Default <c>000000000000</c>, as the emulators use.</summary>
    public string AccountId { get; set; } = "000000000000";

    /// <summary>The region in ARNs. Default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The ARN partition. Default <c>aws</c>.</summary>
    public string Partition { get; set; } = "aws";

    /// <summary>
    /// The source of all time: arrival timestamps, retention, iterator expiry, status delays. Default
    /// <see cref="TimeProvider.System"/>; tests pass a <c>FakeTimeProvider</c>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// When <see cref="TimeProvider"/> is <see cref="TimeProvider.System"/>, read the time of each append from a coarse
    /// monotonic tick (resolution 1-4 ms, about 6 ns a read instead of about 25 ns), anchored to the system clock and
    /// re-anchored every second. Saves about 20 ns per append; arrival timestamps may then lag real time by up to the
    /// tick's resolution, so an AT_TIMESTAMP position taken just before a write may miss it. Default
    /// <see langword="false"/>. Ignored for any other <see cref="TimeProvider"/> (a fake clock is always exact).
    /// </summary>
    public bool UseCoarseClock { get; set; }

    /// <summary>
    /// How long a stream stays CREATING, UPDATING or DELETING before it moves on, measured on
    /// <see cref="TimeProvider"/>. Default <see cref="TimeSpan.Zero"/>: transitions are immediate.
    /// </summary>
    public TimeSpan StatusTransitionDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Kinesis's throughput limits, enforced by the Kinesis-shaped client when set (see <see cref="ThroughputLimits"/>).
    /// Default <see langword="null"/>: no limits.
    /// </summary>
    public ThroughputLimits? Throughput { get; set; }

    /// <summary>
    /// Supplies the keys of StartStreamEncryption. Default: an <see cref="InMemoryKmsKeyProvider"/> that knows
    /// <c>alias/aws/kinesis</c>; pass your own to add keys or to disable one in a test.
    /// </summary>
    public IKmsKeyProvider KeyProvider { get; set; } = new InMemoryKmsKeyProvider();

    /// <summary>How long a SubscribeToShard subscription lasts before it completes normally. Default five minutes.</summary>
    public TimeSpan SubscriptionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often an idle subscription sends an event with no records (a heartbeat). Default five seconds.</summary>
    public TimeSpan SubscriptionHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The account's open-shard quota (DescribeLimits.ShardLimit). Default 20,000, as in us-east-1.</summary>
    public int ShardLimit { get; set; } = 20_000;

    /// <summary>How on-demand streams scale themselves.</summary>
    public OnDemandScalingOptions OnDemandScaling { get; set; } = new();

    /// <summary>The account's on-demand stream quota. Default 50.</summary>
    public int OnDemandStreamCountLimit { get; set; } = 50;

    /// <summary>
    /// A cap on the bytes the engine retains for records (payloads, partition keys and descriptors, counted per
    /// storage segment). Default <see langword="null"/>: bounded only by retention.
    /// </summary>
    public long? MaxRetainedBytes { get; set; }

    /// <summary>What happens when <see cref="MaxRetainedBytes"/> is reached. Default <see cref="MemoryLimitPolicy.RejectWrites"/>.</summary>
    public MemoryLimitPolicy MemoryLimitPolicy { get; set; } = MemoryLimitPolicy.RejectWrites;

    /// <summary>
    /// How often expired records are physically released. Reads never return expired records whatever this
    /// is; it bounds how long their memory lingers. Default one minute.
    /// </summary>
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The key that signs shard iterators (at least 16 bytes). Default: 32 random bytes per engine, so iterators
    /// of one engine are rejected by another. Set it to make iterators reproducible across engines of the same account
    /// and region; the key is bound to them, so engines of other accounts sharing it still reject each other's iterators.
    /// </summary>
#pragma warning disable CA1819 // A key is naturally a byte array; the engine copies it.
    public byte[]? IteratorSigningKey { get; set; }
#pragma warning restore CA1819

    /// <summary>Largest number of records a storage segment holds (power of two). Default 8,192.</summary>
    public int SegmentRecordCapacity { get; set; } = 8192;

    /// <summary>Largest arena of a storage segment in bytes. Default 1 MiB; larger records get a segment of their own size.</summary>
    public int SegmentArenaBytes { get; set; } = 1024 * 1024;

    internal void Validate()
    {
        if (AccountId is not { Length: 12 } || AccountId.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw new ArgumentException($"AccountId must be 12 digits; got '{AccountId}'.", nameof(AccountId));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Region, nameof(Region));
        ArgumentException.ThrowIfNullOrWhiteSpace(Partition, nameof(Partition));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentOutOfRangeException.ThrowIfLessThan(StatusTransitionDelay, TimeSpan.Zero, nameof(StatusTransitionDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShardLimit, 1, nameof(ShardLimit));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SubscriptionLifetime, TimeSpan.Zero, nameof(SubscriptionLifetime));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SubscriptionHeartbeatInterval, TimeSpan.Zero, nameof(SubscriptionHeartbeatInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(OnDemandStreamCountLimit, 0, nameof(OnDemandStreamCountLimit));
        if (MaxRetainedBytes is { } cap)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(cap, 1, nameof(MaxRetainedBytes));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetentionSweepInterval, TimeSpan.Zero, nameof(RetentionSweepInterval));
        if (IteratorSigningKey is { Length: < 16 })
        {
            throw new ArgumentException("IteratorSigningKey must be at least 16 bytes.", nameof(IteratorSigningKey));
        }

        Throughput?.Validate();
        ArgumentNullException.ThrowIfNull(KeyProvider, nameof(KeyProvider));
        ArgumentNullException.ThrowIfNull(OnDemandScaling, nameof(OnDemandScaling));
        OnDemandScaling.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(SegmentRecordCapacity, 256, nameof(SegmentRecordCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(SegmentArenaBytes, 32 * 1024, nameof(SegmentArenaBytes));
    }
}
