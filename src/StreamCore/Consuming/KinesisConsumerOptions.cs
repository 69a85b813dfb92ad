using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace StreamCore.Consuming;

/// <summary>Where a consumer starts reading a shard that has no checkpoint yet.</summary>
public enum InitialPosition
{
    /// <summary>Only records written after the consumer starts (the KCL's default).</summary>
    Latest = 0,

    /// <summary>Every retained record.</summary>
    TrimHorizon = 1,

    /// <summary>Records that arrived at or after <see cref="KinesisConsumerOptions.InitialTimestamp"/>.</summary>
    AtTimestamp = 2,
}

/// <summary>What the consumer does when <see cref="IShardRecordProcessor.ProcessRecordsAsync"/> throws.</summary>
public enum ProcessingFailureMode
{
    /// <summary>
    /// Log, wait (<see cref="KinesisConsumerOptions.TaskBackoffTime"/>, doubling up to
    /// <see cref="KinesisConsumerOptions.MaxRetryBackoff"/>) and deliver the batch's records after the latest checkpoint
    /// again: the shard waits, other shards flow, nothing is skipped. The default.
    /// </summary>
    RetryBatch = 0,

    /// <summary>Log and go on with the next batch, as the KCL does: the failed batch's records are not delivered again (until a restart or lease move from an earlier checkpoint).</summary>
    MoveOn = 1,
}

/// <summary>
/// Settings of a <see cref="KinesisConsumer"/>, with the KCL 2.x defaults (failover 10 s, renewal every 3.3 s, leases
/// taken every 20 s, at most one stolen per cycle, shard sync every 60 s, parents polled every 10 s, 10,000 records per
/// read, 1.5 s between reads once caught up, initial position LATEST).
/// </summary>
public sealed class KinesisConsumerOptions
{
    private static readonly System.Buffers.SearchValues<char> TableNameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");

    /// <summary>The application: names the lease table (3-255 letters, digits, '_', '-', '.', as DynamoDB table names). Required.</summary>
    public string ApplicationName { get; set; } = string.Empty;

    /// <summary>The stream to consume (its name or ARN), when the consumer reads through an <see cref="Kinesis.IKinesisClient"/>.</summary>
    public string? StreamName { get; set; }

    /// <summary>Creates a processor for each shard lease this worker takes. Required.</summary>
    public Func<IShardRecordProcessor>? ProcessorFactory { get; set; }

    /// <summary>The lease table. Default: an in-memory table shared by the consumers of this process with the same <see cref="ApplicationName"/>.</summary>
    public ILeaseStore? LeaseStore { get; set; }

    /// <summary>This worker's id, stored as the owner of its leases. Default: the machine name and a new GUID.</summary>
    public string? WorkerId { get; set; }

    /// <summary>Where shards without a checkpoint start.</summary>
    public InitialPosition InitialPosition { get; set; } = InitialPosition.Latest;

    /// <summary>The time for <see cref="InitialPosition.AtTimestamp"/>.</summary>
    public DateTimeOffset? InitialTimestamp { get; set; }

    /// <summary>An enhanced fan-out consumer's ARN: shards are read with SubscribeToShard. Null: GetRecords polling.</summary>
    public string? ConsumerArn { get; set; }

    /// <summary>How long a lease lives without renewal before other workers may take it (the KCL's failoverTimeMillis, 10 s).</summary>
    public TimeSpan FailoverTime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most leases this worker holds (unlimited by default).</summary>
    public int MaxLeasesForWorker { get; set; } = int.MaxValue;

    /// <summary>The most leases taken from other live workers per taking cycle, to balance (1).</summary>
    public int MaxLeasesToStealAtOneTime { get; set; } = 1;

    /// <summary>How often the shard list is read to create leases for new shards and clean up finished ones (60 s).</summary>
    public TimeSpan ShardSyncInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a child shard checks whether its parents are done (10 s).</summary>
    public TimeSpan ParentShardPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first pause after a failed step (processing, initializing, a store or read error): 500 ms, doubling.</summary>
    public TimeSpan TaskBackoffTime { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest pause between retries of a failing step (30 s).</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What happens when a processor's <see cref="IShardRecordProcessor.ProcessRecordsAsync"/> throws.</summary>
    public ProcessingFailureMode ProcessingFailureMode { get; set; } = ProcessingFailureMode.RetryBatch;

    /// <summary>The most records read at once from a shard (1-10,000).</summary>
    public int MaxRecords { get; set; } = 10_000;

    /// <summary>The pause between GetRecords calls once a shard is caught up (1.5 s); also how often an idle shard reports.</summary>
    public TimeSpan IdleTimeBetweenReads { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Whether processors are called with empty batches when a shard is idle (after each idle read).</summary>
    public bool CallProcessRecordsEvenForEmptyRecordList { get; set; }

    /// <summary>Whether a finished shard's lease is deleted once all its children have started (true).</summary>
    public bool CleanupLeasesUponShardCompletion { get; set; } = true;

    /// <summary>The clock of every wait and lease expiry.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Receives the consumer's logs (lease changes, processing failures, store outages).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Creates the consumer's meter (<c>StreamCore</c>); null for a meter of its own.</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>The renewal interval: failover / 3 − 25 ms, as the KCL.</summary>
    internal TimeSpan RenewInterval => FailoverTime / 3 - TimeSpan.FromMilliseconds(25);

    /// <summary>The taking interval: (failover + 25 ms) × 2, as the KCL.</summary>
    internal TimeSpan TakerInterval => (FailoverTime + TimeSpan.FromMilliseconds(25)) * 2;

    /// <summary>The first problem with these options, or null: one message naming the option, its value and what is expected.</summary>
    internal string? FindError(bool needsStreamName)
    {
        if (string.IsNullOrEmpty(ApplicationName) || ApplicationName.Length is < 3 or > 255
            || ApplicationName.AsSpan().ContainsAnyExcept(TableNameCharacters))
        {
            return $"ApplicationName '{ApplicationName}' is not valid: it names the lease table, so it must be 3-255 characters of letters, digits, '_', '-' and '.'.";
        }

        if (needsStreamName && string.IsNullOrEmpty(StreamName))
        {
            return "StreamName is required when the consumer reads through an IKinesisClient.";
        }

        if (ProcessorFactory is null)
        {
            return "ProcessorFactory is required: it creates the record processor of each shard.";
        }

        if (WorkerId is { Length: 0 })
        {
            return "WorkerId is empty: give a non-empty id, or null for a generated one.";
        }

        if (InitialPosition == InitialPosition.AtTimestamp && InitialTimestamp is null)
        {
            return "InitialTimestamp is required with InitialPosition AtTimestamp.";
        }

        if (!Enum.IsDefined(InitialPosition) || !Enum.IsDefined(ProcessingFailureMode))
        {
            return $"InitialPosition {InitialPosition} or ProcessingFailureMode {ProcessingFailureMode} is not a defined value.";
        }

        if (FailoverTime < TimeSpan.FromMilliseconds(100))
        {
            return $"FailoverTime {FailoverTime} is too short: expected at least 100 ms (leases are renewed every third of it).";
        }

        if (MaxLeasesForWorker < 1 || MaxLeasesToStealAtOneTime < 0)
        {
            return $"MaxLeasesForWorker {MaxLeasesForWorker} must be at least 1 and MaxLeasesToStealAtOneTime {MaxLeasesToStealAtOneTime} at least 0.";
        }

        if (MaxRecords is < 1 or > 10_000)
        {
            return $"MaxRecords {MaxRecords} is out of range: expected 1 to 10000.";
        }

        foreach ((string name, TimeSpan value) in new[] { (nameof(ShardSyncInterval), ShardSyncInterval), (nameof(ParentShardPollInterval), ParentShardPollInterval), (nameof(TaskBackoffTime), TaskBackoffTime), (nameof(IdleTimeBetweenReads), IdleTimeBetweenReads) })
        {
            if (value <= TimeSpan.Zero)
            {
                return $"{name} {value} must be positive.";
            }
        }

        if (MaxRetryBackoff < TaskBackoffTime)
        {
            return $"MaxRetryBackoff {MaxRetryBackoff} must be at least TaskBackoffTime {TaskBackoffTime}.";
        }

        return TimeProvider is null ? "TimeProvider is required." : null;
    }
}
