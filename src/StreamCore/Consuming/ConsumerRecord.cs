using System.Collections;
using StreamCore.Connectors;

namespace StreamCore.Consuming;

/// <summary>
/// One user record delivered to a <see cref="IShardRecordProcessor"/>: a Kinesis record, or one of the user records of a
/// KPL aggregate, with its place in the shard (<see cref="SequenceNumber"/>, <see cref="SubSequenceNumber"/>). Over
/// the embedded engine it is a view of the engine's storage, valid during the <see cref="IShardRecordProcessor.ProcessRecordsAsync"/>
/// call it was given to.
/// </summary>
public readonly struct ConsumerRecord
{
    private readonly SourceRecord _source;
    private readonly string? _partitionKey;
    private readonly ReadOnlyMemory<byte> _data;

    internal ConsumerRecord(SourceRecord source, ReadOnlyMemory<byte> data, string? partitionKey, string? explicitHashKey, long subSequenceNumber, bool isAggregated)
    {
        _source = source;
        _data = data;
        _partitionKey = partitionKey;
        ExplicitHashKey = explicitHashKey;
        SubSequenceNumber = subSequenceNumber;
        IsAggregated = isAggregated;
    }

    /// <summary>The Kinesis record's sequence number (shared by the user records of one aggregate).</summary>
    public string SequenceNumber => _source.SequenceNumberText;

    /// <summary>The user record's place within its aggregate; 0 for a record that is not aggregated.</summary>
    public long SubSequenceNumber { get; }

    /// <summary>The record's position, as a checkpoint names it.</summary>
    public ExtendedSequenceNumber ExtendedSequenceNumber => ExtendedSequenceNumber.Of(SequenceNumber, SubSequenceNumber);

    /// <summary>The partition key (decoded into a new string on each call for a plain record read from the embedded engine).</summary>
    public string PartitionKey => _partitionKey ?? _source.PartitionKey;

    /// <summary>The explicit hash key the producer gave an aggregated user record, if any.</summary>
    public string? ExplicitHashKey { get; }

    /// <summary>The payload, without a copy.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>When the stream accepted the (Kinesis) record.</summary>
    public DateTimeOffset ApproximateArrivalTimestamp => _source.ApproximateArrivalTimestamp;

    /// <summary>Whether the record came out of a KPL aggregate.</summary>
    public bool IsAggregated { get; }

    /// <summary>The Kinesis record's sequence number, without formatting it.</summary>
    internal StreamCore.SequenceNumber Sequence => _source.SequenceNumber;

    /// <summary>The record's position, formatting no other record's sequence number (the worker's position after a batch).</summary>
    internal ExtendedSequenceNumber Position => ExtendedSequenceNumber.Of(_source.FormatSequenceNumberAlone(), SubSequenceNumber);
}

/// <summary>
/// The user records of one batch, in order, with an allocation-free enumerator. Reused by the consumer between batches:
/// valid during the <see cref="IShardRecordProcessor.ProcessRecordsAsync"/> call it was given to.
/// </summary>
public sealed class ConsumerRecords : IReadOnlyList<ConsumerRecord>
{
    // Either a view of the source batch (plain records: nothing copied, each record made on access) or the
    // materialized user records (a batch holding KPL aggregates).
    private ConsumerRecord[] _items = new ConsumerRecord[16];
    private SourceBatch _view;
    private int _viewStart;
    private bool _isView;

    internal ConsumerRecords()
    {
    }

    /// <summary>The number of records.</summary>
    public int Count { get; private set; }

    /// <summary>The record at <paramref name="index"/>.</summary>
    /// <param name="index">0 &lt;= index &lt; <see cref="Count"/>.</param>
    /// <returns>The record.</returns>
    public ConsumerRecord this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return _isView ? Plain(_view.At(_viewStart + index)) : _items[index];
        }
    }

    private static ConsumerRecord Plain(SourceRecord record) => new(record, record.Data, null, null, 0, false);

    internal void Clear()
    {
        if (_isView)
        {
            _view = default; // drops the reference to the batch's storage
            _isView = false;
        }
        else
        {
            Array.Clear(_items, 0, Count); // drops references to the batch's storage
        }

        Count = 0;
    }

    /// <summary>Shows <paramref name="count"/> plain records of <paramref name="batch"/> from <paramref name="start"/>, without copying them.</summary>
    internal void SetView(SourceBatch batch, int start, int count)
    {
        Clear();
        _view = batch;
        _viewStart = start;
        _isView = true;
        Count = count;
    }

    /// <summary>Makes room for <paramref name="capacity"/> records at once (a materialized batch, rather than doubling up to its size).</summary>
    internal void EnsureCapacity(int capacity)
    {
        if (!_isView && _items.Length < capacity)
        {
            var items = new ConsumerRecord[capacity];
            Array.Copy(_items, items, Count);
            _items = items;
        }
    }

    internal void Add(in ConsumerRecord record)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = record;
    }

    /// <summary>Keeps only the records after <paramref name="position"/> (those a checkpoint has not covered).</summary>
    internal void RemoveThrough(ExtendedSequenceNumber position, SequenceNumber? parsed)
    {
        if (_isView)
        {
            // Plain records in order: the covered ones are a prefix.
            while (Count > 0 && IsCovered(Plain(_view[_viewStart]), position, parsed))
            {
                _viewStart++;
                Count--;
            }

            return;
        }

        int kept = 0;
        for (int i = 0; i < Count; i++)
        {
            if (!IsCovered(_items[i], position, parsed))
            {
                _items[kept++] = _items[i];
            }
        }

        Array.Clear(_items, kept, Count - kept);
        Count = kept;
    }

    internal static bool IsCovered(in ConsumerRecord record, ExtendedSequenceNumber position, SequenceNumber? parsed)
    {
        if (position.IsSentinel)
        {
            return position.SequenceNumber == Lease.ShardEnd;
        }

        if (parsed is { } p)
        {
            int order = record.Sequence.CompareTo(p);
            return order < 0 || (order == 0 && record.SubSequenceNumber <= position.SubSequenceNumber);
        }

        return record.ExtendedSequenceNumber <= position;
    }

    /// <summary>Returns an allocation-free enumerator.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<ConsumerRecord> IEnumerable<ConsumerRecord>.GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<ConsumerRecord>)this).GetEnumerator();

    /// <summary>Enumerates the records without allocating.</summary>
    public struct Enumerator
    {
        // What the list shows, taken once (the list does not change during the call it was given to): a record is then
        // made straight from the batch, with no check beyond the staleness check reading its payload makes.
        private readonly SourceBatch _view;
        private readonly ConsumerRecord[] _items;
        private readonly int _start;
        private readonly int _count;
        private readonly bool _isView;
        private int _index;

        internal Enumerator(ConsumerRecords records)
        {
            _view = records._view;
            _items = records._items;
            _start = records._viewStart;
            _count = records.Count;
            _isView = records._isView;
            _index = -1;
        }

        /// <summary>The current record.</summary>
        /// <exception cref="InvalidOperationException">The enumerator is before the first record or after the last.</exception>
        public readonly ConsumerRecord Current
        {
            get
            {
                if ((uint)_index >= (uint)_count)
                {
                    ThrowNoCurrent();
                }

                return _isView ? Plain(_view.At(_start + _index)) : _items[_index];
            }
        }

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        private static void ThrowNoCurrent() => throw new InvalidOperationException("The enumerator is before the first record or after the last: call MoveNext first, and read Current only while it returns true.");

        /// <summary>Advances to the next record.</summary>
        /// <returns><see langword="false"/> after the last.</returns>
        public bool MoveNext() => ++_index < _count;
    }
}
