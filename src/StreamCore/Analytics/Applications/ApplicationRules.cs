using System.Text.RegularExpressions;

namespace StreamCore.Analytics.Applications;

/// <summary>
/// The members' constraints of the kinesisanalyticsv2 2018-05-23 model (lengths, patterns, enums, ranges), checked
/// before anything changes: the CLI and SDKs check only required members, types and minimums, so StreamCore enforces
/// the rest. Messages name the member, the value and the rule (InvalidArgumentException).
/// </summary>
internal static partial class ApplicationRules
{
    public static readonly string[] RuntimeEnvironments =
    [
        "SQL-1_0", "FLINK-1_6", "FLINK-1_8", "ZEPPELIN-FLINK-1_0", "FLINK-1_11", "FLINK-1_13", "ZEPPELIN-FLINK-2_0",
        "FLINK-1_15", "ZEPPELIN-FLINK-3_0", "FLINK-1_18", "FLINK-1_19", "FLINK-1_20", "FLINK-2_2",
    ];

    public static readonly string[] RestoreTypes = ["SKIP_RESTORE_FROM_SNAPSHOT", "RESTORE_FROM_LATEST_SNAPSHOT", "RESTORE_FROM_CUSTOM_SNAPSHOT"];

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-zA-Z0-9-_+/=]+$")]
    private static partial Regex TokenPattern();

    public static void ApplicationName(string? name)
    {
        Required(name, "applicationName");
        Length(name!, "applicationName", 1, 128);
        Pattern(name!, "applicationName", NamePattern(), "[a-zA-Z0-9_.-]+");
    }

    public static void SnapshotName(string? name)
    {
        Required(name, "snapshotName");
        Length(name!, "snapshotName", 1, 256);
        Pattern(name!, "snapshotName", NamePattern(), "[a-zA-Z0-9_.-]+");
    }

    public static void Create(CreateApplicationRequest request)
    {
        ApplicationName(request.ApplicationName);
        Required(request.RuntimeEnvironment, "runtimeEnvironment");
        OneOf(request.RuntimeEnvironment!, "runtimeEnvironment", RuntimeEnvironments);
        Required(request.ServiceExecutionRole, "serviceExecutionRole");
        Role(request.ServiceExecutionRole!, "serviceExecutionRole");
        if (request.ApplicationDescription is { } description)
        {
            Length(description, "applicationDescription", 0, 1024);
        }

        if (request.ApplicationMode is { } mode)
        {
            OneOf(mode, "applicationMode", ["STREAMING", "INTERACTIVE"]);
        }

        if (request.ApplicationConfiguration is { } configuration)
        {
            Configuration(configuration);
        }

        foreach (CloudWatchLoggingOption option in request.CloudWatchLoggingOptions ?? [])
        {
            Required(option.LogStreamARN, "cloudWatchLoggingOptions.member.logStreamARN");
            Length(option.LogStreamARN!, "cloudWatchLoggingOptions.member.logStreamARN", 1, 2048);
        }

        if (request.Tags is { } tags)
        {
            if (tags.Count is < 1 or > 200)
            {
                throw AnalyticsException.InvalidArgument($"1 validation error detected: Value '{tags.Count}' at 'tags' failed to satisfy constraint: Member must have length between 1 and 200");
            }

            foreach (Tag tag in tags)
            {
                Required(tag.Key, "tags.member.key");
                Length(tag.Key!, "tags.member.key", 1, 128);
                Length(tag.Value ?? string.Empty, "tags.member.value", 0, 256);
            }
        }
    }

    public static void Configuration(ApplicationConfiguration configuration)
    {
        if (configuration.FlinkApplicationConfiguration is { } flink)
        {
            if (flink.CheckpointConfiguration is { } checkpoint)
            {
                ConfigurationType(checkpoint.ConfigurationType, "applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration.configurationType");
                AtLeast(checkpoint.CheckpointInterval, "applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration.checkpointInterval", 1);
                AtLeast(checkpoint.MinPauseBetweenCheckpoints, "applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration.minPauseBetweenCheckpoints", 0);
            }

            if (flink.MonitoringConfiguration is { } monitoring)
            {
                ConfigurationType(monitoring.ConfigurationType, "applicationConfiguration.flinkApplicationConfiguration.monitoringConfiguration.configurationType");
                if (monitoring.MetricsLevel is { } level)
                {
                    OneOf(level, "applicationConfiguration.flinkApplicationConfiguration.monitoringConfiguration.metricsLevel", ["APPLICATION", "TASK", "OPERATOR", "PARALLELISM"]);
                }

                if (monitoring.LogLevel is { } log)
                {
                    OneOf(log, "applicationConfiguration.flinkApplicationConfiguration.monitoringConfiguration.logLevel", ["INFO", "WARN", "ERROR", "DEBUG"]);
                }
            }

            if (flink.ParallelismConfiguration is { } parallelism)
            {
                Parallelism(parallelism.ConfigurationType, parallelism.Parallelism, parallelism.ParallelismPerKPU, "applicationConfiguration.flinkApplicationConfiguration.parallelismConfiguration");
            }
        }

        if (configuration.EnvironmentProperties is { } properties)
        {
            Required(properties.PropertyGroups, "applicationConfiguration.environmentProperties.propertyGroups");
            PropertyGroups(properties.PropertyGroups!, "applicationConfiguration.environmentProperties.propertyGroups");
        }

        if (configuration.ApplicationCodeConfiguration is { } code)
        {
            Required(code.CodeContentType, "applicationConfiguration.applicationCodeConfiguration.codeContentType");
            OneOf(code.CodeContentType!, "applicationConfiguration.applicationCodeConfiguration.codeContentType", ["PLAINTEXT", "ZIPFILE"]);
            if (code.CodeContent is { } content)
            {
                Code(content.TextContent, content.ZipFileContent, content.S3ContentLocation?.BucketARN, content.S3ContentLocation?.FileKey, content.S3ContentLocation is not null, "applicationConfiguration.applicationCodeConfiguration.codeContent");
            }
        }

        if (configuration.ApplicationSnapshotConfiguration is { } snapshots)
        {
            Required(snapshots.SnapshotsEnabled, "applicationConfiguration.applicationSnapshotConfiguration.snapshotsEnabled");
        }
    }

    public static void Update(UpdateApplicationRequest request)
    {
        ApplicationName(request.ApplicationName);
        if (request.CurrentApplicationVersionId is null && request.ConditionalToken is null)
        {
            throw AnalyticsException.InvalidArgument("Either CurrentApplicationVersionId or ConditionalToken must be provided.");
        }

        if (request.CurrentApplicationVersionId is { } version && version is < 1 or > 999_999_999)
        {
            throw AnalyticsException.InvalidArgument($"1 validation error detected: Value '{version}' at 'currentApplicationVersionId' failed to satisfy constraint: Member must have value between 1 and 999999999");
        }

        if (request.ConditionalToken is { } token)
        {
            Length(token, "conditionalToken", 1, 512);
            Pattern(token, "conditionalToken", TokenPattern(), "[a-zA-Z0-9-_+/=]+");
        }

        if (request.ServiceExecutionRoleUpdate is { } role)
        {
            Role(role, "serviceExecutionRoleUpdate");
        }

        if (request.ApplicationConfigurationUpdate is { } update)
        {
            if (update.FlinkApplicationConfigurationUpdate?.ParallelismConfigurationUpdate is { } parallelism)
            {
                Parallelism(parallelism.ConfigurationTypeUpdate, parallelism.ParallelismUpdate, parallelism.ParallelismPerKPUUpdate, "applicationConfigurationUpdate.flinkApplicationConfigurationUpdate.parallelismConfigurationUpdate", typeRequired: false);
            }

            if (update.EnvironmentPropertyUpdates is { } properties)
            {
                Required(properties.PropertyGroups, "applicationConfigurationUpdate.environmentPropertyUpdates.propertyGroups");
                PropertyGroups(properties.PropertyGroups!, "applicationConfigurationUpdate.environmentPropertyUpdates.propertyGroups");
            }

            if (update.ApplicationCodeConfigurationUpdate is { } code)
            {
                if (code.CodeContentTypeUpdate is { } type)
                {
                    OneOf(type, "applicationConfigurationUpdate.applicationCodeConfigurationUpdate.codeContentTypeUpdate", ["PLAINTEXT", "ZIPFILE"]);
                }

                if (code.CodeContentUpdate is { } content)
                {
                    Code(content.TextContentUpdate, content.ZipFileContentUpdate, content.S3ContentLocationUpdate?.BucketARNUpdate, content.S3ContentLocationUpdate?.FileKeyUpdate, false, "applicationConfigurationUpdate.applicationCodeConfigurationUpdate.codeContentUpdate");
                }
            }
        }

        if (request.RunConfigurationUpdate?.ApplicationRestoreConfiguration is { } restore)
        {
            Restore(restore, "runConfigurationUpdate.applicationRestoreConfiguration");
        }
    }

    public static void Restore(ApplicationRestoreConfiguration restore, string member)
    {
        Required(restore.ApplicationRestoreType, member + ".applicationRestoreType");
        OneOf(restore.ApplicationRestoreType!, member + ".applicationRestoreType", RestoreTypes);
        if (restore.SnapshotName is { } name)
        {
            Length(name, member + ".snapshotName", 1, 256);
            Pattern(name, member + ".snapshotName", NamePattern(), "[a-zA-Z0-9_.-]+");
        }

        if (restore.ApplicationRestoreType == "RESTORE_FROM_CUSTOM_SNAPSHOT" && restore.SnapshotName is null)
        {
            throw AnalyticsException.InvalidArgument("SnapshotName must be provided when ApplicationRestoreType is RESTORE_FROM_CUSTOM_SNAPSHOT.");
        }
    }

    public static void Limit(int? limit, string member)
    {
        if (limit is { } value && value is < 1 or > 50)
        {
            throw AnalyticsException.InvalidArgument($"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value between 1 and 50");
        }
    }

    private static void Parallelism(string? type, int? parallelism, int? perKpu, string member, bool typeRequired = true)
    {
        if (typeRequired || type is not null)
        {
            ConfigurationType(type, member + ".configurationType");
        }

        AtLeast(parallelism, member + ".parallelism", 1);
        AtLeast(perKpu, member + ".parallelismPerKPU", 1);
        if (parallelism > WindowRunOptions.MaxParallelism)
        {
            throw AnalyticsException.InvalidArgument($"Parallelism {parallelism} exceeds the {WindowRunOptions.MaxParallelism} parallel workers an application may have.");
        }
    }

    private static void PropertyGroups(List<PropertyGroup> groups, string member)
    {
        if (groups.Count > 50)
        {
            throw AnalyticsException.InvalidArgument($"1 validation error detected: Value '{groups.Count}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to 50");
        }

        foreach (PropertyGroup group in groups)
        {
            Required(group.PropertyGroupId, member + ".member.propertyGroupId");
            Length(group.PropertyGroupId!, member + ".member.propertyGroupId", 1, 50);
            Pattern(group.PropertyGroupId!, member + ".member.propertyGroupId", NamePattern(), "[a-zA-Z0-9_.-]+");
            Required(group.PropertyMap, member + ".member.propertyMap");
            if (group.PropertyMap!.Count is < 1 or > 50)
            {
                throw AnalyticsException.InvalidArgument($"1 validation error detected: Value '{group.PropertyMap.Count}' at '{member}.member.propertyMap' failed to satisfy constraint: Member must have length between 1 and 50");
            }

            if (groups.Count(g => g.PropertyGroupId == group.PropertyGroupId) > 1)
            {
                throw AnalyticsException.InvalidArgument($"Property group {group.PropertyGroupId} appears more than once; property group ids must be unique.");
            }
        }
    }

    private static void Code(string? text, MemoryStream? zip, string? bucket, string? key, bool s3Given, string member)
    {
        if (text is not null)
        {
            Length(text, member + ".textContent", 0, 102_400);
        }

        if (zip is { Length: > 52_428_800 })
        {
            throw AnalyticsException.InvalidArgument($"1 validation error detected: Value at '{member}.zipFileContent' failed to satisfy constraint: Member must have length less than or equal to 52428800");
        }

        if (s3Given)
        {
            Required(bucket, member + ".s3ContentLocation.bucketARN");
            Required(key, member + ".s3ContentLocation.fileKey");
        }

        if (bucket is not null)
        {
            Length(bucket, member + ".s3ContentLocation.bucketARN", 1, 2048);
            if (!bucket.StartsWith("arn:", StringComparison.Ordinal))
            {
                throw PatternError(bucket, member + ".s3ContentLocation.bucketARN", "arn:.*");
            }
        }

        if (key is not null)
        {
            Length(key, member + ".s3ContentLocation.fileKey", 1, 1024);
        }
    }

    private static void ConfigurationType(string? type, string member)
    {
        Required(type, member);
        OneOf(type!, member, ["DEFAULT", "CUSTOM"]);
    }

    private static void Role(string role, string member)
    {
        Length(role, member, 1, 2048);
        if (!role.StartsWith("arn:", StringComparison.Ordinal))
        {
            throw PatternError(role, member, "arn:.*");
        }
    }

    private static void Required<T>(T? value, string member)
    {
        if (value is null)
        {
            throw AnalyticsException.InvalidArgument($"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null");
        }
    }

    private static void Length(string value, string member, int min, int max)
    {
        if (value.Length < min || value.Length > max)
        {
            throw AnalyticsException.InvalidArgument($"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length between {min} and {max}");
        }
    }

    private static void AtLeast(long? value, string member, long min)
    {
        if (value is { } v && v < min)
        {
            throw AnalyticsException.InvalidArgument($"1 validation error detected: Value '{v}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}");
        }
    }

    private static void Pattern(string value, string member, Regex regex, string pattern)
    {
        if (!regex.IsMatch(value))
        {
            throw PatternError(value, member, pattern);
        }
    }

    private static AnalyticsException PatternError(string value, string member, string pattern) =>
        AnalyticsException.InvalidArgument($"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}");

    private static void OneOf(string value, string member, string[] allowed)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            throw AnalyticsException.InvalidArgument($"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", allowed)}]");
        }
    }
}
