using System.Text;
using Microsoft.Extensions.Logging;
using StreamCore.Hashing;
using static StreamCore.Aggregation.AggregatedRecordFormat;

namespace StreamCore.Aggregation;

/// <summary>
/// Takes the user records out of Kinesis records written by the KPL (or by StreamCore's producer, or by AWS's
/// aggregation libraries), as the KCL does: a record is an aggregate only when it starts with the KPL's magic and its
/// MD5 trailer matches; anything else, including a malformed aggregate, passes through unchanged as one user record.
/// </summary>
/// <remarks>
/// Given the hash key range of the shard a record was read from, an aggregate holding any user record whose hash key
/// lies outside it (possible when a producer aggregated across a reshard) is dropped whole, as KCL 2.x does; unlike
/// the KCL, the drop is counted (<see cref="DroppedRecordCount"/>) and logged as a warning. Thread-safe; one instance
/// can serve every shard of a consumer.
/// </remarks>
public sealed partial class RecordDeaggregator
{
    private readonly ILogger? _logger;
    private long _droppedRecords;
    private long _droppedAggregates;

    /// <summary>Creates a de-aggregator.</summary>
    /// <param name="logger">Receives a warning for every dropped aggregate and an error for every malformed one.</param>
    public RecordDeaggregator(ILogger? logger = null)
    {
        _logger = logger;
    }

    /// <summary>User records dropped so far because their aggregate held a hash key outside its shard's range.</summary>
    public long DroppedRecordCount => Volatile.Read(ref _droppedRecords);

    /// <summary>Aggregates dropped so far because they held a hash key outside their shard's range.</summary>
    public long DroppedAggregateCount => Volatile.Read(ref _droppedAggregates);

    /// <summary>Whether <paramref name="data"/> is a well-formed KPL aggregate frame (magic and matching MD5).</summary>
    /// <param name="data">A Kinesis record's data.</param>
    /// <returns><see langword="true"/> for an aggregate.</returns>
    public static bool IsAggregate(ReadOnlySpan<byte> data) => HasValidFrame(data);

    /// <summary>Appends the user records of one Kinesis record to <paramref name="destination"/>, in order.</summary>
    /// <param name="data">The Kinesis record's data.</param>
    /// <param name="partitionKey">The Kinesis record's partition key (used for a plain record).</param>
    /// <param name="explicitHashKey">The Kinesis record's explicit hash key, if known (used for a plain record).</param>
    /// <param name="shardHashKeyRange">The range of the shard the record was read from; null skips the check.</param>
    /// <param name="destination">Receives the user records.</param>
    /// <returns>How many user records were appended.</returns>
    public int Deaggregate(ReadOnlyMemory<byte> data, string partitionKey, string? explicitHashKey, HashKeyRange? shardHashKeyRange, ICollection<DeaggregatedRecord> destination)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(destination);
        ReadOnlySpan<byte> span = data.Span;
        if (!HasValidFrame(span))
        {
            destination.Add(new DeaggregatedRecord(partitionKey, explicitHashKey, data, 0, IsAggregated: false));
            return 1;
        }

        ReadOnlyMemory<byte> protobuf = data[MagicLength..^DigestLength];
        if (!TryReadTables(protobuf.Span, out List<string> partitionKeys, out List<string> hashKeys, out int recordCount))
        {
            // KCL passes a record it cannot parse through unchanged.
            destination.Add(new DeaggregatedRecord(partitionKey, explicitHashKey, data, 0, IsAggregated: false));
            return 1;
        }

        // Check every user record's hash key before emitting any, so a dropped aggregate leaves nothing behind.
        int usable = CheckRecords(protobuf.Span, partitionKeys, hashKeys, shardHashKeyRange, out bool outsideRange);
        if (outsideRange)
        {
            Interlocked.Add(ref _droppedRecords, recordCount);
            Interlocked.Increment(ref _droppedAggregates);
            if (_logger is not null)
            {
                LogDroppedAggregate(_logger, recordCount, shardHashKeyRange!.Value.StartingHashKey, shardHashKeyRange.Value.EndingHashKey);
            }

            return 0;
        }

        if (usable < recordCount && _logger is not null)
        {
            LogMalformedAggregate(_logger, usable, recordCount);
        }

        int emitted = 0;
        ReadOnlySpan<byte> source = protobuf.Span;
        int position = 0;
        while (emitted < usable && position < source.Length)
        {
            TryReadVarint(source, ref position, out ulong key);
            if (key != RecordsTag)
            {
                TrySkip(source, ref position, (int)(key & 7));
                continue;
            }

            TryReadLength(source, ref position, out int start, out int length);
            ReadRecord(source.Slice(start, length), out int pk, out int ehk, out int dataStart, out int dataLength);
            destination.Add(new DeaggregatedRecord(
                partitionKeys[pk],
                ehk >= 0 ? hashKeys[ehk] : null,
                protobuf.Slice(start + dataStart, dataLength),
                emitted,
                IsAggregated: true));
            emitted++;
        }

        return emitted;
    }

    /// <summary>Takes the user records out of a record read with GetRecords (or delivered to a Lambda-style handler).</summary>
    /// <param name="record">The Kinesis record.</param>
    /// <param name="shardHashKeyRange">The range of the shard the record was read from; null skips the check.</param>
    /// <returns>The user records, in order.</returns>
    public List<DeaggregatedRecord> Deaggregate(Kinesis.Record record, HashKeyRange? shardHashKeyRange = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        ReadOnlyMemory<byte> data = record.Data is null ? default
            : record.Data.TryGetBuffer(out ArraySegment<byte> buffer) ? buffer : record.Data.ToArray();
        var records = new List<DeaggregatedRecord>();
        Deaggregate(data, record.PartitionKey ?? string.Empty, null, shardHashKeyRange, records);
        return records;
    }

    /// <summary>Reads the key tables (in any field order) and counts the records; false when the protobuf is malformed.</summary>
    private static bool TryReadTables(ReadOnlySpan<byte> source, out List<string> partitionKeys, out List<string> hashKeys, out int recordCount)
    {
        partitionKeys = [];
        hashKeys = [];
        recordCount = 0;
        int position = 0;
        while (position < source.Length)
        {
            if (!TryReadVarint(source, ref position, out ulong key))
            {
                return false;
            }

            int wireType = (int)(key & 7);
            ulong field = key >> 3;
            if (wireType == 2 && field is 1 or 2 or 3)
            {
                if (!TryReadLength(source, ref position, out int start, out int length))
                {
                    return false;
                }

                if (field == 3)
                {
                    if (!ReadRecord(source.Slice(start, length), out _, out _, out _, out _))
                    {
                        return false;
                    }

                    recordCount++;
                }
                else
                {
                    string text;
                    try
                    {
                        text = Strict.GetString(source.Slice(start, length));
                    }
                    catch (DecoderFallbackException)
                    {
                        return false;
                    }

                    (field == 1 ? partitionKeys : hashKeys).Add(text);
                }
            }
            else if (field == 0 || !TrySkip(source, ref position, wireType))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Checks the records' key indexes and hash keys in order. Returns how many leading records have valid indexes
    /// (KCL keeps the records before a bad index); <paramref name="outsideRange"/> is set when any of them hashes
    /// outside the shard's range.
    /// </summary>
    private static int CheckRecords(ReadOnlySpan<byte> source, List<string> partitionKeys, List<string> hashKeys, HashKeyRange? range, out bool outsideRange)
    {
        outsideRange = false;
        int valid = 0;
        int position = 0;
        UInt128[]? keyHashes = range is null ? null : new UInt128[partitionKeys.Count];
        bool[]? hashed = range is null ? null : new bool[partitionKeys.Count];
        while (position < source.Length)
        {
            TryReadVarint(source, ref position, out ulong key);
            if (key != RecordsTag)
            {
                TrySkip(source, ref position, (int)(key & 7));
                continue;
            }

            TryReadLength(source, ref position, out int start, out int length);
            ReadRecord(source.Slice(start, length), out int pk, out int ehk, out _, out _);
            if (pk < 0 || pk >= partitionKeys.Count || ehk >= hashKeys.Count)
            {
                return valid;
            }

            if (range is { } shardRange)
            {
                UInt128 hashKey;
                if (ehk >= 0)
                {
                    if (PartitionKeyHash.TryParseExplicitHashKey(hashKeys[ehk], out hashKey) != ExplicitHashKeyParse.Ok)
                    {
                        return valid;
                    }
                }
                else
                {
                    if (!hashed![pk])
                    {
                        keyHashes![pk] = PartitionKeyHash.Hash(partitionKeys[pk]);
                        hashed[pk] = true;
                    }

                    hashKey = keyHashes![pk];
                }

                if (!shardRange.Contains(hashKey))
                {
                    outsideRange = true;
                }
            }

            valid++;
        }

        return valid;
    }

    /// <summary>Reads a Record body (fields in any order, unknown ones skipped); false when malformed or data is missing.</summary>
    private static bool ReadRecord(ReadOnlySpan<byte> body, out int partitionKeyIndex, out int explicitHashKeyIndex, out int dataStart, out int dataLength)
    {
        partitionKeyIndex = -1;
        explicitHashKeyIndex = -1;
        dataStart = dataLength = -1;
        int position = 0;
        while (position < body.Length)
        {
            if (!TryReadVarint(body, ref position, out ulong key))
            {
                return false;
            }

            switch (key)
            {
                case PartitionKeyIndexTag:
                    if (!TryReadVarint(body, ref position, out ulong pk))
                    {
                        return false;
                    }

                    partitionKeyIndex = pk > int.MaxValue ? int.MaxValue : (int)pk;
                    break;
                case ExplicitHashKeyIndexTag:
                    if (!TryReadVarint(body, ref position, out ulong ehk))
                    {
                        return false;
                    }

                    explicitHashKeyIndex = ehk > int.MaxValue ? int.MaxValue : (int)ehk;
                    break;
                case DataTag:
                    if (!TryReadLength(body, ref position, out dataStart, out dataLength))
                    {
                        return false;
                    }

                    break;
                default:
                    if ((key >> 3) == 0 || !TrySkip(body, ref position, (int)(key & 7)))
                    {
                        return false;
                    }

                    break;
            }
        }

        // partition_key_index and data are required fields.
        return partitionKeyIndex >= 0 && dataStart >= 0;
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Dropped an aggregated Kinesis record of {Count} user records: a user record's hash key lies outside the shard's range [{StartingHashKey}, {EndingHashKey}] (the aggregate was written across a reshard).")]
    private static partial void LogDroppedAggregate(ILogger logger, int count, UInt128 startingHashKey, UInt128 endingHashKey);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "An aggregated Kinesis record has a key table index out of range or a malformed explicit hash key: kept its first {Usable} of {Count} user records.")]
    private static partial void LogMalformedAggregate(ILogger logger, int usable, int count);
}
