using Microsoft.Extensions.Logging;

namespace StreamCore.Consuming;

/// <summary>The consumer's log messages, in one place.</summary>
internal static partial class ConsumerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Worker {WorkerId} of application {ApplicationName} started on stream {StreamName}.")]
    public static partial void Started(ILogger logger, string workerId, string applicationName, string streamName);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Worker {WorkerId} of application {ApplicationName} stopped; its leases were handed off.")]
    public static partial void Stopped(ILogger logger, string workerId, string applicationName);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Worker {WorkerId} took the lease of shard {ShardId} (previous owner: {PreviousOwner}).")]
    public static partial void LeaseTaken(ILogger logger, string shardId, string workerId, string? previousOwner);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Worker {WorkerId} lost the lease of shard {ShardId}: {Reason}.")]
    public static partial void LeaseLost(ILogger logger, string shardId, string workerId, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Created the lease of shard {ShardId} at {Checkpoint}.")]
    public static partial void LeaseCreated(ILogger logger, string shardId, string checkpoint);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Deleted the finished lease of shard {ShardId} (its children have started).")]
    public static partial void LeaseDeleted(ILogger logger, string shardId);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Shard {ShardId} is finished (SHARD_END checkpointed by worker {WorkerId}).")]
    public static partial void ShardCompleted(ILogger logger, string shardId, string workerId);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "The lease store failed while {What}; retrying.")]
    public static partial void StoreFailed(ILogger logger, string what, Exception exception);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Could not renew the lease of shard {ShardId} (last renewed {Since} ago).")]
    public static partial void RenewFailed(ILogger logger, string shardId, TimeSpan since, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Processing {Count} records of shard {ShardId} failed; mode {Mode}.")]
    public static partial void ProcessFailed(ILogger logger, string shardId, int count, ProcessingFailureMode mode, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Reading shard {ShardId} failed; retrying after a backoff.")]
    public static partial void ReadFailed(ILogger logger, string shardId, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Application didn't checkpoint at end of shard {ShardId}: the shard ended callback must call CheckpointAsync() so that its children start; calling it again after a backoff.")]
    public static partial void NoShardEndCheckpoint(ILogger logger, string shardId);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "A record processor callback of shard {ShardId} threw.")]
    public static partial void CallbackFailed(ILogger logger, string shardId, Exception exception);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "Processing of shard {ShardId} failed; its lease is given up.")]
    public static partial void ShardFailed(ILogger logger, string shardId, Exception exception);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Could not release the lease of shard {ShardId}; it will expire instead.")]
    public static partial void ReleaseFailed(ILogger logger, string shardId, Exception exception);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "Shard {ShardId}: could not {What}; retrying after a backoff.")]
    public static partial void StepFailed(ILogger logger, string shardId, string what, Exception exception);
}
