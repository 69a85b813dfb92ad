using StreamCore.Engine;
using StreamCore.Errors;

namespace StreamCore;

/// <summary>
/// Records to append to a <see cref="DataStream"/> together (the event-bus counterpart of PutRecords): add them, then
/// call <see cref="DataStream.Append(AppendBatch)"/>. The batch costs one clock read, and per shard one reservation
/// and one publication, so records appended in batches cost a fraction of single appends. Reusable: <see cref="Clear"/>
/// keeps its buffers, so a batch used again allocates nothing. Not thread-safe: one producer fills and appends it.
/// </summary>
/// <remarks>
/// <para>Each record is routed as a single append would route it (by the MD5 of its partition key, hashed several
/// keys at a time, or by its explicit hash key); records with the same partition key stay in the order they were
/// added. Payloads are copied in by <see cref="Add(string, ReadOnlySpan{byte})"/>, so the caller's buffers may be
/// reused at once.</para>
/// <para>A batch that breaks the stream's rules (a record over the stream's maximum record size, a stream that is not
/// ready) is rejected whole before anything is written. Throttling (when <see cref="StreamEngineOptions.Throughput"/>
/// is set) and the engine's memory cap (<see cref="Storage.MemoryLimitPolicy.RejectWrites"/>) refuse single records, as
/// PutRecords does: see <see cref="DataStream.Append(AppendBatch)"/>'s return value and <see cref="ErrorAt"/>.</para>
/// </remarks>
public sealed class AppendBatch
{
    private readonly AppendBuffer _records;
    private AppendResult[] _results;
    private Exception?[]? _errors;
    private int _resultCount;

    // Where the last append stored its records, per shard: the results are made from these when first read, so an
    // append whose caller does not look at them does not pay for them. _stored holds the groups' record indices.
    private (ShardId Shard, SequenceNumber First, int Start, int Count)[] _groups = new (ShardId, SequenceNumber, int, int)[4];
    private int _groupCount;
    private int[] _stored;

    /// <summary>Creates an empty batch.</summary>
    /// <param name="capacity">The records it holds before its buffers first grow.</param>
    public AppendBatch(int capacity = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _records = new AppendBuffer(capacity, capacity * 128);
        _results = new AppendResult[capacity];
        _stored = new int[capacity];
    }

    /// <summary>The number of records added since the batch was created or cleared.</summary>
    public int Count => _records.Count;

    /// <summary>
    /// One result per record, in the order they were added, once <see cref="DataStream.Append(AppendBatch)"/> returned:
    /// the shard and sequence number each was stored under. A record that was refused has the default result
    /// (see <see cref="ErrorAt"/>). Empty before the batch is appended and after it changes.
    /// </summary>
    public ReadOnlySpan<AppendResult> Results
    {
        get
        {
            if (_groupCount > 0)
            {
                MakeResults();
            }

            return _results.AsSpan(0, _resultCount);
        }
    }

    /// <summary>Adds a record routed by the MD5 hash of <paramref name="partitionKey"/>.</summary>
    /// <param name="partitionKey">1-256 characters; records with the same key go to the same shard, in order.</param>
    /// <param name="data">The payload, copied into the batch.</param>
    /// <exception cref="ValidationException">The partition key is empty or longer than 256 characters.</exception>
    public void Add(string partitionKey, ReadOnlySpan<byte> data)
    {
        CheckPartitionKey(partitionKey);
        _records.Add(partitionKey, null, data);
    }

    /// <summary>Adds a record routed to the shard that owns <paramref name="explicitHashKey"/>.</summary>
    /// <param name="partitionKey">1-256 characters, stored with the record.</param>
    /// <param name="explicitHashKey">The hash key that chooses the shard, overriding the partition key's hash.</param>
    /// <param name="data">The payload, copied into the batch.</param>
    /// <exception cref="ValidationException">The partition key is empty or longer than 256 characters.</exception>
    public void Add(string partitionKey, UInt128 explicitHashKey, ReadOnlySpan<byte> data)
    {
        CheckPartitionKey(partitionKey);
        _records.Add(partitionKey, explicitHashKey, data);
    }

    /// <summary>Removes every record and result; keeps the buffers for the next batch.</summary>
    public void Clear()
    {
        _records.Clear();
        ResetResults();
    }

    /// <summary>Why record <paramref name="index"/> was not stored by the last append, or null if it was.</summary>
    /// <param name="index">0 &lt;= index &lt; <see cref="Results"/>.Length.</param>
    /// <returns>The refusal (a <see cref="ProvisionedThroughputExceededException"/> for throttling or the memory cap,
    /// a <see cref="ResourceNotFoundException"/> for a stream deleted during the call), or null.</returns>
    public Exception? ErrorAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _resultCount);
        return _errors?[index];
    }

    private void CheckPartitionKey(string partitionKey)
    {
        if (partitionKey is null || partitionKey.Length is 0 or > Constraints.MaxPartitionKeyLength)
        {
            var errors = default(ValidationErrors);
            Constraints.PartitionKey(ref errors, partitionKey, "partitionKey");
            errors.ThrowIfAny();
        }

        ResetResults();
    }

    private void ResetResults()
    {
        _groupCount = 0;
        if (_resultCount > 0)
        {
            Array.Clear(_results, 0, _resultCount);
            if (_errors is not null)
            {
                Array.Clear(_errors, 0, _resultCount);
            }

            _resultCount = 0;
        }
    }

    /// <summary>Appends the batch (called by <see cref="DataStream.Append(AppendBatch)"/>).</summary>
    internal int AppendTo(StreamEngine engine, StreamState stream)
    {
        ResetResults();
        int count = _records.Count;
        if (_results.Length < count)
        {
            _results = new AppendResult[Math.Max(count, _results.Length * 2)];
            _stored = new int[_results.Length];
        }

        if (_errors is not null && _errors.Length < count)
        {
            _errors = new Exception?[_results.Length];
        }

        var outcomes = new Outcomes(this);
        int failed = engine.AppendBatch(stream, _records, operation: null, ref outcomes);
        _resultCount = count;
        return failed;
    }

    private void MakeResults()
    {
        AppendResult[] results = _results;
        foreach ((ShardId shard, SequenceNumber first, int start, int count) in _groups.AsSpan(0, _groupCount))
        {
            SequenceNumber sequenceNumber = first;
            foreach (int index in _stored.AsSpan(start, count))
            {
                results[index] = new AppendResult(shard, sequenceNumber);
                sequenceNumber = sequenceNumber.Advance(1);
            }
        }

        _groupCount = 0;
    }

    private readonly struct Outcomes(AppendBatch batch) : IAppendOutcomes
    {
        public void Stored(ReadOnlySpan<int> records, ShardState shard, SequenceNumber first)
        {
            // Kept, not yet made into results (see Results): the indices are copied, since a reshard during the
            // append regroups the records that remain into the same scratch.
            int start = batch._groupCount == 0 ? 0 : batch._groups[batch._groupCount - 1].Start + batch._groups[batch._groupCount - 1].Count;
            records.CopyTo(batch._stored.AsSpan(start));
            if (batch._groupCount == batch._groups.Length)
            {
                Array.Resize(ref batch._groups, batch._groups.Length * 2);
            }

            batch._groups[batch._groupCount++] = (shard.Id, first, start, records.Length);
        }

        public void Refused(int index, Exception error)
        {
            batch._errors ??= new Exception?[batch._results.Length];
            batch._errors[index] = error;
        }
    }
}
