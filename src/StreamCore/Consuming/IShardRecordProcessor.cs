namespace StreamCore.Consuming;

/// <summary>
/// Processes the records of one shard for a <see cref="KinesisConsumer"/>, with the KCL's lifecycle: one instance per
/// shard lease, created by <see cref="KinesisConsumerOptions.ProcessorFactory"/>; <see cref="InitializeAsync"/> once,
/// then <see cref="ProcessRecordsAsync"/> for each batch (never two at a time), then exactly one of
/// <see cref="LeaseLostAsync"/>, <see cref="ShardEndedAsync"/> or <see cref="ShutdownRequestedAsync"/>.
/// </summary>
public interface IShardRecordProcessor
{
    /// <summary>Called once, before any record, with the checkpoint processing starts after.</summary>
    /// <param name="input">The shard and its checkpoint.</param>
    /// <param name="cancellationToken">Cancelled when the lease is lost or the consumer is disposed.</param>
    /// <returns>A task that completes when the processor is ready.</returns>
    ValueTask InitializeAsync(InitializationInput input, CancellationToken cancellationToken);

    /// <summary>
    /// Processes one batch: user records (de-aggregated, each with its sequence and subsequence number), in order, none
    /// at or before the checkpoint. When this throws, the consumer retries the batch after a backoff (the default) or
    /// moves on as the KCL does (<see cref="KinesisConsumerOptions.ProcessingFailureMode"/>).
    /// </summary>
    /// <param name="input">The records, how far behind the tip the shard is, and the checkpointer.</param>
    /// <param name="cancellationToken">Cancelled when the lease is lost or the consumer is disposed.</param>
    /// <returns>A task that completes when the batch is processed.</returns>
    ValueTask ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken);

    /// <summary>The lease is gone (taken by another worker, or not renewed in time): do not checkpoint; it would throw.</summary>
    /// <param name="input">The shard.</param>
    /// <param name="cancellationToken">Cancelled when the consumer is disposed.</param>
    /// <returns>A task that completes when the processor has let go.</returns>
    ValueTask LeaseLostAsync(LeaseLostInput input, CancellationToken cancellationToken);

    /// <summary>
    /// The shard is closed and every record of it was delivered: the processor must call
    /// <see cref="ShardCheckpointer.CheckpointAsync(CancellationToken)"/>, which records SHARD_END, so that the shard's
    /// children may start. Without it the consumer logs an error and calls this again after a backoff.
    /// </summary>
    /// <param name="input">The shard and the checkpointer.</param>
    /// <param name="cancellationToken">Cancelled when the lease is lost or the consumer is disposed.</param>
    /// <returns>A task that completes when the processor has checkpointed.</returns>
    ValueTask ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken);

    /// <summary>
    /// The consumer is stopping gracefully and still holds the lease: checkpoint what was processed, and the next owner
    /// starts right after it. The lease is released when this returns.
    /// </summary>
    /// <param name="input">The shard and the checkpointer.</param>
    /// <param name="cancellationToken">Cancelled when the stop's own token is, or the lease is lost.</param>
    /// <returns>A task that completes when the processor has checkpointed.</returns>
    ValueTask ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IShardRecordProcessor.InitializeAsync"/> is told.</summary>
/// <param name="ShardId">The shard this processor has the lease of.</param>
/// <param name="ExtendedSequenceNumber">The checkpoint: processing starts after it (a sentinel when nothing was processed yet).</param>
public sealed record InitializationInput(string ShardId, ExtendedSequenceNumber ExtendedSequenceNumber);

/// <summary>What <see cref="IShardRecordProcessor.ProcessRecordsAsync"/> is given. Valid during the call only.</summary>
public sealed class ProcessRecordsInput
{
    internal ProcessRecordsInput(string shardId, ConsumerRecords records, ShardCheckpointer checkpointer)
    {
        ShardId = shardId;
        Records = records;
        Checkpointer = checkpointer;
    }

    /// <summary>The shard.</summary>
    public string ShardId { get; }

    /// <summary>
    /// The user records, in order. Over the embedded engine they lend its storage: valid until the call returns; copy
    /// what you keep longer.
    /// </summary>
    public ConsumerRecords Records { get; }

    /// <summary>How far behind the tip of the shard the batch was read, in milliseconds (0: caught up).</summary>
    public long MillisBehindLatest { get; internal set; }

    /// <summary>Whether the batch holds the shard's last records (the shard is closed; <see cref="IShardRecordProcessor.ShardEndedAsync"/> follows).</summary>
    public bool IsAtShardEnd { get; internal set; }

    /// <summary>Records progress; checkpoints are conditional on still holding the lease.</summary>
    public ShardCheckpointer Checkpointer { get; }
}

/// <summary>What <see cref="IShardRecordProcessor.LeaseLostAsync"/> is told.</summary>
/// <param name="ShardId">The shard whose lease was lost.</param>
public sealed record LeaseLostInput(string ShardId);

/// <summary>What <see cref="IShardRecordProcessor.ShardEndedAsync"/> is given.</summary>
/// <param name="ShardId">The shard that ended.</param>
/// <param name="Checkpointer">Call its <see cref="ShardCheckpointer.CheckpointAsync(CancellationToken)"/> to record SHARD_END.</param>
public sealed record ShardEndedInput(string ShardId, ShardCheckpointer Checkpointer);

/// <summary>What <see cref="IShardRecordProcessor.ShutdownRequestedAsync"/> is given.</summary>
/// <param name="ShardId">The shard being handed off.</param>
/// <param name="Checkpointer">Checkpoint what was processed before returning.</param>
public sealed record ShutdownRequestedInput(string ShardId, ShardCheckpointer Checkpointer);
