using StreamCore.Buckets;
using StreamCore.Delivery.Compression;
using StreamCore.Delivery.ObjectKeys;
using StreamCore.Delivery.Validation;
using StreamCore.Errors;

namespace StreamCore.Delivery;

/// <summary>A record processor as configured: its type and its parameters by name.</summary>
internal sealed record ProcessorSettings(string Type, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    public string? Parameter(string name) => Parameters.FirstOrDefault(p => p.Key == name).Value;
}

/// <summary>
/// An S3 destination (or an OpenSearch destination's S3 configuration, or a backup) with every default materialised and
/// its prefixes, time zone and extension compiled: immutable, replaced whole by UpdateDestination, so a delivery in
/// flight keeps the settings (and the version) its records were buffered under.
/// </summary>
internal sealed record S3Settings
{
    public const int DefaultSizeInMBs = 5;
    public const int DefaultIntervalInSeconds = 300;
    public const int DynamicPartitioningMinSizeInMBs = 64;
    public const int DefaultDynamicRetrySeconds = 300;

    public required string RoleARN { get; init; }

    public required string BucketARN { get; init; }

    public string Bucket => BucketStore.BucketNameFromArn(BucketARN);

    public string? Prefix { get; init; }

    public string? ErrorOutputPrefix { get; init; }

    public int SizeInMBs { get; init; } = DefaultSizeInMBs;

    public int IntervalInSeconds { get; init; } = DefaultIntervalInSeconds;

    public string Compression { get; init; } = "UNCOMPRESSED";

    public string? KmsKeyArn { get; init; }

    public bool LoggingEnabled { get; init; }

    public string? LogGroupName { get; init; }

    public string? LogStreamName { get; init; }

    public bool Extended { get; init; }

    public bool ProcessingEnabled { get; init; }

    public IReadOnlyList<ProcessorSettings> Processors { get; init; } = [];

    public string BackupMode { get; init; } = "Disabled";

    public S3Settings? Backup { get; init; }

    public bool DynamicPartitioning { get; init; }

    public int DynamicRetrySeconds { get; init; } = DefaultDynamicRetrySeconds;

    public string? FileExtension { get; init; }

    public string? CustomTimeZone { get; init; }

    // Compiled by Compile(): never null afterwards.
    public PrefixTemplate? PrefixTemplate { get; private init; }

    public PrefixTemplate? ErrorTemplate { get; private init; }

    public TimeZoneInfo Zone { get; private init; } = TimeZoneInfo.Utc;

    public string ObjectExtension => FileExtension is { Length: > 0 } e ? e : ObjectCompression.Extension(Compression);

    public long SizeBytes => SizeInMBs * 1024L * 1024L;

    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalInSeconds);

    /// <summary>The processors that apply (none when processing is off), in the configured order.</summary>
    public IEnumerable<ProcessorSettings> ActiveProcessors => ProcessingEnabled ? Processors : [];

    public bool AppendsDelimiter => ActiveProcessors.Any(p => p.Type == "AppendDelimiterToRecord");

    public ProcessorSettings? Lambda => ActiveProcessors.FirstOrDefault(p => p.Type == "Lambda");

    public ProcessorSettings? MetadataExtraction => ActiveProcessors.FirstOrDefault(p => p.Type == "MetadataExtraction");

    /// <summary>
    /// <paramref name="current"/> (or the defaults) with the members <paramref name="f"/> gives; members it leaves out
    /// keep their values, as UpdateDestination merges a destination of the same type.
    /// </summary>
    public static S3Settings Merge(S3Settings? current, S3Fields f)
    {
        S3Settings s = current ?? new S3Settings { RoleARN = f.RoleARN!, BucketARN = f.BucketARN!, Extended = f.Extended };
        bool dynamic = f.DynamicPartitioningConfiguration?.Enabled ?? s.DynamicPartitioning;
        int defaultSize = current is null && dynamic ? DynamicPartitioningMinSizeInMBs : s.SizeInMBs;
        return s with
        {
            RoleARN = f.RoleARN ?? s.RoleARN,
            BucketARN = f.BucketARN ?? s.BucketARN,
            Prefix = f.Prefix ?? s.Prefix,
            ErrorOutputPrefix = f.ErrorOutputPrefix ?? s.ErrorOutputPrefix,
            SizeInMBs = f.BufferingHints?.SizeInMBs ?? defaultSize,
            IntervalInSeconds = f.BufferingHints?.IntervalInSeconds ?? s.IntervalInSeconds,
            Compression = f.CompressionFormat?.Value ?? s.Compression,
            KmsKeyArn = f.EncryptionConfiguration is { } enc ? enc.KMSEncryptionConfig?.AWSKMSKeyARN : s.KmsKeyArn,
            LoggingEnabled = f.CloudWatchLoggingOptions?.Enabled ?? s.LoggingEnabled,
            LogGroupName = f.CloudWatchLoggingOptions?.LogGroupName ?? s.LogGroupName,
            LogStreamName = f.CloudWatchLoggingOptions?.LogStreamName ?? s.LogStreamName,
            Extended = s.Extended || f.Extended,
            ProcessingEnabled = f.ProcessingConfiguration?.Enabled ?? (f.ProcessingConfiguration?.Processors is { Count: > 0 } || s.ProcessingEnabled),
            Processors = f.ProcessingConfiguration?.Processors is { } processors
                ? [.. processors.Select(p => new ProcessorSettings(p.Type!.Value, [.. (p.Parameters ?? []).Select(q => new KeyValuePair<string, string>(q.ParameterName!.Value, q.ParameterValue!))]))]
                : s.Processors,
            BackupMode = f.S3BackupMode?.Value ?? s.BackupMode,
            Backup = f.Backup is { } backup ? Merge(s.Backup, backup).Compile(backup.Path) : s.Backup,
            DynamicPartitioning = dynamic,
            DynamicRetrySeconds = f.DynamicPartitioningConfiguration?.RetryOptions?.DurationInSeconds ?? s.DynamicRetrySeconds,
            FileExtension = f.FileExtension ?? s.FileExtension,
            CustomTimeZone = f.CustomTimeZone ?? s.CustomTimeZone,
        };
    }

    /// <summary>
    /// Checks the service's rules on the merged settings (prefix expressions, time zone, dynamic partitioning,
    /// processors) and compiles them; throws InvalidArgumentException naming what is wrong, before anything changes.
    /// </summary>
    public S3Settings Compile(string path)
    {
        PrefixTemplate? prefix = null;
        PrefixTemplate? error = null;
        if (Prefix is { Length: > 0 } p && !PrefixTemplate.TryParse(p, out prefix, out string? why))
        {
            throw new InvalidArgumentException($"Prefix is not valid: {why}");
        }

        if (ErrorOutputPrefix is { Length: > 0 } ep && !PrefixTemplate.TryParse(ep, out error, out string? whyError))
        {
            throw new InvalidArgumentException($"ErrorOutputPrefix is not valid: {whyError}");
        }

        if (prefix is { HasErrorOutputType: true })
        {
            throw new InvalidArgumentException("The expression !{firehose:error-output-type} is only allowed in ErrorOutputPrefix, not in Prefix.");
        }

        if (error is { HasPartitionKeys: true })
        {
            throw new InvalidArgumentException("ErrorOutputPrefix cannot contain partitionKeyFromQuery or partitionKeyFromLambda expressions.");
        }

        if (prefix is { HasExpressions: true } && error is null)
        {
            throw new InvalidArgumentException("ErrorOutputPrefix can't be null when Prefix contains expressions");
        }

        if (error is { HasExpressions: true, HasErrorOutputType: false })
        {
            throw new InvalidArgumentException("ErrorOutputPrefix must contain !{firehose:error-output-type} when it contains expressions.");
        }

        if (prefix is { HasPartitionKeys: true } && !DynamicPartitioning)
        {
            throw new InvalidArgumentException("Prefix contains partitionKeyFromQuery or partitionKeyFromLambda expressions, but dynamic partitioning is not enabled.");
        }

        if (DynamicPartitioning)
        {
            if (!Extended)
            {
                throw new InvalidArgumentException("Dynamic partitioning is only supported for an ExtendedS3 destination.");
            }

            if (prefix is not { HasPartitionKeys: true })
            {
                throw new InvalidArgumentException("When dynamic partitioning is enabled, Prefix must contain at least one partitionKeyFromQuery or partitionKeyFromLambda expression.");
            }

            if (error is null)
            {
                throw new InvalidArgumentException("ErrorOutputPrefix is required when dynamic partitioning is enabled.");
            }

            if (SizeInMBs < DynamicPartitioningMinSizeInMBs)
            {
                throw new InvalidArgumentException($"BufferingHints.SizeInMBs must be at least {DynamicPartitioningMinSizeInMBs} when dynamic partitioning is enabled; got {SizeInMBs}.");
            }
        }

        foreach (string key in prefix?.QueryKeys ?? [])
        {
            if (MetadataExtraction is not { } extraction || !MetadataQuery.TryParse(extraction.Parameter("MetadataExtractionQuery") ?? string.Empty, out MetadataQuery? query, out _) || !query!.Keys.Contains(key))
            {
                throw new InvalidArgumentException($"Prefix uses !{{partitionKeyFromQuery:{key}}}, but no enabled MetadataExtraction processor's MetadataExtractionQuery defines the key '{key}'.");
            }
        }

        if (prefix is { LambdaKeys.Length: > 0 } && Lambda is null)
        {
            throw new InvalidArgumentException("Prefix uses partitionKeyFromLambda expressions, but no enabled Lambda processor is configured.");
        }

        foreach (ProcessorSettings processor in ActiveProcessors)
        {
            ProcessorRules.Check(processor);
        }

        TimeZoneInfo zone = TimeZoneInfo.Utc;
        if (CustomTimeZone is { Length: > 0 } tz && !TryFindZone(tz, out zone))
        {
            throw new InvalidArgumentException($"CustomTimeZone '{tz}' is not a supported time zone: expected an IANA name such as Asia/Tokyo or America/Los_Angeles.");
        }

        _ = path;
        return this with { PrefixTemplate = prefix, ErrorTemplate = error, Zone = zone };
    }

    private static bool TryFindZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }

    /// <summary>The description AWS returns: defaults materialised (buffering, compression, encryption, logging).</summary>
    public S3DestinationDescription ToS3Description() => new()
    {
        RoleARN = RoleARN,
        BucketARN = BucketARN,
        Prefix = Prefix,
        ErrorOutputPrefix = ErrorOutputPrefix,
        BufferingHints = new BufferingHints { SizeInMBs = SizeInMBs, IntervalInSeconds = IntervalInSeconds },
        CompressionFormat = new CompressionFormat(Compression),
        EncryptionConfiguration = Encryption(),
        CloudWatchLoggingOptions = Logging(),
    };

    public ExtendedS3DestinationDescription ToExtendedDescription() => new()
    {
        RoleARN = RoleARN,
        BucketARN = BucketARN,
        Prefix = Prefix,
        ErrorOutputPrefix = ErrorOutputPrefix,
        BufferingHints = new BufferingHints { SizeInMBs = SizeInMBs, IntervalInSeconds = IntervalInSeconds },
        CompressionFormat = new CompressionFormat(Compression),
        EncryptionConfiguration = Encryption(),
        CloudWatchLoggingOptions = Logging(),
        ProcessingConfiguration = new ProcessingConfiguration
        {
            Enabled = ProcessingEnabled,
            Processors = [.. Processors.Select(p => new Processor
            {
                Type = new ProcessorType(p.Type),
                Parameters = [.. p.Parameters.Select(q => new ProcessorParameter { ParameterName = new ProcessorParameterName(q.Key), ParameterValue = q.Value })],
            })],
        },
        S3BackupMode = new S3BackupMode(BackupMode),
        S3BackupDescription = Backup?.ToS3Description(),
        DynamicPartitioningConfiguration = new DynamicPartitioningConfiguration
        {
            Enabled = DynamicPartitioning,
            RetryOptions = DynamicPartitioning ? new RetryOptions { DurationInSeconds = DynamicRetrySeconds } : null,
        },
        FileExtension = FileExtension,
        CustomTimeZone = CustomTimeZone,
    };

    private EncryptionConfiguration Encryption() => KmsKeyArn is { } key
        ? new EncryptionConfiguration { KMSEncryptionConfig = new KMSEncryptionConfig { AWSKMSKeyARN = key } }
        : new EncryptionConfiguration { NoEncryptionConfig = NoEncryptionConfig.NoEncryption };

    private CloudWatchLoggingOptions Logging() => new() { Enabled = LoggingEnabled, LogGroupName = LogGroupName, LogStreamName = LogStreamName };
}
