using System.Text;
using StreamCore.Errors;
using StreamCore.Kinesis;

namespace StreamCore.Connectors;

/// <summary>
/// Where a processing component reads records: one stream, reached through any Kinesis (<see cref="KinesisClientRecordSource"/>:
/// GetRecords polling, or enhanced fan-out with a consumer ARN) or through the event-bus face of the embedded engine
/// (<see cref="DataStreamRecordSource"/>: zero-copy). The consumer worker, the event source mappings, delivery streams
/// and analytics applications read through this and nothing below the faces; <see cref="RecordSink"/> is its writing twin.
/// </summary>
internal abstract class RecordSource
{
    /// <summary>The stream read.</summary>
    public abstract string StreamName { get; }

    /// <summary>
    /// Checks, before any reading, that the stream exists (and, for enhanced fan-out, that the consumer is registered
    /// on it and ACTIVE); throws the service's exception with a message that says what is missing.
    /// </summary>
    public virtual async Task ValidateAsync(CancellationToken cancellationToken) =>
        _ = await ListShardsAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Every retained shard of the stream, open and closed, in shard id order.</summary>
    /// <exception cref="Errors.ResourceNotFoundException">The stream does not exist.</exception>
    public abstract Task<IReadOnlyList<SourceShard>> ListShardsAsync(CancellationToken cancellationToken);

    /// <summary>Opens a reader of one shard at <paramref name="position"/> (LATEST is fixed when the reader opens).</summary>
    /// <param name="shardId">The shard to read.</param>
    /// <param name="position">Where to start.</param>
    /// <param name="maxRecords">The most records a batch holds (1-10,000; a fan-out event may hold fewer or more).</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>A reader for one consumer; dispose it when done.</returns>
    /// <exception cref="Errors.ResourceNotFoundException">No such stream or shard.</exception>
    /// <exception cref="Errors.InvalidArgumentException">The position names another shard or a future time.</exception>
    public abstract ValueTask<SourceShardReader> OpenReaderAsync(ShardId shardId, ShardPosition position, int maxRecords, CancellationToken cancellationToken);

    private protected static void ValidateMaxRecords(int maxRecords)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRecords, Constraints.MaxGetRecordsLimit);
    }
}

/// <summary>
/// Reads one shard in batches, in sequence order, waiting for new records without polling in a loop. For one consumer
/// at a time. A batch is valid until the next read or disposal (the zero-copy source lends the engine's storage).
/// </summary>
internal abstract class SourceShardReader : IAsyncDisposable
{
    /// <summary>The shard read.</summary>
    public abstract ShardId ShardId { get; }

    /// <summary>
    /// The next batch: records as soon as some are available, or the shard's end (<see cref="SourceBatch.IsShardEnd"/>,
    /// with the children, possibly together with the last records), or an empty batch once <paramref name="maxWait"/>
    /// passed on the source's clock with nothing to read. At the end, every further read returns the end again.
    /// </summary>
    /// <param name="maxWait">How long to wait for records; <see cref="Timeout.InfiniteTimeSpan"/> waits until some arrive.</param>
    /// <param name="cancellationToken">Cancels the wait; nothing read is lost (the next read returns it).</param>
    /// <returns>The batch, valid until the next read or disposal.</returns>
    /// <exception cref="Errors.ResourceNotFoundException">The stream was deleted while it was read.</exception>
    public abstract ValueTask<SourceBatch> ReadAsync(TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Releases the reader (and a pending wait or subscription); its batches become invalid.</summary>
    public abstract ValueTask DisposeAsync();

    private protected static void ValidateMaxWait(TimeSpan maxWait)
    {
        if (maxWait < TimeSpan.Zero && maxWait != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWait), maxWait, "The wait must be zero or more, or Timeout.InfiniteTimeSpan.");
        }
    }
}

/// <summary>One shard as a source reports it.</summary>
/// <param name="ShardId">The shard's id.</param>
/// <param name="ParentShardId">The shard it was split or merged from, if any.</param>
/// <param name="AdjacentParentShardId">The other parent of a merge, if any.</param>
/// <param name="HashKeyRange">The hash keys it owns.</param>
/// <param name="StartingSequenceNumber">The sequence number below every record of the shard.</param>
/// <param name="EndingSequenceNumber">Set once the shard is closed.</param>
internal sealed record SourceShard(
    ShardId ShardId,
    ShardId? ParentShardId,
    ShardId? AdjacentParentShardId,
    HashKeyRange HashKeyRange,
    SequenceNumber StartingSequenceNumber,
    SequenceNumber? EndingSequenceNumber)
{
    /// <summary>Whether the shard still accepts writes.</summary>
    public bool IsOpen => EndingSequenceNumber is null;

    /// <summary>The shard's parents (none, one, or two for a merge).</summary>
    public IReadOnlyList<ShardId> ParentShardIds => (ParentShardId, AdjacentParentShardId) switch
    {
        ({ } p, { } a) => [p, a],
        ({ } p, null) => [p],
        (null, { } a) => [a],
        _ => [],
    };
}

/// <summary>A child of a closed shard, reported at the shard's end.</summary>
/// <param name="ShardId">The child's id.</param>
/// <param name="ParentShardIds">Its parents (one for a split, two for a merge).</param>
/// <param name="HashKeyRange">The hash keys it owns.</param>
internal sealed record SourceChildShard(ShardId ShardId, IReadOnlyList<ShardId> ParentShardIds, HashKeyRange HashKeyRange);

/// <summary>
/// What one read of a shard returned: records (possibly none), how far behind the tip the reader is, and at the shard's
/// end its children. Valid until its reader reads again or is disposed.
/// </summary>
internal readonly struct SourceBatch
{
    private readonly RecordBatch _stored;
    private readonly List<Record>? _wire;
    private readonly int _wireStart;
    private readonly int _wireCount;

    internal SourceBatch(RecordBatch stored, long millisBehindLatest, IReadOnlyList<SourceChildShard>? childShards)
    {
        _stored = stored;
        MillisBehindLatest = millisBehindLatest;
        ChildShards = childShards;
    }

    internal SourceBatch(List<Record> wire, long millisBehindLatest, IReadOnlyList<SourceChildShard>? childShards)
        : this(wire, 0, wire.Count, millisBehindLatest, childShards)
    {
    }

    /// <summary>A batch of <paramref name="count"/> records of <paramref name="wire"/> from <paramref name="start"/> (part of a large fan-out event).</summary>
    internal SourceBatch(List<Record> wire, int start, int count, long millisBehindLatest, IReadOnlyList<SourceChildShard>? childShards)
    {
        _wire = wire;
        _wireStart = start;
        _wireCount = count;
        MillisBehindLatest = millisBehindLatest;
        ChildShards = childShards;
    }

    /// <summary>The number of records.</summary>
    public int Count => _wire is null ? _stored.Count : _wireCount;

    /// <summary>Whether the records came over a Kinesis client (else they are views of the engine's storage).</summary>
    public bool IsWire => _wire is not null;

    /// <summary>How far the reader is behind the tip of the shard after this batch, in milliseconds (0: caught up).</summary>
    public long MillisBehindLatest { get; }

    /// <summary>Whether the shard is closed and read to its end: no record follows; continue with <see cref="ChildShards"/>.</summary>
    public bool IsShardEnd => ChildShards is not null;

    /// <summary>At the shard's end, its children (empty when the shard ended because its stream's records expired); else null.</summary>
    public IReadOnlyList<SourceChildShard>? ChildShards { get; }

    /// <summary>The record at <paramref name="index"/> (0-based).</summary>
    /// <param name="index">0 &lt;= index &lt; <see cref="Count"/>.</param>
    /// <exception cref="InvalidOperationException">The batch is stale: its reader read again or was disposed.</exception>
    public SourceRecord this[int index]
    {
        get
        {
            if (_wire is not { } wire)
            {
                return new SourceRecord(_stored[index]);
            }

            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _wireCount);
            return new SourceRecord(wire[_wireStart + index]);
        }
    }

    /// <summary>The record at <paramref name="index"/>, for a caller that keeps it within <see cref="Count"/> (a stale batch still throws when the record is read).</summary>
    internal SourceRecord At(int index) => _wire is { } wire ? new SourceRecord(wire[_wireStart + index]) : new SourceRecord(_stored.At(index));

    /// <summary>
    /// Whether the records from <paramref name="start"/> on are certainly not KPL aggregates (the engine's tags, read
    /// without making a record), and then the bytes of their payloads; false over a client, where every record may be one.
    /// </summary>
    internal bool AreCertainlyPlain(int start, out long dataBytes)
    {
        if (_wire is not null)
        {
            dataBytes = 0;
            return false;
        }

        return _stored.AreCertainlyPlain(start, out dataBytes);
    }

    /// <summary>The sequence number of the last record (default when the batch is empty).</summary>
    public SequenceNumber LastSequenceNumber => Count == 0 ? default : this[Count - 1].SequenceNumber;

    /// <summary>Returns an allocation-free enumerator over the records.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>Enumerates the records of a batch without allocating.</summary>
    public struct Enumerator
    {
        private readonly SourceBatch _batch;
        private int _index;

        internal Enumerator(SourceBatch batch)
        {
            _batch = batch;
            _index = -1;
        }

        /// <summary>The current record.</summary>
        public readonly SourceRecord Current => _batch[_index];

        /// <summary>Advances to the next record.</summary>
        /// <returns><see langword="false"/> after the last record.</returns>
        public bool MoveNext() => ++_index < _batch.Count;
    }
}

/// <summary>
/// One record of a <see cref="SourceBatch"/>: over the event-bus face a view of the engine's storage (valid as long as
/// its batch), over a Kinesis client the record GetRecords or SubscribeToShard returned.
/// </summary>
internal readonly struct SourceRecord
{
    private readonly StreamRecord _stored;
    private readonly Record? _wire;

    internal SourceRecord(StreamRecord stored)
    {
        _stored = stored;
    }

    internal SourceRecord(Record wire)
    {
        _wire = wire;
    }

    /// <summary>The record's sequence number (over the in-process client read from its response, not parsed from text).</summary>
    public SequenceNumber SequenceNumber => _wire is { } wire
        ? (wire.TryGetPageSequenceNumber(out SequenceNumber fromPage) ? fromPage : SequenceNumber.Parse(wire.SequenceNumber ?? string.Empty))
        : _stored.SequenceNumber;

    /// <summary>The sequence number's text, formatting no other record's (see <see cref="Record.FormatSequenceNumberAlone"/>).</summary>
    public string FormatSequenceNumberAlone() => _wire is { } wire ? wire.FormatSequenceNumberAlone() ?? string.Empty : _stored.SequenceNumber.ToString();

    /// <summary>The record's sequence number in its decimal form (allocates over the event-bus face).</summary>
    public string SequenceNumberText => _wire?.SequenceNumber ?? _stored.SequenceNumber.ToString();

    /// <summary>The partition key (decoded into a new string on each call over the event-bus face).</summary>
    public string PartitionKey => _wire is { } wire ? wire.PartitionKey ?? string.Empty : _stored.PartitionKey;

    /// <summary>The partition key's UTF-8 bytes over the event-bus face, without a copy; encoded anew over a client.</summary>
    public ReadOnlyMemory<byte> PartitionKeyUtf8 => _wire is { } wire ? Encoding.UTF8.GetBytes(wire.PartitionKey ?? string.Empty) : _stored.PartitionKeyUtf8;

    /// <summary>The payload, without a copy (except out of a caller's stream that hides its buffer).</summary>
    public ReadOnlyMemory<byte> Data
    {
        get
        {
            if (_wire is not { } wire)
            {
                return _stored.Data;
            }

            if (wire.TryGetPageData(out ReadOnlyMemory<byte> fromPage))
            {
                return fromPage; // the in-process client's response: its one copy of the bytes, no stream made
            }

            return wire.Data is null ? default
                : wire.Data.TryGetBuffer(out ArraySegment<byte> buffer) ? buffer
                : wire.Data.ToArray();
        }
    }

    /// <summary>Whether <see cref="Data"/> costs no copy, however often it is read: over the event-bus face, or from the in-process client's response.</summary>
    public bool HasDataWithoutCopy => _wire is not { } wire || wire.TryGetPageData(out ReadOnlyMemory<byte> _) || wire.Data is null || wire.Data.TryGetBuffer(out _);

    /// <summary>
    /// Whether <see cref="Data"/> may be a KPL aggregate; false means certainly not. Over the event-bus face the answer
    /// comes from a tag set at append (the payload is not touched); over a client it is always true.
    /// </summary>
    public bool MayBeAggregate => _wire is not null || _stored.MayBeAggregate;

    /// <summary>When the stream accepted the record (Kinesis's ApproximateArrivalTimestamp, millisecond precision).</summary>
    public DateTimeOffset ApproximateArrivalTimestamp => _wire is { } wire
        ? (wire.ApproximateArrivalTimestamp is { } t ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t) : default)
        : _stored.ApproximateArrivalTimestamp;
}
