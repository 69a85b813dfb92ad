namespace StreamCore.Errors;

/// <summary>Firehose: the delivery stream's version id is not the current one (UpdateDestination, tags while updating).</summary>
public sealed class ConcurrentModificationException(string message) : KinesisException(message);

/// <summary>Firehose: the service cannot take the records now (per record in PutRecordBatch, or the whole call); retry with back-off.</summary>
public sealed class ServiceUnavailableException(string message) : KinesisException(message);

/// <summary>Firehose: the KMS key given for server-side encryption cannot be used.</summary>
public sealed class InvalidKMSResourceException(string message) : KinesisException(message)
{
    /// <summary>The KMS error code behind the refusal, as Firehose's <c>code</c> member carries it.</summary>
    public string? Code { get; init; }
}

/// <summary>Firehose: the delivery stream's source refuses the operation.</summary>
public sealed class InvalidSourceException(string message) : KinesisException(message)
{
    /// <summary>The source's error code, as Firehose's <c>code</c> member carries it.</summary>
    public string? Code { get; init; }
}
