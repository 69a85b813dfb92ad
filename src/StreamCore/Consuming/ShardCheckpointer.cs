namespace StreamCore.Consuming;

/// <summary>
/// Records how far a <see cref="IShardRecordProcessor"/> has processed its shard, in the lease (a write conditional on
/// the lease's counter, so only the worker holding the lease can checkpoint). The KCL's rules: a checkpoint may not move
/// backwards nor past the last record delivered; the last record of a closed shard is recorded as SHARD_END; after
/// the lease is lost every checkpoint throws <see cref="LeaseLostException"/>.
/// </summary>
public sealed class ShardCheckpointer
{
    private readonly ShardConsumer _consumer;

    internal ShardCheckpointer(ShardConsumer consumer)
    {
        _consumer = consumer;
    }

    /// <summary>The shard.</summary>
    public string ShardId => _consumer.ShardId;

    /// <summary>The last checkpoint recorded (a sentinel when none yet).</summary>
    public ExtendedSequenceNumber LastCheckpoint => _consumer.LastCheckpoint;

    /// <summary>The position of the last user record delivered to the processor: the largest checkpoint allowed.</summary>
    public ExtendedSequenceNumber LargestPermittedCheckpoint => _consumer.LargestDelivered;

    /// <summary>
    /// Checkpoints at the last user record delivered; in <see cref="IShardRecordProcessor.ShardEndedAsync"/>, records
    /// SHARD_END.
    /// </summary>
    /// <param name="cancellationToken">Cancels the write (the checkpoint may or may not be recorded).</param>
    /// <returns>A task that completes once the checkpoint is stored.</returns>
    /// <exception cref="LeaseLostException">This worker no longer holds the shard's lease.</exception>
    public ValueTask CheckpointAsync(CancellationToken cancellationToken = default) =>
        _consumer.CheckpointAsync(null, cancellationToken);

    /// <summary>Checkpoints at <paramref name="record"/>: it and every record before it are processed.</summary>
    /// <param name="record">A record delivered to the processor.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes once the checkpoint is stored.</returns>
    /// <exception cref="ArgumentException">The record is before the last checkpoint, or was not delivered yet.</exception>
    /// <exception cref="LeaseLostException">This worker no longer holds the shard's lease.</exception>
    public ValueTask CheckpointAsync(ConsumerRecord record, CancellationToken cancellationToken = default) =>
        _consumer.CheckpointAsync(record.ExtendedSequenceNumber, cancellationToken);

    /// <summary>Checkpoints at a position: the record of <paramref name="sequenceNumber"/> (and subsequence) and everything before it are processed.</summary>
    /// <param name="sequenceNumber">A delivered record's sequence number.</param>
    /// <param name="subSequenceNumber">The user record's subsequence number within an aggregate (0 for a plain record).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes once the checkpoint is stored.</returns>
    /// <exception cref="ArgumentException">Not a sequence number, a negative subsequence number, a position before the last checkpoint, or one not delivered yet.</exception>
    /// <exception cref="LeaseLostException">This worker no longer holds the shard's lease.</exception>
    public ValueTask CheckpointAsync(string sequenceNumber, long subSequenceNumber = 0, CancellationToken cancellationToken = default) =>
        _consumer.CheckpointAsync(ExtendedSequenceNumber.Of(sequenceNumber, subSequenceNumber), cancellationToken);
}

/// <summary>
/// A checkpoint was attempted after this worker lost the shard's lease (another worker took it, or it could not be
/// renewed within the failover time): the new owner resumes from the last checkpoint that was stored.
/// </summary>
public sealed class LeaseLostException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was attempted, on which shard.</param>
    public LeaseLostException(string message)
        : base(message)
    {
    }
}
