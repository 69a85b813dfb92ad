using System.Text.RegularExpressions;
using StreamCore.Errors;

namespace StreamCore.Delivery.Validation;

/// <summary>
/// The member constraints of the Firehose model (botocore <c>firehose/2015-08-04</c>): lengths, ranges, enums and
/// patterns, checked before anything changes and reported as one <see cref="ValidationException"/> in AWS's
/// "N validation errors detected" form. Paths are AWS's: lower camel case members, list items as <c>.N.member</c>.
/// </summary>
internal static partial class FirehoseConstraints
{
    public const string NamePattern = "[a-zA-Z0-9_.-]+";
    public const string RolePattern = @"arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+";
    public const string BucketPattern = @"arn:.*:s3:::[\w\.\-]{1,255}";
    public const string KmsPattern = @"arn:.*:kms:[a-zA-Z0-9\-]+:\d{12}:(key|alias)/[a-zA-Z_0-9+=,.@\-_/]+";
    public const string KinesisStreamPattern = @"arn:.*:kinesis:[a-zA-Z0-9\-]+:\d{12}:stream/[a-zA-Z0-9_.-]+";
    public const string DomainPattern = @"arn:.*:es:[a-zA-Z0-9\-]+:\d{12}:domain/[a-z][-0-9a-z]{2,27}";
    public const string ClusterEndpointPattern = "https:.*";
    public const string VersionPattern = "[0-9]+";
    public const string DestinationIdPattern = "[a-zA-Z0-9-]+";
    public const string TagKeyPattern = @"^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$";
    public const string TagValuePattern = @"^[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$";
    public const string ParameterValuePattern = @"^(?!\s*$).+";
    public const string LogGroupPattern = @"[\.\-_/#A-Za-z0-9]*";
    public const string LogStreamPattern = "[^:*]*";
    public const string FileExtensionPattern = @"^$|\.[0-9a-z!\-_.*'()]+";
    public const string TimeZonePattern = "^$|[a-zA-Z/_]+";

    public static bool IsName(string v) => Constraints.IsName(v);

    [GeneratedRegex(@"\A(?:arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+)\z", RegexOptions.CultureInvariant)]
    public static partial Regex Role();

    [GeneratedRegex(@"\A(?:arn:.*:s3:::[\w\.\-]{1,255})\z", RegexOptions.CultureInvariant)]
    public static partial Regex Bucket();

    [GeneratedRegex(@"\A(?:arn:.*:kms:[a-zA-Z0-9\-]+:\d{12}:(key|alias)/[a-zA-Z_0-9+=,.@\-_/]+)\z", RegexOptions.CultureInvariant)]
    public static partial Regex Kms();

    [GeneratedRegex(@"\A(?:arn:.*:kinesis:[a-zA-Z0-9\-]+:\d{12}:stream/[a-zA-Z0-9_.-]+)\z", RegexOptions.CultureInvariant)]
    public static partial Regex KinesisStream();

    [GeneratedRegex(@"\A(?:arn:.*:es:[a-zA-Z0-9\-]+:\d{12}:domain/[a-z][-0-9a-z]{2,27})\z", RegexOptions.CultureInvariant)]
    public static partial Regex Domain();

    [GeneratedRegex(@"\A(?:https:.*)\z", RegexOptions.CultureInvariant)]
    public static partial Regex ClusterEndpoint();

    [GeneratedRegex(@"\A[0-9]+\z", RegexOptions.CultureInvariant)]
    public static partial Regex Version();

    [GeneratedRegex(@"\A[a-zA-Z0-9-]+\z", RegexOptions.CultureInvariant)]
    public static partial Regex DestinationId();

    [GeneratedRegex(@"\A(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*\z", RegexOptions.CultureInvariant)]
    public static partial Regex TagKey();

    [GeneratedRegex(@"\A[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*\z", RegexOptions.CultureInvariant)]
    public static partial Regex TagValue();

    [GeneratedRegex(@"\A(?!\s*$).+\z", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    public static partial Regex ParameterValue();

    [GeneratedRegex(@"\A[\.\-_/#A-Za-z0-9]*\z", RegexOptions.CultureInvariant)]
    public static partial Regex LogGroup();

    [GeneratedRegex(@"\A[^:*]*\z", RegexOptions.CultureInvariant)]
    public static partial Regex LogStream();

    [GeneratedRegex(@"\A(?:|\.[0-9a-z!\-_.*'()]+)\z", RegexOptions.CultureInvariant)]
    public static partial Regex FileExtension();

    [GeneratedRegex(@"\A(?:|[a-zA-Z/_]+)\z", RegexOptions.CultureInvariant)]
    public static partial Regex TimeZone();

    public static string Item(string path, int index) => $"{path}.{(index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}.member";

    public static void DeliveryStreamName(ref ValidationErrors e, string? value, string path = "deliveryStreamName", bool required = true)
    {
        if (required)
        {
            e.Required(value, path);
        }

        e.Pattern(value, path, IsName, NamePattern);
        e.Length(value, path, 1, 64);
    }

    public static void Arn(ref ValidationErrors e, string? value, string path, Regex regex, string pattern, int max, bool required)
    {
        if (required)
        {
            e.Required(value, path);
        }

        e.Pattern(value, path, regex.IsMatch, pattern);
        e.Length(value, path, 1, max);
    }

    public static void Tags(ref ValidationErrors e, List<Tag>? tags, string path, bool required)
    {
        if (tags is null)
        {
            if (required)
            {
                e.Required(null, path);
            }

            return;
        }

        e.Size(tags, path, 1, 50);
        for (int i = 0; i < tags.Count; i++)
        {
            string item = Item(path, i);
            Tag? tag = tags[i];
            if (tag is null)
            {
                e.Required(null, item);
                continue;
            }

            e.Required(tag.Key, item + ".key");
            e.Pattern(tag.Key, item + ".key", TagKey().IsMatch, TagKeyPattern);
            e.Length(tag.Key, item + ".key", 1, 128);
            e.Pattern(tag.Value, item + ".value", TagValue().IsMatch, TagValuePattern);
            e.Length(tag.Value, item + ".value", 0, 256);
        }
    }

    public static void Encryption(ref ValidationErrors e, DeliveryStreamEncryptionConfigurationInput? input, string path)
    {
        if (input is null)
        {
            return;
        }

        e.Required(input.KeyType, path + ".keyType");
        e.Enum(input.KeyType, path + ".keyType", KeyType.Values);
        Arn(ref e, input.KeyARN, path + ".keyARN", Kms(), KmsPattern, 512, required: false);
    }

    /// <summary>Every member constraint of an S3-shaped block; <paramref name="update"/> makes none required.</summary>
    public static void S3(ref ValidationErrors e, S3Fields f, bool update)
    {
        string p = f.Path;
        Arn(ref e, f.RoleARN, p + ".roleARN", Role(), RolePattern, 512, !update);
        Arn(ref e, f.BucketARN, p + ".bucketARN", Bucket(), BucketPattern, 2048, !update);
        e.Length(f.Prefix, p + ".prefix", 0, 1024);
        e.Length(f.ErrorOutputPrefix, p + ".errorOutputPrefix", 0, 1024);
        if (f.BufferingHints is { } hints)
        {
            e.Range(hints.SizeInMBs, p + ".bufferingHints.sizeInMBs", 1, 128);
            e.Range(hints.IntervalInSeconds, p + ".bufferingHints.intervalInSeconds", 0, 900);
        }

        e.Enum(f.CompressionFormat, p + ".compressionFormat", CompressionFormat.Values);
        if (f.EncryptionConfiguration is { } encryption)
        {
            e.Enum(encryption.NoEncryptionConfig, p + ".encryptionConfiguration.noEncryptionConfig", NoEncryptionConfig.Values);
            if (encryption.KMSEncryptionConfig is { } kms)
            {
                Arn(ref e, kms.AWSKMSKeyARN, p + ".encryptionConfiguration.kMSEncryptionConfig.aWSKMSKeyARN", Kms(), KmsPattern, 512, required: true);
            }
        }

        Logging(ref e, f.CloudWatchLoggingOptions, p + ".cloudWatchLoggingOptions");
        Processing(ref e, f.ProcessingConfiguration, p + ".processingConfiguration");
        e.Enum(f.S3BackupMode, p + ".s3BackupMode", S3BackupMode.Values);
        if (f.Backup is { } backup)
        {
            S3(ref e, backup, update);
        }

        if (f.DynamicPartitioningConfiguration?.RetryOptions is { } retry)
        {
            e.Range(retry.DurationInSeconds, p + ".dynamicPartitioningConfiguration.retryOptions.durationInSeconds", 0, 7200);
        }

        e.Pattern(f.FileExtension, p + ".fileExtension", FileExtension().IsMatch, FileExtensionPattern);
        e.Length(f.FileExtension, p + ".fileExtension", 0, 128);
        e.Pattern(f.CustomTimeZone, p + ".customTimeZone", TimeZone().IsMatch, TimeZonePattern);
        e.Length(f.CustomTimeZone, p + ".customTimeZone", 0, 50);
    }

    public static void Logging(ref ValidationErrors e, CloudWatchLoggingOptions? logging, string path)
    {
        if (logging is null)
        {
            return;
        }

        e.Pattern(logging.LogGroupName, path + ".logGroupName", LogGroup().IsMatch, LogGroupPattern);
        e.Length(logging.LogGroupName, path + ".logGroupName", 0, 512);
        e.Pattern(logging.LogStreamName, path + ".logStreamName", LogStream().IsMatch, LogStreamPattern);
        e.Length(logging.LogStreamName, path + ".logStreamName", 0, 512);
    }

    public static void Processing(ref ValidationErrors e, ProcessingConfiguration? processing, string path)
    {
        if (processing?.Processors is not { } processors)
        {
            return;
        }

        for (int i = 0; i < processors.Count; i++)
        {
            string item = Item(path + ".processors", i);
            Processor? processor = processors[i];
            if (processor is null)
            {
                e.Required(null, item);
                continue;
            }

            e.Required(processor.Type, item + ".type");
            e.Enum(processor.Type, item + ".type", ProcessorType.Values);
            if (processor.Parameters is not { } parameters)
            {
                continue;
            }

            for (int j = 0; j < parameters.Count; j++)
            {
                string pitem = Item(item + ".parameters", j);
                ProcessorParameter? parameter = parameters[j];
                if (parameter is null)
                {
                    e.Required(null, pitem);
                    continue;
                }

                e.Required(parameter.ParameterName, pitem + ".parameterName");
                e.Enum(parameter.ParameterName, pitem + ".parameterName", ProcessorParameterName.Values);
                e.Required(parameter.ParameterValue, pitem + ".parameterValue");
                e.Pattern(parameter.ParameterValue, pitem + ".parameterValue", ParameterValue().IsMatch, ParameterValuePattern);
                e.Length(parameter.ParameterValue, pitem + ".parameterValue", 1, 5120);
            }
        }
    }

    /// <summary>Every member constraint of an OpenSearch/Elasticsearch block (configuration or update).</summary>
    public static void Search(ref ValidationErrors e, string p, string? role, string? domain, string? cluster, string? index, string? type,
        ElasticsearchIndexRotationPeriod? rotation, ElasticsearchBufferingHints? hints, ElasticsearchRetryOptions? retry, ElasticsearchS3BackupMode? backup,
        S3Fields? s3, ProcessingConfiguration? processing, CloudWatchLoggingOptions? logging, DocumentIdOptions? ids, bool update)
    {
        Arn(ref e, role, p + ".roleARN", Role(), RolePattern, 512, !update);
        Arn(ref e, domain, p + ".domainARN", Domain(), DomainPattern, 512, required: false);
        Arn(ref e, cluster, p + ".clusterEndpoint", ClusterEndpoint(), ClusterEndpointPattern, 512, required: false);
        if (!update)
        {
            e.Required(index, p + ".indexName");
        }

        e.Length(index, p + ".indexName", 1, 80);
        e.Length(type, p + ".typeName", 0, 100);
        e.Enum(rotation, p + ".indexRotationPeriod", ElasticsearchIndexRotationPeriod.Values);
        if (hints is not null)
        {
            e.Range(hints.IntervalInSeconds, p + ".bufferingHints.intervalInSeconds", 0, 900);
            e.Range(hints.SizeInMBs, p + ".bufferingHints.sizeInMBs", 1, 100);
        }

        e.Range(retry?.DurationInSeconds, p + ".retryOptions.durationInSeconds", 0, 7200);
        e.Enum(backup, p + ".s3BackupMode", ElasticsearchS3BackupMode.Values);
        if (s3 is null)
        {
            if (!update)
            {
                e.Required(null, p + ".s3Configuration");
            }
        }
        else
        {
            S3(ref e, s3, update);
        }

        Processing(ref e, processing, p + ".processingConfiguration");
        Logging(ref e, logging, p + ".cloudWatchLoggingOptions");
        if (ids is not null)
        {
            e.Required(ids.DefaultDocumentIdFormat, p + ".documentIdOptions.defaultDocumentIdFormat");
            e.Enum(ids.DefaultDocumentIdFormat, p + ".documentIdOptions.defaultDocumentIdFormat", DefaultDocumentIdFormat.Values);
        }
    }
}
