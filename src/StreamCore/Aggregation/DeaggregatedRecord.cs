namespace StreamCore.Aggregation;

/// <summary>
/// One user record taken out of a Kinesis record: the record itself when it is not a KPL aggregate, or one entry of
/// the aggregate. All user records of one Kinesis record share its sequence number and arrival time; they are told
/// apart (and checkpointed) by <see cref="SubSequenceNumber"/>.
/// </summary>
/// <param name="PartitionKey">The user record's partition key (for an aggregate, from its partition key table).</param>
/// <param name="ExplicitHashKey">The user record's explicit hash key, when it had one.</param>
/// <param name="Data">The user record's payload: a slice of the Kinesis record's data, not a copy.</param>
/// <param name="SubSequenceNumber">0, 1, 2... within an aggregate, in order; 0 for a plain record.</param>
/// <param name="IsAggregated">Whether the record came out of a KPL aggregate.</param>
public readonly record struct DeaggregatedRecord(
    string PartitionKey,
    string? ExplicitHashKey,
    ReadOnlyMemory<byte> Data,
    long SubSequenceNumber,
    bool IsAggregated);
