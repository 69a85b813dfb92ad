using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Reading;

namespace StreamCore;

/// <summary>The shard and sequence number a record was stored under.</summary>
/// <param name="ShardId">The shard that owns the record's hash key.</param>
/// <param name="SequenceNumber">The record's sequence number, unique and increasing within the shard.</param>
public readonly record struct AppendResult(ShardId ShardId, SequenceNumber SequenceNumber);

/// <summary>A snapshot of one shard's description.</summary>
/// <param name="ShardId">The shard's id.</param>
/// <param name="HashKeyRange">The hash keys it owns.</param>
/// <param name="ParentShardId">The shard it was split or merged from, if any.</param>
/// <param name="AdjacentParentShardId">The other parent of a merge, if any.</param>
/// <param name="StartingSequenceNumber">The sequence number below every record of the shard.</param>
/// <param name="EndingSequenceNumber">Set once the shard is closed.</param>
public sealed record ShardInfo(
    ShardId ShardId,
    HashKeyRange HashKeyRange,
    ShardId? ParentShardId,
    ShardId? AdjacentParentShardId,
    SequenceNumber StartingSequenceNumber,
    SequenceNumber? EndingSequenceNumber)
{
    /// <summary>Whether the shard still accepts writes.</summary>
    public bool IsOpen => EndingSequenceNumber is null;
}

/// <summary>
/// A handle on one stream for event-bus use: append records and read shards without per-record allocation.
/// Handles are cheap; every handle on a stream sees the same data. Thread-safe.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Kinesis's own term: a Kinesis Data Stream, not a System.IO.Stream.")]
public sealed class DataStream
{
    private readonly StreamEngine _engine;
    private readonly StreamState _stream;

    internal DataStream(StreamEngine engine, StreamState stream)
    {
        _engine = engine;
        _stream = stream;
    }

    /// <summary>The stream's name.</summary>
    public string Name => _stream.Name;

    /// <summary>The stream's ARN.</summary>
    public string Arn => _stream.Arn;

    /// <summary>The engine's clock, which the processing components reading this stream wait on.</summary>
    internal TimeProvider TimeProvider => _engine.Time;

    /// <summary>The engine the stream belongs to (for processing components that record on the engine's meter).</summary>
    internal StreamEngine Engine => _engine;

    /// <summary>The stream's current status.</summary>
    public DataStreamStatus Status => _stream.Status;

    /// <summary>The stream's retention period in hours.</summary>
    public int RetentionPeriodHours => _stream.RetentionHours;

    /// <summary>The largest record (data plus partition key) the stream accepts, in KiB.</summary>
    public int MaxRecordSizeInKiB => _stream.MaxRecordSizeKiB;

    /// <summary>A snapshot of every retained shard, open and closed, in shard id order.</summary>
    public IReadOnlyList<ShardInfo> Shards =>
        [.. _stream.LiveShards(_engine.NowMs).Select(s => new ShardInfo(s.Id, s.Range, s.ParentShardId, s.AdjacentParentShardId, s.StartingSequenceNumber, s.EndingSequenceNumber))];

    /// <summary>Appends a record routed by the MD5 hash of <paramref name="partitionKey"/>.</summary>
    /// <param name="partitionKey">1-256 characters; records with the same key go to the same shard, in order.</param>
    /// <param name="data">The payload, copied into the engine.</param>
    /// <returns>The shard and sequence number of the record.</returns>
    /// <exception cref="ValidationException">The partition key is empty or longer than 256 characters.</exception>
    /// <exception cref="InvalidArgumentException">The record exceeds the stream's maximum record size.</exception>
    /// <exception cref="ResourceNotFoundException">The stream is not ready (CREATING) or was deleted.</exception>
    public AppendResult Append(string partitionKey, ReadOnlySpan<byte> data)
    {
        Span<byte> key = stackalloc byte[RecordRules.MaxUtf8Length(partitionKey)];
        int keyLength = RecordRules.EncodePartitionKey(_engine, _stream, partitionKey, data.Length, key, "partitionKey");
        return AppendEncoded(partitionKey, null, key[..keyLength], data);
    }

    /// <summary>Appends a record to the shard that owns <paramref name="explicitHashKey"/>.</summary>
    /// <param name="partitionKey">1-256 characters, stored with the record.</param>
    /// <param name="explicitHashKey">The hash key that chooses the shard, overriding the partition key's hash.</param>
    /// <param name="data">The payload, copied into the engine.</param>
    /// <returns>The shard and sequence number of the record.</returns>
    public AppendResult Append(string partitionKey, UInt128 explicitHashKey, ReadOnlySpan<byte> data)
    {
        Span<byte> key = stackalloc byte[RecordRules.MaxUtf8Length(partitionKey)];
        int keyLength = RecordRules.EncodePartitionKey(_engine, _stream, partitionKey, data.Length, key, "partitionKey");
        return AppendEncoded(partitionKey, explicitHashKey, key[..keyLength], data);
    }

    /// <summary>
    /// Appends every record of <paramref name="batch"/>: one clock read for the batch, and per shard one reservation and
    /// one publication; each record routed as a single append would route it, records of one partition key kept in the
    /// order they were added. <see cref="AppendBatch.Results"/> then holds each record's shard and sequence number.
    /// </summary>
    /// <param name="batch">The records; unchanged by the call, so it may be cleared and reused afterwards.</param>
    /// <returns>
    /// The number of records refused, as PutRecords' FailedRecordCount: 0 unless throttling
    /// (<see cref="StreamEngineOptions.Throughput"/>), the memory cap under <see cref="Storage.MemoryLimitPolicy.RejectWrites"/>
    /// or a stream deleted during the call refused some (<see cref="AppendBatch.ErrorAt"/> says why); the other records
    /// are stored. A shard refuses or accepts all of its records of a batch together.
    /// </returns>
    /// <exception cref="InvalidArgumentException">A record exceeds the stream's maximum record size: nothing was stored.</exception>
    /// <exception cref="ResourceNotFoundException">The stream is not ready (CREATING): nothing was stored. (Records of a
    /// stream deleted before or during the call are refused one by one, with this exception at <see cref="AppendBatch.ErrorAt"/>.)</exception>
    public int Append(AppendBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.AppendTo(_engine, _stream);
    }

    private AppendResult AppendEncoded(string partitionKey, UInt128? explicitHashKey, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        SequenceNumber sequenceNumber = _engine.Append(_stream, partitionKey, explicitHashKey, key, data, operation: null, out ShardState shard);
        return new AppendResult(shard.Id, sequenceNumber);
    }

    /// <summary>Opens a reader on one shard.</summary>
    /// <param name="shardId">The shard to read.</param>
    /// <param name="position">Where to start; LATEST is fixed when the reader opens.</param>
    /// <param name="maxBatchRecords">The most records one batch holds (1-10,000).</param>
    /// <returns>A reader for one consumer; dispose it when done.</returns>
    /// <exception cref="ResourceNotFoundException">No such shard.</exception>
    /// <exception cref="InvalidArgumentException">The position names another shard or stream, or a future time.</exception>
    public ShardReader OpenReader(ShardId shardId, ShardPosition position, int maxBatchRecords = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchRecords, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBatchRecords, Constraints.MaxGetRecordsLimit);
        ShardState shard = RecordRules.ReadableShard(_engine, _stream, shardId);
        long start = ShardPositions.Resolve(_engine, _stream, shard, position, _engine.NowMs);
        return new ShardReader(_engine, _stream, shard, start, maxBatchRecords);
    }

    /// <summary>
    /// Reads the whole stream across reshards: parents to their end before their children, so each partition key's
    /// records come out in write order through any splits and merges; unrelated shards are read side by side.
    /// </summary>
    /// <param name="position">TRIM_HORIZON (every retained record), LATEST or AT_TIMESTAMP.</param>
    /// <param name="cancellationToken">Ends the sequence.</param>
    /// <returns>Batches from any shard (see <see cref="RecordBatch.ShardId"/>), each valid until the next is requested.</returns>
    public IAsyncEnumerable<RecordBatch> ReadStreamAsync(ShardPosition position, CancellationToken cancellationToken = default) =>
        new StreamFollower(_engine, _stream).ReadAsync(position, cancellationToken);

    /// <summary>Splits an open shard at <paramref name="newStartingHashKey"/> (provisioned streams; Kinesis's rules).</summary>
    /// <param name="shardId">The open shard to split.</param>
    /// <param name="newStartingHashKey">The first hash key of the upper child; each child keeps at least two keys.</param>
    public void SplitShard(ShardId shardId, UInt128 newStartingHashKey) =>
        _engine.SplitShard(_stream, shardId.ToString(), newStartingHashKey, newStartingHashKey.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Merges two adjacent open shards (provisioned streams; Kinesis's rules).</summary>
    /// <param name="shardToMerge">The lower shard.</param>
    /// <param name="adjacentShardToMerge">The shard whose range starts right after it.</param>
    public void MergeShards(ShardId shardToMerge, ShardId adjacentShardToMerge) =>
        _engine.MergeShards(_stream, shardToMerge.ToString(), adjacentShardToMerge.ToString());

    /// <summary>Scales a provisioned stream to <paramref name="targetShardCount"/> open shards of even width.</summary>
    /// <param name="targetShardCount">At most double and at least half the current open shard count.</param>
    public void UpdateShardCount(int targetShardCount) => _engine.UpdateShardCount(_stream, targetShardCount);

    /// <summary>Reads one shard as an asynchronous sequence of batches, waiting for new records as they arrive.</summary>
    /// <param name="shardId">The shard to read.</param>
    /// <param name="position">Where to start.</param>
    /// <param name="cancellationToken">Ends the sequence.</param>
    /// <returns>The batches, in sequence order; each valid until the next is requested.</returns>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(ShardId shardId, ShardPosition position, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using ShardReader reader = OpenReader(shardId, position);
        await foreach (RecordBatch batch in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return batch;
        }
    }
}
