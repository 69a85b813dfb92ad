namespace StreamCore.Delivery;

/// <summary>An S3 destination (the older form; stored as an extended one).</summary>
public sealed class S3DestinationConfiguration
{
    /// <summary>The role Firehose assumes.</summary>
    public string? RoleARN { get; set; }

    /// <summary>The bucket, <c>arn:aws:s3:::BUCKET</c>.</summary>
    public string? BucketARN { get; set; }

    /// <summary>The object key prefix; may contain <c>!{timestamp:...}</c> and <c>!{firehose:random-string}</c>.</summary>
    public string? Prefix { get; set; }

    /// <summary>The prefix of failed records' objects; may contain <c>!{firehose:error-output-type}</c>.</summary>
    public string? ErrorOutputPrefix { get; set; }

    /// <summary>When to deliver.</summary>
    public BufferingHints? BufferingHints { get; set; }

    /// <summary>How objects are compressed; default UNCOMPRESSED.</summary>
    public CompressionFormat? CompressionFormat { get; set; }

    /// <summary>How objects are encrypted.</summary>
    public EncryptionConfiguration? EncryptionConfiguration { get; set; }

    /// <summary>Error logging.</summary>
    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; set; }
}

/// <summary>An S3 destination as DescribeDeliveryStream returns it (defaults materialised).</summary>
public sealed class S3DestinationDescription
{
    /// <summary>The role Firehose assumes.</summary>
    public string? RoleARN { get; set; }

    /// <summary>The bucket.</summary>
    public string? BucketARN { get; set; }

    /// <summary>The object key prefix.</summary>
    public string? Prefix { get; set; }

    /// <summary>The prefix of failed records' objects.</summary>
    public string? ErrorOutputPrefix { get; set; }

    /// <summary>When objects are delivered.</summary>
    public BufferingHints? BufferingHints { get; set; }

    /// <summary>How objects are compressed.</summary>
    public CompressionFormat? CompressionFormat { get; set; }

    /// <summary>How objects are encrypted.</summary>
    public EncryptionConfiguration? EncryptionConfiguration { get; set; }

    /// <summary>Error logging.</summary>
    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; set; }
}

/// <summary>Changes to an S3 destination; members left out keep their values.</summary>
public sealed class S3DestinationUpdate
{
    /// <summary>The role Firehose assumes.</summary>
    public string? RoleARN { get; set; }

    /// <summary>The bucket.</summary>
    public string? BucketARN { get; set; }

    /// <summary>The object key prefix.</summary>
    public string? Prefix { get; set; }

    /// <summary>The prefix of failed records' objects.</summary>
    public string? ErrorOutputPrefix { get; set; }

    /// <summary>When to deliver (both members together).</summary>
    public BufferingHints? BufferingHints { get; set; }

    /// <summary>How objects are compressed.</summary>
    public CompressionFormat? CompressionFormat { get; set; }

    /// <summary>How objects are encrypted.</summary>
    public EncryptionConfiguration? EncryptionConfiguration { get; set; }

    /// <summary>Error logging.</summary>
    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; set; }
}

/// <summary>An extended S3 destination: S3 plus processing, dynamic partitioning, backup, file extension and time zone.</summary>
public sealed class ExtendedS3DestinationConfiguration
{
    /// <summary>The role Firehose assumes.</summary>
    public string? RoleARN { get; set; }

    /// <summary>The bucket, <c>arn:aws:s3:::BUCKET</c>.</summary>
    public string? BucketARN { get; set; }

    /// <summary>The object key prefix; may contain expressions.</summary>
    public string? Prefix { get; set; }

    /// <summary>The prefix of failed records' objects.</summary>
    public string? ErrorOutputPrefix { get; set; }

    /// <summary>When to deliver.</summary>
    public BufferingHints? BufferingHints { get; set; }

    /// <summary>How objects are compressed; default UNCOMPRESSED.</summary>
    public CompressionFormat? CompressionFormat { get; set; }

    /// <summary>How objects are encrypted.</summary>
    public EncryptionConfiguration? EncryptionConfiguration { get; set; }

    /// <summary>Error logging.</summary>
    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; set; }

    /// <summary>Record processors (Lambda transformation, metadata extraction, delimiters).</summary>
    public ProcessingConfiguration? ProcessingConfiguration { get; set; }

    /// <summary>Whether source records are also backed up; default Disabled.</summary>
    public S3BackupMode? S3BackupMode { get; set; }

    /// <summary>Where source records are backed up.</summary>
    public S3DestinationConfiguration? S3BackupConfiguration { get; set; }

    /// <summary>Dynamic partitioning.</summary>
    public DynamicPartitioningConfiguration? DynamicPartitioningConfiguration { get; set; }

    /// <summary>Replaces the compression's extension: <c>.</c> then <c>0-9a-z!-_.*'()</c>.</summary>
    public string? FileExtension { get; set; }

    /// <summary>The time zone of the default prefix, timestamps and suffix, e.g. Asia/Tokyo; default UTC.</summary>
    public string? CustomTimeZone { get; set; }
}

/// <summary>An extended S3 destination as DescribeDeliveryStream returns it.</summary>
public sealed class ExtendedS3DestinationDescription
{
    /// <summary>The role Firehose assumes.</summary>
    public string? RoleARN { get; set; }

    /// <summary>The bucket.</summary>
    public string? BucketARN { get; set; }

    /// <summary>The object key prefix.</summary>
    public string? Prefix { get; set; }

    /// <summary>The prefix of failed records' objects.</summary>
    public string? ErrorOutputPrefix { get; set; }

    /// <summary>When objects are delivered.</summary>
    public BufferingHints? BufferingHints { get; set; }

    /// <summary>How objects are compressed.</summary>
    public CompressionFormat? CompressionFormat { get; set; }

    /// <summary>How objects are encrypted.</summary>
    public EncryptionConfiguration? EncryptionConfiguration { get; set; }

    /// <summary>Error logging.</summary>
    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; set; }

    /// <summary>Record processors.</summary>
    public ProcessingConfiguration? ProcessingConfiguration { get; set; }

    /// <summary>Whether source records are backed up.</summary>
    public S3BackupMode? S3BackupMode { get; set; }

    /// <summary>Where source records are backed up.</summary>
    public S3DestinationDescription? S3BackupDescription { get; set; }

    /// <summary>Dynamic partitioning.</summary>
    public DynamicPartitioningConfiguration? DynamicPartitioningConfiguration { get; set; }

    /// <summary>The custom file extension.</summary>
    public string? FileExtension { get; set; }

    /// <summary>The custom time zone.</summary>
    public string? CustomTimeZone { get; set; }
}

/// <summary>Changes to an extended S3 destination; members left out keep their values.</summary>
public sealed class ExtendedS3DestinationUpdate
{
    /// <summary>The role Firehose assumes.</summary>
    public string? RoleARN { get; set; }

    /// <summary>The bucket.</summary>
    public string? BucketARN { get; set; }

    /// <summary>The object key prefix.</summary>
    public string? Prefix { get; set; }

    /// <summary>The prefix of failed records' objects.</summary>
    public string? ErrorOutputPrefix { get; set; }

    /// <summary>When to deliver (both members together).</summary>
    public BufferingHints? BufferingHints { get; set; }

    /// <summary>How objects are compressed.</summary>
    public CompressionFormat? CompressionFormat { get; set; }

    /// <summary>How objects are encrypted.</summary>
    public EncryptionConfiguration? EncryptionConfiguration { get; set; }

    /// <summary>Error logging.</summary>
    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; set; }

    /// <summary>Record processors.</summary>
    public ProcessingConfiguration? ProcessingConfiguration { get; set; }

    /// <summary>Enabled turns backup on (it cannot be turned off again).</summary>
    public S3BackupMode? S3BackupMode { get; set; }

    /// <summary>Changes to the backup destination.</summary>
    public S3DestinationUpdate? S3BackupUpdate { get; set; }

    /// <summary>Dynamic partitioning (cannot be turned on or off here).</summary>
    public DynamicPartitioningConfiguration? DynamicPartitioningConfiguration { get; set; }

    /// <summary>The custom file extension.</summary>
    public string? FileExtension { get; set; }

    /// <summary>The custom time zone.</summary>
    public string? CustomTimeZone { get; set; }
}
