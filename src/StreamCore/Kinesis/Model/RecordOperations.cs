namespace StreamCore.Kinesis;

/// <summary>PutRecord input.</summary>
public sealed class PutRecordRequest : StreamAddressedRequest
{
    /// <summary>The payload; its whole content is sent, whatever its position.</summary>
    public MemoryStream? Data { get; set; }

    /// <summary>1-256 characters; its MD5 chooses the shard.</summary>
    public string? PartitionKey { get; set; }

    /// <summary>A decimal hash key in [0, 2^128 - 1] that overrides the partition key's hash.</summary>
    public string? ExplicitHashKey { get; set; }

    /// <summary>The sequence number of the previous record of the same partition key, for strict ordering.</summary>
    public string? SequenceNumberForOrdering { get; set; }
}

/// <summary>PutRecord output.</summary>
public sealed class PutRecordResponse : KinesisResponse
{
    /// <summary>The shard the record went to.</summary>
    public string? ShardId { get; set; }

    /// <summary>The record's sequence number.</summary>
    public string? SequenceNumber { get; set; }

    /// <summary>NONE or KMS.</summary>
    public EncryptionType? EncryptionType { get; set; }
}

/// <summary>One record of a PutRecords request.</summary>
public sealed class PutRecordsRequestEntry
{
    /// <summary>The payload.</summary>
    public MemoryStream? Data { get; set; }

    /// <summary>A decimal hash key that overrides the partition key's hash.</summary>
    public string? ExplicitHashKey { get; set; }

    /// <summary>1-256 characters.</summary>
    public string? PartitionKey { get; set; }
}

/// <summary>PutRecords input.</summary>
public sealed class PutRecordsRequest : StreamAddressedRequest
{
    /// <summary>1-500 records, at most 10 MiB in all.</summary>
    public List<PutRecordsRequestEntry> Records { get; set; } = [];
}

/// <summary>The result of one PutRecords record, in request order.</summary>
public sealed class PutRecordsResultEntry
{
    /// <summary>The record's sequence number, on success.</summary>
    public string? SequenceNumber { get; set; }

    /// <summary>The record's shard, on success.</summary>
    public string? ShardId { get; set; }

    /// <summary>ProvisionedThroughputExceededException or InternalFailure, on failure.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>What failed, on failure.</summary>
    public string? ErrorMessage { get; set; }
}

/// <summary>PutRecords output.</summary>
public sealed class PutRecordsResponse : KinesisResponse
{
    /// <summary>Records that failed; retry only those.</summary>
    public int? FailedRecordCount { get; set; }

    /// <summary>One result per request record, in request order.</summary>
    public List<PutRecordsResultEntry> Records { get; set; } = [];

    /// <summary>NONE or KMS.</summary>
    public EncryptionType? EncryptionType { get; set; }
}

/// <summary>GetShardIterator input.</summary>
public sealed class GetShardIteratorRequest : StreamAddressedRequest
{
    /// <summary>The shard (parsed leniently: <c>shardId-5</c>, <c>5</c>...).</summary>
    public string? ShardId { get; set; }

    /// <summary>Where to start.</summary>
    public ShardIteratorType? ShardIteratorType { get; set; }

    /// <summary>For AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER.</summary>
    public string? StartingSequenceNumber { get; set; }

    /// <summary>For AT_TIMESTAMP (millisecond precision).</summary>
    public DateTime? Timestamp { get; set; }
}

/// <summary>GetShardIterator output.</summary>
public sealed class GetShardIteratorResponse : KinesisResponse
{
    /// <summary>The iterator, valid for five minutes.</summary>
    public string? ShardIterator { get; set; }
}

/// <summary>GetRecords input.</summary>
public sealed class GetRecordsRequest : KinesisRequest
{
    /// <summary>Where to read.</summary>
    public string? ShardIterator { get; set; }

    /// <summary>The most records to return, 1-10000 (default 10000).</summary>
    public int? Limit { get; set; }

    /// <summary>The stream's ARN (optional; must match the iterator's stream).</summary>
    public string? StreamARN { get; set; }
}

/// <summary>A record returned by GetRecords.</summary>
/// <remarks>
/// A record of a GetRecords response shares one copy of the response's bytes with the other records; its
/// <see cref="SequenceNumber"/>, <see cref="Data"/> and <see cref="PartitionKey"/> are materialized from there when
/// first read (and then kept), so records a caller never looks at cost little. Setting a member replaces it.
/// </remarks>
public sealed class Record
{
    // The response page the members not yet read or set come from; null for a record built by the caller.
    private readonly RecordPage? _page;
    private readonly int _index;
    private string? _sequenceNumber;
    private MemoryStream? _data;
    private string? _partitionKey;
    private bool _sequenceNumberSet, _dataSet, _partitionKeySet;

    /// <summary>Creates an empty record.</summary>
    public Record()
    {
    }

    internal Record(RecordPage page, int index, DateTime arrival, EncryptionType encryptionType)
    {
        _page = page;
        _index = index;
        ApproximateArrivalTimestamp = arrival;
        EncryptionType = encryptionType;
    }

    /// <summary>The record's sequence number.</summary>
    public string? SequenceNumber
    {
        get => _sequenceNumberSet || _page is null ? _sequenceNumber : _sequenceNumber ??= _page.SequenceNumberText(_index);
        set
        {
            _sequenceNumber = value;
            _sequenceNumberSet = true;
        }
    }

    /// <summary>When the record arrived (UTC, millisecond precision).</summary>
    public DateTime? ApproximateArrivalTimestamp { get; set; }

    /// <summary>The payload (read-only).</summary>
    public MemoryStream? Data
    {
        get => _dataSet || _page is null ? _data : _data ?? Interlocked.CompareExchange(ref _data, _page.DataStream(_index), null) ?? _data;
        set
        {
            _data = value;
            _dataSet = true;
        }
    }

    /// <summary>The partition key.</summary>
    public string? PartitionKey
    {
        get => _partitionKeySet || _page is null ? _partitionKey : _partitionKey ??= _page.PartitionKey(_index);
        set
        {
            _partitionKey = value;
            _partitionKeySet = true;
        }
    }

    /// <summary>NONE or KMS.</summary>
    public EncryptionType? EncryptionType { get; set; }

    /// <summary>The payload's bytes without materializing <see cref="Data"/>, while it has not been set (the server's writer).</summary>
    internal bool TryGetPageData(out ReadOnlySpan<byte> data)
    {
        if (_dataSet || _page is null)
        {
            data = default;
            return false;
        }

        data = _page.Data(_index);
        return true;
    }

    /// <summary>
    /// The payload's bytes as read-only memory over the response's one copy, while <see cref="Data"/> has not been set:
    /// the consumer worker reads payloads this way, without a stream per record or a copy out of one that hides its buffer.
    /// </summary>
    internal bool TryGetPageData(out ReadOnlyMemory<byte> data)
    {
        if (_dataSet || _page is null)
        {
            data = default;
            return false;
        }

        data = _page.DataMemory(_index);
        return true;
    }

    /// <summary>
    /// The sequence number's text, formatting this record's alone while the page has not formatted them all (the consumer
    /// worker needs the last of each batch for its position; reading <see cref="SequenceNumber"/> formats the whole page).
    /// </summary>
    internal string? FormatSequenceNumberAlone() => TryGetPageSequenceNumber(out StreamCore.SequenceNumber sequenceNumber) ? sequenceNumber.ToString() : SequenceNumber;

    /// <summary>The sequence number's value while it has not been set (the server's writer formats it itself).</summary>
    internal bool TryGetPageSequenceNumber(out StreamCore.SequenceNumber sequenceNumber)
    {
        if (_sequenceNumberSet || _page is null || _sequenceNumber is not null)
        {
            sequenceNumber = default;
            return false;
        }

        sequenceNumber = _page.SequenceNumberAt(_index);
        return true;
    }

    /// <summary>The partition key's UTF-8 bytes while it has not been set or read.</summary>
    internal bool TryGetPagePartitionKey(out ReadOnlySpan<byte> partitionKeyUtf8)
    {
        if (_partitionKeySet || _page is null || _partitionKey is not null)
        {
            partitionKeyUtf8 = default;
            return false;
        }

        partitionKeyUtf8 = _page.PartitionKeyUtf8(_index);
        return true;
    }
}

/// <summary>GetRecords output.</summary>
public sealed class GetRecordsResponse : KinesisResponse
{
    /// <summary>The records, in sequence order.</summary>
    public List<Record> Records { get; set; } = [];

    /// <summary>Where to read next; null once a closed shard is read to its end.</summary>
    public string? NextShardIterator { get; set; }

    /// <summary>How far behind the tip of the shard the response is; 0 when caught up.</summary>
    public long? MillisBehindLatest { get; set; }

    /// <summary>The children of a closed shard, at its end.</summary>
    public List<ChildShard> ChildShards { get; set; } = [];
}
