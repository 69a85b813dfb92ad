using StreamCore.Kinesis;

namespace StreamCore.Connectors;

/// <summary>
/// Where a processing component writes records: one stream, reached through any Kinesis (<see cref="KinesisClientRecordSink"/>)
/// or through the event-bus face of the embedded engine (<see cref="DataStreamRecordSink"/>). The producer, and the
/// delivery and analytics components that write streams, depend on this and on nothing below the faces; a
/// <c>RecordSource</c> for readers sits beside it.
/// </summary>
internal abstract class RecordSink
{
    /// <summary>The stream written to.</summary>
    public abstract string StreamName { get; }

    /// <summary>The per-shard write limits the stream is held to, when known (for the producer's rate limit).</summary>
    public ThroughputLimits? ShardWriteLimits { get; init; }

    /// <summary>The stream's shards (open and closed) and its maximum record size.</summary>
    public abstract Task<SinkStreamDescription> DescribeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="records"/> as one PutRecords call and fills one result per record, in order. A failure
    /// of the whole call (throttled, stream gone, transport) is thrown; a failure of single records is reported in
    /// their results.
    /// </summary>
    public abstract ValueTask PutRecordsAsync(ReadOnlyMemory<SinkRecord> records, Memory<SinkResult> results, CancellationToken cancellationToken);

    /// <summary>
    /// The sink for <paramref name="streamName"/> through <paramref name="client"/>: over the embedded engine's own
    /// client, <see cref="EmbeddedEngineRecordSink"/> (the event-bus fast path unless faults or limits apply); over any
    /// other Kinesis, the client itself.
    /// </summary>
    public static RecordSink For(IKinesisClient client, string streamName) =>
        client is KinesisClient { Engine: { } engine }
            ? new EmbeddedEngineRecordSink(engine, client, streamName)
            : new KinesisClientRecordSink(client, streamName);
}

/// <summary>One shard as the sink reports it.</summary>
internal readonly record struct SinkShard(ShardId ShardId, HashKeyRange HashKeyRange, bool IsOpen);

/// <summary>What a writer needs to know of the stream.</summary>
internal sealed record SinkStreamDescription(IReadOnlyList<SinkShard> Shards, int MaxRecordSizeInKiB);

/// <summary>One record to write.</summary>
/// <param name="PartitionKey">Its partition key.</param>
/// <param name="ExplicitHashKey">Its explicit hash key, when it has one.</param>
/// <param name="ExplicitHashKeyText">The explicit hash key's decimal form, when already at hand.</param>
/// <param name="Data">Its payload.</param>
internal readonly record struct SinkRecord(string PartitionKey, UInt128? ExplicitHashKey, string? ExplicitHashKeyText, ReadOnlyMemory<byte> Data)
{
    /// <summary>
    /// The hash key the record routes by when the writer already knows it (the MD5 of the partition key, or the
    /// explicit hash key): the event-bus sink routes by it instead of hashing the key again. Not sent on the wire.
    /// </summary>
    public UInt128? RouteHashKey { get; init; }
}

/// <summary>The result of writing one record: a shard and sequence number, or an error code and message.</summary>
internal struct SinkResult
{
    public ShardId ShardId;
    public SequenceNumber SequenceNumber;
    public string? ErrorCode;
    public string? ErrorMessage;

    public readonly bool Succeeded => ErrorCode is null;
}
