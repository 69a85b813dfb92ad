namespace StreamCore.Delivery;

/// <summary>The base of every Firehose request.</summary>
public abstract class FirehoseRequest;

/// <summary>The base of every Firehose response.</summary>
public abstract class FirehoseResponse;

/// <summary>A tag of a delivery stream.</summary>
public sealed class Tag
{
    /// <summary>1-128 characters, not starting with <c>aws:</c>.</summary>
    public string? Key { get; set; }

    /// <summary>0-256 characters.</summary>
    public string? Value { get; set; }
}

/// <summary>The DirectPut source's settings.</summary>
public sealed class DirectPutSourceConfiguration
{
    /// <summary>1-100: the expected throughput (a hint; no limit is enforced from it).</summary>
    public int? ThroughputHintInMBs { get; set; }
}

/// <summary>The Kinesis data stream a KinesisStreamAsSource delivery stream reads.</summary>
public sealed class KinesisStreamSourceConfiguration
{
    /// <summary>The stream's ARN.</summary>
    public string? KinesisStreamARN { get; set; }

    /// <summary>The role Firehose assumes to read it.</summary>
    public string? RoleARN { get; set; }
}

/// <summary>Server-side encryption of a delivery stream.</summary>
public sealed class DeliveryStreamEncryptionConfigurationInput
{
    /// <summary>The customer managed key, for <see cref="KeyType.CUSTOMER_MANAGED_CMK"/> only.</summary>
    public string? KeyARN { get; set; }

    /// <summary>AWS_OWNED_CMK or CUSTOMER_MANAGED_CMK.</summary>
    public KeyType? KeyType { get; set; }
}

/// <summary>When an S3 destination delivers: at whichever of the two is reached first.</summary>
public sealed class BufferingHints
{
    /// <summary>1-128 MiB of records (before compression); default 5.</summary>
    public int? SizeInMBs { get; set; }

    /// <summary>0-900 seconds after the first buffered record; default 300.</summary>
    public int? IntervalInSeconds { get; set; }
}

/// <summary>A KMS key that encrypts delivered objects.</summary>
public sealed class KMSEncryptionConfig
{
    /// <summary>The key's ARN.</summary>
    public string? AWSKMSKeyARN { get; set; }
}

/// <summary>How delivered objects are encrypted: one of the two members.</summary>
public sealed class EncryptionConfiguration
{
    /// <summary>NoEncryption (the default).</summary>
    public NoEncryptionConfig? NoEncryptionConfig { get; set; }

    /// <summary>A KMS key.</summary>
    public KMSEncryptionConfig? KMSEncryptionConfig { get; set; }
}

/// <summary>Where Firehose logs delivery errors (recorded, not used in process).</summary>
public sealed class CloudWatchLoggingOptions
{
    /// <summary>Whether logging is on.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The log group.</summary>
    public string? LogGroupName { get; set; }

    /// <summary>The log stream.</summary>
    public string? LogStreamName { get; set; }
}

/// <summary>A parameter of a record processor.</summary>
public sealed class ProcessorParameter
{
    /// <summary>Its name.</summary>
    public ProcessorParameterName? ParameterName { get; set; }

    /// <summary>Its value, 1-5120 characters, not only white space.</summary>
    public string? ParameterValue { get; set; }
}

/// <summary>A record processor (Lambda, MetadataExtraction, AppendDelimiterToRecord, ...).</summary>
public sealed class Processor
{
    /// <summary>Its type.</summary>
    public ProcessorType? Type { get; set; }

    /// <summary>Its parameters.</summary>
    public List<ProcessorParameter>? Parameters { get; set; }
}

/// <summary>The record processors of a destination.</summary>
public sealed class ProcessingConfiguration
{
    /// <summary>Whether processing is on.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The processors, applied in the documented order.</summary>
    public List<Processor>? Processors { get; set; }
}

/// <summary>How long a failing step (dynamic partitioning) is retried.</summary>
public sealed class RetryOptions
{
    /// <summary>0-7200 seconds.</summary>
    public int? DurationInSeconds { get; set; }
}

/// <summary>Dynamic partitioning: one buffer and prefix per partition key value set.</summary>
public sealed class DynamicPartitioningConfiguration
{
    /// <summary>How long failed deliveries are retried; default 300 seconds.</summary>
    public RetryOptions? RetryOptions { get; set; }

    /// <summary>Whether dynamic partitioning is on (only at creation; it cannot be turned off).</summary>
    public bool? Enabled { get; set; }
}

/// <summary>Why a delivery stream or its encryption failed.</summary>
public sealed class FailureDescription
{
    /// <summary>The failure type (for example KMS_ACCESS_DENIED).</summary>
    public string? Type { get; set; }

    /// <summary>What happened.</summary>
    public string? Details { get; set; }
}
