using System.Diagnostics.Metrics;
using StreamCore.Engine;
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

    /// <summary>
    /// Creates the engine's meter (<c>StreamCore</c>, tagged with the account and region) when set, so a host's
    /// metrics pipeline owns it. Default <see langword="null"/>: the engine creates its own meter.
    /// <c>AddStreamCore</c> sets it to the container's <see cref="IMeterFactory"/> when it has one.
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>A private copy: nested option objects and the signing key are copied; services are shared.</summary>
    internal StreamEngineOptions Clone()
    {
        StreamEngineOptions copy = (StreamEngineOptions)MemberwiseClone();
        copy.Throughput = Throughput?.Clone();
        copy.OnDemandScaling = OnDemandScaling?.Clone()!;
        copy.IteratorSigningKey = (byte[]?)IteratorSigningKey?.Clone();
        return copy;
    }

    /// <summary>Throws the first broken rule (see <see cref="FindError"/>).</summary>
    internal void Validate()
    {
        if (FindError() is { } error)
        {
            throw error;
        }
    }

    /// <summary>
    /// The one home of the options' rules, used by the engine's constructor and by the DI validator: the first broken
    /// rule as an exception naming the option, the value given and the allowed range, or null when all hold.
    /// </summary>
    internal ArgumentException? FindError()
    {
        const string P = nameof(StreamEngineOptions) + ".";
        if (AccountId is not { Length: 12 } || AccountId.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return OptionRules.Invalid(P + nameof(AccountId), AccountId, "must be 12 digits");
        }

        return OptionRules.NotBlank(P + nameof(Region), Region)
            ?? OptionRules.NotBlank(P + nameof(Partition), Partition)
            ?? OptionRules.NotNull(P + nameof(TimeProvider), TimeProvider)
            ?? OptionRules.AtLeast(P + nameof(StatusTransitionDelay), StatusTransitionDelay, TimeSpan.Zero)
            ?? OptionRules.Positive(P + nameof(SubscriptionLifetime), SubscriptionLifetime)
            ?? OptionRules.Positive(P + nameof(SubscriptionHeartbeatInterval), SubscriptionHeartbeatInterval)
            ?? OptionRules.AtLeast(P + nameof(ShardLimit), ShardLimit, 1)
            ?? OptionRules.AtLeast(P + nameof(OnDemandStreamCountLimit), OnDemandStreamCountLimit, 0)
            ?? (MaxRetainedBytes is { } cap ? OptionRules.AtLeast(P + nameof(MaxRetainedBytes), cap, 1L) : null)
            ?? (Enum.IsDefined(MemoryLimitPolicy) ? null : OptionRules.OutOfRange(P + nameof(MemoryLimitPolicy), MemoryLimitPolicy, $"must be one of {string.Join(", ", Enum.GetNames<MemoryLimitPolicy>())}"))
            ?? OptionRules.Positive(P + nameof(RetentionSweepInterval), RetentionSweepInterval)
            ?? (IteratorSigningKey is { Length: < 16 } key ? OptionRules.Invalid(P + nameof(IteratorSigningKey), (FormattableString)$"{key.Length} bytes", "must be at least 16 bytes long") : null)
            ?? Throughput?.FindError(P + nameof(Throughput) + ".")
            ?? OptionRules.NotNull(P + nameof(KeyProvider), KeyProvider)
            ?? OptionRules.NotNull(P + nameof(OnDemandScaling), OnDemandScaling)
            ?? OnDemandScaling.FindError(P + nameof(OnDemandScaling) + ".")
            ?? OptionRules.PowerOfTwo(P + nameof(SegmentRecordCapacity), SegmentRecordCapacity, MinSegmentRecordCapacity, MaxSegmentRecordCapacity)
            ?? OptionRules.Between(P + nameof(SegmentArenaBytes), SegmentArenaBytes, MinSegmentArenaBytes, MaxSegmentArenaBytes);
    }

    internal const int MinSegmentRecordCapacity = 256;
    internal const int MaxSegmentRecordCapacity = 1 << 20;
    internal const int MinSegmentArenaBytes = 32 * 1024;
    internal const int MaxSegmentArenaBytes = 1 << 30;
}
