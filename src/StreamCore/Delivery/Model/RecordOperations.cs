namespace StreamCore.Delivery;

/// <summary>A record put to a delivery stream.</summary>
public sealed class Record
{
    /// <summary>Up to 1,000 KiB; its whole content is sent.</summary>
    public MemoryStream? Data { get; set; }
}

/// <summary>PutRecord input.</summary>
public sealed class PutRecordRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>The record.</summary>
    public Record? Record { get; set; }
}

/// <summary>PutRecord output.</summary>
public sealed class PutRecordResponse : FirehoseResponse
{
    /// <summary>The record's id.</summary>
    public string? RecordId { get; set; }

    /// <summary>Whether the delivery stream encrypts records at rest.</summary>
    public bool? Encrypted { get; set; }
}

/// <summary>PutRecordBatch input: 1-500 records, at most 4 MiB in all.</summary>
public sealed class PutRecordBatchRequest : FirehoseRequest
{
    /// <summary>The delivery stream.</summary>
    public string? DeliveryStreamName { get; set; }

    /// <summary>The records.</summary>
    public List<Record>? Records { get; set; }
}

/// <summary>The result of one record of a PutRecordBatch, in request order.</summary>
public sealed class PutRecordBatchResponseEntry
{
    /// <summary>Its id, on success.</summary>
    public string? RecordId { get; set; }

    /// <summary>ServiceUnavailableException or InternalFailure, on failure.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>What failed, on failure.</summary>
    public string? ErrorMessage { get; set; }
}

/// <summary>PutRecordBatch output.</summary>
public sealed class PutRecordBatchResponse : FirehoseResponse
{
    /// <summary>How many records failed; retry only those.</summary>
    public int? FailedPutCount { get; set; }

    /// <summary>Whether the delivery stream encrypts records at rest.</summary>
    public bool? Encrypted { get; set; }

    /// <summary>One result per record, in request order.</summary>
    public List<PutRecordBatchResponseEntry>? RequestResponses { get; set; }
}
