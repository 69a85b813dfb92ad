using System.Runtime.CompilerServices;
using StreamCore.Engine.Encryption;
using StreamCore.Engine;
using StreamCore.Storage;

namespace StreamCore;

/// <summary>
/// Reads one shard from a starting position, in batches, without copying and without allocating per record, and
/// waits for new records without polling (an append wakes it). Shaped like a <c>ChannelReader</c>:
/// <see cref="TryRead"/>, <see cref="WaitToReadAsync"/>, <see cref="ReadAllAsync"/>. A reader is for one consumer at a
/// time; open one reader per consumer.
/// </summary>
/// <remarks>
/// <para>A <see cref="RecordBatch"/> is a view of the engine's storage, valid until this reader reads again or is
/// disposed (the contract of <c>PipeReader</c> buffers): the engine recycles storage once no reader holds it, which
/// is what keeps a busy stream from allocating. A batch used after that throws <see cref="InvalidOperationException"/>
/// instead of showing other records. Copy what you keep longer (<see cref="RecordBatch.ToArray"/>,
/// <see cref="StreamRecord.Copy"/>). Dispose readers you stop using.</para>
/// <para>When the stream is deleted, or the shard is closed and its records have all expired, the reader ends:
/// <see cref="TryRead"/> returns <see langword="false"/>, <see cref="WaitToReadAsync"/> completes with
/// <see langword="false"/>, <see cref="ReadAllAsync"/> completes and <see cref="IsAtShardEnd"/> is <see langword="true"/>.</para>
/// </remarks>
public sealed class ShardReader : IDisposable
{
    private readonly StreamEngine _engine;
    private readonly StreamState _stream;
    private readonly ShardState _shard;
    private readonly LogWaiter _waiter = new();
    private readonly LogPin _pin;
    private readonly int _maxBatchRecords;
    private DecryptedRecords? _plaintext;
    private int _disposed;

    // Invariant: the log index of the next record this reader returns; only moves forward.
    private long _next;

    internal ShardReader(StreamEngine engine, StreamState stream, ShardState shard, long startIndex, int maxBatchRecords)
    {
        _engine = engine;
        _stream = stream;
        _shard = shard;
        _next = startIndex;
        _maxBatchRecords = maxBatchRecords;
        _pin = shard.Log.Pin();
    }

    /// <summary>The shard being read.</summary>
    public ShardId ShardId => _shard.Id;

    /// <summary>
    /// Whether the reader has read a closed shard to its end: no record will ever follow (the shard was split or
    /// merged, its records expired, or its stream deleted). Continue with the shard's children.
    /// </summary>
    public bool IsAtShardEnd => _shard.Log.IsAtEnd(_next);

    /// <summary>
    /// Reads the next batch of available records (at most the reader's batch size), skipping records past
    /// retention. Reads the clock once.
    /// </summary>
    /// <param name="batch">The records read; valid until this reader reads again or is disposed.</param>
    /// <returns><see langword="false"/> when no record is available now.</returns>
    public bool TryRead(out RecordBatch batch)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        batch = _engine.ReadBatch(_stream, _shard, _pin, _next, _maxBatchRecords, ref _plaintext);
        _next = batch.EndIndex;
        return batch.Count > 0;
    }

    /// <summary>
    /// Completes when a record may be read (<see langword="true"/>), or when the shard will never have another
    /// one for this reader (<see langword="false"/>: the stream was deleted or the engine disposed).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether to call <see cref="TryRead"/> again.</returns>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _shard.Log.WaitForRecordAsync(_next, _waiter, _pin, cancellationToken);
    }

    /// <summary>Reads batches as they arrive until the shard ends or <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="cancellationToken">Ends the enumeration with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The batches, in sequence order.</returns>
    public async IAsyncEnumerable<RecordBatch> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            while (TryRead(out RecordBatch batch))
            {
                yield return batch;
            }

            if (!await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// The sequence number just before <paramref name="index"/>: where a reader positioned there resumes after
    /// (AFTER_SEQUENCE_NUMBER). The shard's starting number before its first record.
    /// </summary>
    internal SequenceNumber SequenceNumberBefore(long index)
    {
        if (index == 0)
        {
            return _shard.StartingSequenceNumber;
        }

        _pin.BeginRead();
        long? arrival = _shard.Log.ArrivalOf(index - 1);
        _pin.EndRead();
        return _shard.SequenceNumberAt(index - 1, arrival ?? _engine.NowMs); // a trimmed record's number still names its place
    }

    /// <summary>
    /// <see cref="ShardState.MillisBehindLatest"/> within a pinned read (it reads a record's arrival, whose storage a
    /// trim may otherwise recycle under it); the batch this reader holds stays valid.
    /// </summary>
    internal long MillisBehindLatest(long index, long nowMs)
    {
        _pin.BeginRead();
        try
        {
            return _shard.MillisBehindLatest(index, nowMs);
        }
        finally
        {
            _pin.EndRead();
        }
    }

    /// <summary>How far this reader is behind the tip of the shard now (reads the clock once); 0 when caught up.</summary>
    internal long MillisBehindLatest() => MillisBehindLatest(_next, _engine.NowMs);

    /// <summary>Releases the reader's hold on storage; batches it returned become invalid.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _shard.Log.Unpin(_pin);
        }
    }
}
