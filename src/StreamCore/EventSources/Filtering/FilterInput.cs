using System.Globalization;
using System.Text;

namespace StreamCore.EventSources.Filtering;

/// <summary>
/// The view of one Kinesis record that Lambda's filter patterns see: the record's <c>data</c> (decoded from base64
/// and parsed as UTF-8 JSON when it is JSON) and its metadata under the names of Lambda's Kinesis event
/// (<c>partitionKey</c>, <c>sequenceNumber</c>, <c>approximateArrivalTimestamp</c>, <c>kinesisSchemaVersion</c>,
/// <c>eventSource</c>, <c>eventVersion</c>, <c>eventID</c>, <c>eventName</c>, <c>invokeIdentityArn</c>,
/// <c>awsRegion</c>, <c>eventSourceARN</c>), all at the top level of the pattern as Lambda's filter docs show
/// (<c>{"Metadata1": [..], "data": {..}}</c>). Nothing is copied: the spans are the caller's, and metadata values
/// are formatted on the stack only when a pattern names them.
/// </summary>
internal readonly ref struct FilterInput
{
    private readonly ReadOnlySpan<byte> _partitionKeyUtf8;
    private readonly string? _partitionKey;
    private readonly ReadOnlySpan<char> _sequenceNumberText;
    private readonly SequenceNumber _sequenceNumber;
    private readonly ReadOnlySpan<char> _shardIdText;
    private readonly ShardId _shardId;

    /// <summary>A record read from the engine (the zero-copy path).</summary>
    public FilterInput(ReadOnlySpan<byte> data, ReadOnlySpan<byte> partitionKeyUtf8, SequenceNumber sequenceNumber, DateTimeOffset approximateArrivalTimestamp, ShardId shardId)
    {
        Data = data;
        _partitionKeyUtf8 = partitionKeyUtf8;
        _sequenceNumber = sequenceNumber;
        ApproximateArrivalTimestamp = approximateArrivalTimestamp;
        _shardId = shardId;
    }

    /// <summary>A record in the Kinesis API's shape (strings, as GetRecords answers over any Kinesis).</summary>
    public FilterInput(ReadOnlySpan<byte> data, string partitionKey, ReadOnlySpan<char> sequenceNumber, DateTimeOffset approximateArrivalTimestamp, ReadOnlySpan<char> shardId)
    {
        Data = data;
        _partitionKey = partitionKey;
        _sequenceNumberText = sequenceNumber;
        ApproximateArrivalTimestamp = approximateArrivalTimestamp;
        _shardIdText = shardId;
    }

    /// <summary>The record's bytes (what Lambda's event carries base64-encoded in <c>kinesis.data</c>).</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>When Kinesis accepted the record.</summary>
    public DateTimeOffset ApproximateArrivalTimestamp { get; }

    /// <summary>The stream's (or consumer's) ARN, the event's <c>eventSourceARN</c>; absent when null.</summary>
    public string? EventSourceArn { get; init; }

    /// <summary>The region, the event's <c>awsRegion</c>; absent when null.</summary>
    public string? AwsRegion { get; init; }

    /// <summary>The mapping's execution role, the event's <c>invokeIdentityArn</c>; absent when null.</summary>
    public string? InvokeIdentityArn { get; init; }

    /// <summary>The partition key as UTF-8, into <paramref name="buffer"/> when it has to be transcoded.</summary>
    internal ReadOnlySpan<byte> PartitionKeyUtf8(Span<byte> buffer)
    {
        if (_partitionKey is null)
        {
            return _partitionKeyUtf8;
        }

        int written = Encoding.UTF8.GetBytes(_partitionKey, buffer);
        return buffer[..written];
    }

    /// <summary>The sequence number's decimal text as ASCII bytes.</summary>
    internal ReadOnlySpan<byte> SequenceNumberUtf8(Span<byte> buffer)
    {
        Span<char> chars = stackalloc char[64];
        scoped ReadOnlySpan<char> text = _sequenceNumberText;
        if (text.IsEmpty)
        {
            _sequenceNumber.TryFormat(chars, out int written, default, CultureInfo.InvariantCulture);
            text = chars[..written];
        }

        return buffer[..Encoding.ASCII.GetBytes(text, buffer)];
    }

    /// <summary>The event's <c>eventID</c>, <c>shardId:sequenceNumber</c>, as ASCII bytes.</summary>
    internal ReadOnlySpan<byte> EventIdUtf8(Span<byte> buffer)
    {
        int length;
        if (_shardIdText.IsEmpty)
        {
            Span<char> chars = stackalloc char[32];
            _shardId.TryFormat(chars, out int written, default, CultureInfo.InvariantCulture);
            length = Encoding.ASCII.GetBytes(chars[..written], buffer);
        }
        else
        {
            length = Encoding.ASCII.GetBytes(_shardIdText, buffer);
        }

        buffer[length++] = (byte)':';
        length += SequenceNumberUtf8(buffer[length..]).Length;
        return buffer[..length];
    }
}
