namespace StreamCore.Delivery.Validation;

/// <summary>
/// The members of any S3-shaped block (S3DestinationConfiguration, ExtendedS3DestinationConfiguration, their Update
/// forms, S3BackupConfiguration, an OpenSearch destination's S3Configuration) in one shape, so one validator and one
/// merge serve them all. <see cref="Path"/> is the block's member path as AWS's validation messages spell it.
/// </summary>
internal sealed class S3Fields
{
    public required string Path { get; init; }

    public bool Extended { get; init; }

    public string? RoleARN { get; init; }

    public string? BucketARN { get; init; }

    public string? Prefix { get; init; }

    public string? ErrorOutputPrefix { get; init; }

    public BufferingHints? BufferingHints { get; init; }

    public CompressionFormat? CompressionFormat { get; init; }

    public EncryptionConfiguration? EncryptionConfiguration { get; init; }

    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; init; }

    public ProcessingConfiguration? ProcessingConfiguration { get; init; }

    public S3BackupMode? S3BackupMode { get; init; }

    public S3Fields? Backup { get; init; }

    public DynamicPartitioningConfiguration? DynamicPartitioningConfiguration { get; init; }

    public string? FileExtension { get; init; }

    public string? CustomTimeZone { get; init; }

    public static S3Fields? From(S3DestinationConfiguration? c, string path) => c is null ? null : new S3Fields
    {
        Path = path, RoleARN = c.RoleARN, BucketARN = c.BucketARN, Prefix = c.Prefix, ErrorOutputPrefix = c.ErrorOutputPrefix,
        BufferingHints = c.BufferingHints, CompressionFormat = c.CompressionFormat, EncryptionConfiguration = c.EncryptionConfiguration,
        CloudWatchLoggingOptions = c.CloudWatchLoggingOptions,
    };

    public static S3Fields? From(S3DestinationUpdate? c, string path) => c is null ? null : new S3Fields
    {
        Path = path, RoleARN = c.RoleARN, BucketARN = c.BucketARN, Prefix = c.Prefix, ErrorOutputPrefix = c.ErrorOutputPrefix,
        BufferingHints = c.BufferingHints, CompressionFormat = c.CompressionFormat, EncryptionConfiguration = c.EncryptionConfiguration,
        CloudWatchLoggingOptions = c.CloudWatchLoggingOptions,
    };

    public static S3Fields? From(ExtendedS3DestinationConfiguration? c, string path) => c is null ? null : new S3Fields
    {
        Path = path, Extended = true, RoleARN = c.RoleARN, BucketARN = c.BucketARN, Prefix = c.Prefix, ErrorOutputPrefix = c.ErrorOutputPrefix,
        BufferingHints = c.BufferingHints, CompressionFormat = c.CompressionFormat, EncryptionConfiguration = c.EncryptionConfiguration,
        CloudWatchLoggingOptions = c.CloudWatchLoggingOptions, ProcessingConfiguration = c.ProcessingConfiguration, S3BackupMode = c.S3BackupMode,
        Backup = From(c.S3BackupConfiguration, path + ".s3BackupConfiguration"), DynamicPartitioningConfiguration = c.DynamicPartitioningConfiguration,
        FileExtension = c.FileExtension, CustomTimeZone = c.CustomTimeZone,
    };

    public static S3Fields? From(ExtendedS3DestinationUpdate? c, string path) => c is null ? null : new S3Fields
    {
        Path = path, Extended = true, RoleARN = c.RoleARN, BucketARN = c.BucketARN, Prefix = c.Prefix, ErrorOutputPrefix = c.ErrorOutputPrefix,
        BufferingHints = c.BufferingHints, CompressionFormat = c.CompressionFormat, EncryptionConfiguration = c.EncryptionConfiguration,
        CloudWatchLoggingOptions = c.CloudWatchLoggingOptions, ProcessingConfiguration = c.ProcessingConfiguration, S3BackupMode = c.S3BackupMode,
        Backup = From(c.S3BackupUpdate, path + ".s3BackupUpdate"), DynamicPartitioningConfiguration = c.DynamicPartitioningConfiguration,
        FileExtension = c.FileExtension, CustomTimeZone = c.CustomTimeZone,
    };
}
