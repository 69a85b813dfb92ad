using System.Diagnostics;

namespace StreamCore.EventSources;

/// <summary>
/// The records of one shard read and not yet processed, in read order, as a ring of (sequence number, done) slots:
/// lanes finish records out of order, and the shard's checkpoint is the last record before the first unfinished one
/// (Lambda's "lowest unfinished record"). Not thread-safe: the shard processor's lock guards it.
/// </summary>
internal sealed class PendingRecords(int capacity)
{
    private readonly SequenceNumber[] _sequence = new SequenceNumber[capacity];
    private readonly bool[] _done = new bool[capacity];

    // Ordinals of the first unfinished slot (head) and of the next slot to add (tail); head <= tail <= head + capacity.
    private long _head;
    private long _tail;

    public int Count => (int)(_tail - _head);

    public int Capacity => _sequence.Length;

    public int Free => Capacity - Count;

    /// <summary>The first record read and not finished, or null when all are.</summary>
    public SequenceNumber? FirstUnfinished => _head < _tail ? _sequence[_head % Capacity] : null;

    /// <summary>Adds a record read; returns its ordinal.</summary>
    public long Add(SequenceNumber sequenceNumber)
    {
        Debug.Assert(Count < Capacity, "the pump waits for room");
        long ordinal = _tail++;
        _sequence[ordinal % Capacity] = sequenceNumber;
        _done[ordinal % Capacity] = false;
        return ordinal;
    }

    /// <summary>Marks a record finished; returns the new checkpoint when the head moved, else null.</summary>
    public SequenceNumber? Finish(long ordinal)
    {
        Debug.Assert(ordinal >= _head && ordinal < _tail, "a record is finished once, while pending");
        _done[ordinal % Capacity] = true;
        SequenceNumber? checkpoint = null;
        while (_head < _tail && _done[_head % Capacity])
        {
            checkpoint = _sequence[_head % Capacity];
            _head++;
        }

        return checkpoint;
    }
}
