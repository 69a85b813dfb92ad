using StreamCore.Storage;

namespace StreamCore.Server.Hosting;

/// <summary>
/// Every setting of the standalone server (the contract's options and the engine options a test double needs), as
/// parsed and validated by <see cref="ServerCommandLine"/>. Defaults are the contract's.
/// </summary>
internal sealed class ServerOptions
{
    public const string DefaultUrl = "http://127.0.0.1:4567";

    public string Url { get; init; } = DefaultUrl;

    public string Account { get; init; } = "000000000000";

    public string Region { get; init; } = "us-east-1";

    public TimeSpan StatusDelay { get; init; }

    public int ShardLimit { get; init; } = 20_000;

    public bool ThroughputLimits { get; init; }

    public string DataDirectory { get; init; } = Path.GetFullPath("streamcore-data");

    public Uri? S3Endpoint { get; init; }

    public IReadOnlyDictionary<string, Uri> Functions { get; init; } = new Dictionary<string, Uri>();

    public TimeSpan FunctionTimeout { get; init; } = TimeSpan.FromMilliseconds(60_000);

    public TimeSpan RetentionSweepInterval { get; init; } = TimeSpan.FromMinutes(1);

    public long? MaxRetainedBytes { get; init; }

    public MemoryLimitPolicy MemoryLimitPolicy { get; init; } = MemoryLimitPolicy.RejectWrites;

    public TimeSpan SubscriptionLifetime { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan SubscriptionHeartbeat { get; init; } = TimeSpan.FromSeconds(5);

    public byte[]? IteratorSigningKey { get; init; }

    public int MaxConcurrentRequests { get; init; } = 1024;

    /// <summary>The options of the engine that serves <paramref name="account"/>: every account gets the same settings.</summary>
    public StreamEngineOptions EngineOptions(string account) => new()
    {
        AccountId = account,
        Region = Region,
        StatusTransitionDelay = StatusDelay,
        ShardLimit = ShardLimit,
        Throughput = ThroughputLimits ? new ThroughputLimits() : null,
        RetentionSweepInterval = RetentionSweepInterval,
        MaxRetainedBytes = MaxRetainedBytes,
        MemoryLimitPolicy = MemoryLimitPolicy,
        SubscriptionLifetime = SubscriptionLifetime,
        SubscriptionHeartbeatInterval = SubscriptionHeartbeat,
        IteratorSigningKey = IteratorSigningKey,
    };
}
