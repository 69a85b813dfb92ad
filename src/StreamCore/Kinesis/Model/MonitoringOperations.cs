namespace StreamCore.Kinesis;

/// <summary>EnableEnhancedMonitoring input.</summary>
public sealed class EnableEnhancedMonitoringRequest : StreamAddressedRequest
{
    /// <summary>1-7 of IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, or ALL.</summary>
    public List<string> ShardLevelMetrics { get; set; } = [];
}

/// <summary>EnableEnhancedMonitoring output.</summary>
public sealed class EnableEnhancedMonitoringResponse : KinesisResponse
{
    /// <summary>The stream's name.</summary>
    public string? StreamName { get; set; }

    /// <summary>The stream's ARN.</summary>
    public string? StreamARN { get; set; }

    /// <summary>The shard-level metrics before the call.</summary>
    public List<string> CurrentShardLevelMetrics { get; set; } = [];

    /// <summary>The shard-level metrics after the call.</summary>
    public List<string> DesiredShardLevelMetrics { get; set; } = [];
}

/// <summary>DisableEnhancedMonitoring input.</summary>
public sealed class DisableEnhancedMonitoringRequest : StreamAddressedRequest
{
    /// <summary>The metrics to turn off (or ALL).</summary>
    public List<string> ShardLevelMetrics { get; set; } = [];
}

/// <summary>DisableEnhancedMonitoring output.</summary>
public sealed class DisableEnhancedMonitoringResponse : KinesisResponse
{
    /// <summary>The stream's name.</summary>
    public string? StreamName { get; set; }

    /// <summary>The stream's ARN.</summary>
    public string? StreamARN { get; set; }

    /// <summary>The shard-level metrics before the call.</summary>
    public List<string> CurrentShardLevelMetrics { get; set; } = [];

    /// <summary>The shard-level metrics after the call.</summary>
    public List<string> DesiredShardLevelMetrics { get; set; } = [];
}
