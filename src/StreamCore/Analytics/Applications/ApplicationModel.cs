using System.Text.Json.Serialization;

namespace StreamCore.Analytics.Applications;

// Kinesis Analytics v2's request and response shapes under the AWS SDK for .NET's names (Amazon.KinesisAnalyticsV2.Model),
// as the wire carries them (botocore kinesisanalyticsv2 2018-05-23). Members the service has and StreamCore does not
// act on (SQL inputs, VPC, Zeppelin, maintenance) are accepted and ignored, as AWS ignores unknown members.
#pragma warning disable CA1056, CA2227, CA1002, CA1819 // the service's own member names and shapes

internal sealed class CreateApplicationRequest
{
    public string? ApplicationName { get; set; }

    public string? ApplicationDescription { get; set; }

    public string? RuntimeEnvironment { get; set; }

    public string? ServiceExecutionRole { get; set; }

    public ApplicationConfiguration? ApplicationConfiguration { get; set; }

    public List<CloudWatchLoggingOption>? CloudWatchLoggingOptions { get; set; }

    public List<Tag>? Tags { get; set; }

    public string? ApplicationMode { get; set; }
}

internal sealed class ApplicationConfiguration
{
    public FlinkApplicationConfiguration? FlinkApplicationConfiguration { get; set; }

    public EnvironmentProperties? EnvironmentProperties { get; set; }

    public ApplicationCodeConfiguration? ApplicationCodeConfiguration { get; set; }

    public ApplicationSnapshotConfiguration? ApplicationSnapshotConfiguration { get; set; }
}

internal sealed class FlinkApplicationConfiguration
{
    public CheckpointConfiguration? CheckpointConfiguration { get; set; }

    public MonitoringConfiguration? MonitoringConfiguration { get; set; }

    public ParallelismConfiguration? ParallelismConfiguration { get; set; }
}

internal sealed class CheckpointConfiguration
{
    public string? ConfigurationType { get; set; }

    public bool? CheckpointingEnabled { get; set; }

    public long? CheckpointInterval { get; set; }

    public long? MinPauseBetweenCheckpoints { get; set; }
}

internal sealed class MonitoringConfiguration
{
    public string? ConfigurationType { get; set; }

    public string? MetricsLevel { get; set; }

    public string? LogLevel { get; set; }
}

internal sealed class ParallelismConfiguration
{
    public string? ConfigurationType { get; set; }

    public int? Parallelism { get; set; }

    public int? ParallelismPerKPU { get; set; }

    public bool? AutoScalingEnabled { get; set; }
}

internal sealed class EnvironmentProperties
{
    public List<PropertyGroup>? PropertyGroups { get; set; }
}

internal sealed class PropertyGroup
{
    public string? PropertyGroupId { get; set; }

    public Dictionary<string, string>? PropertyMap { get; set; }
}

internal sealed class ApplicationCodeConfiguration
{
    public CodeContent? CodeContent { get; set; }

    public string? CodeContentType { get; set; }
}

internal sealed class CodeContent
{
    public string? TextContent { get; set; }

    public MemoryStream? ZipFileContent { get; set; }

    public S3ContentLocation? S3ContentLocation { get; set; }
}

internal sealed class S3ContentLocation
{
    public string? BucketARN { get; set; }

    public string? FileKey { get; set; }

    public string? ObjectVersion { get; set; }
}

internal sealed class ApplicationSnapshotConfiguration
{
    public bool? SnapshotsEnabled { get; set; }
}

internal sealed class CloudWatchLoggingOption
{
    public string? LogStreamARN { get; set; }
}

internal sealed class Tag
{
    public string? Key { get; set; }

    public string? Value { get; set; }
}

internal sealed class CreateApplicationResponse
{
    public ApplicationDetail? ApplicationDetail { get; set; }
}

internal sealed class ApplicationDetail
{
    public string? ApplicationARN { get; set; }

    public string? ApplicationDescription { get; set; }

    public string? ApplicationName { get; set; }

    public string? RuntimeEnvironment { get; set; }

    public string? ServiceExecutionRole { get; set; }

    public string? ApplicationStatus { get; set; }

    public long ApplicationVersionId { get; set; }

    public DateTime? CreateTimestamp { get; set; }

    public DateTime? LastUpdateTimestamp { get; set; }

    public ApplicationConfigurationDescription? ApplicationConfigurationDescription { get; set; }

    public List<CloudWatchLoggingOptionDescription>? CloudWatchLoggingOptionDescriptions { get; set; }

    public long? ApplicationVersionUpdatedFrom { get; set; }

    public string? ConditionalToken { get; set; }

    public string? ApplicationMode { get; set; }
}

internal sealed class CloudWatchLoggingOptionDescription
{
    public string? CloudWatchLoggingOptionId { get; set; }

    public string? LogStreamARN { get; set; }
}

internal sealed class ApplicationConfigurationDescription
{
    public FlinkApplicationConfigurationDescription? FlinkApplicationConfigurationDescription { get; set; }

    public EnvironmentPropertyDescriptions? EnvironmentPropertyDescriptions { get; set; }

    public ApplicationCodeConfigurationDescription? ApplicationCodeConfigurationDescription { get; set; }

    public ApplicationSnapshotConfigurationDescription? ApplicationSnapshotConfigurationDescription { get; set; }

    public RunConfigurationDescription? RunConfigurationDescription { get; set; }
}

internal sealed class FlinkApplicationConfigurationDescription
{
    public CheckpointConfigurationDescription? CheckpointConfigurationDescription { get; set; }

    public MonitoringConfigurationDescription? MonitoringConfigurationDescription { get; set; }

    public ParallelismConfigurationDescription? ParallelismConfigurationDescription { get; set; }
}

internal sealed class CheckpointConfigurationDescription
{
    public string? ConfigurationType { get; set; }

    public bool? CheckpointingEnabled { get; set; }

    public long? CheckpointInterval { get; set; }

    public long? MinPauseBetweenCheckpoints { get; set; }
}

internal sealed class MonitoringConfigurationDescription
{
    public string? ConfigurationType { get; set; }

    public string? MetricsLevel { get; set; }

    public string? LogLevel { get; set; }
}

internal sealed class ParallelismConfigurationDescription
{
    public string? ConfigurationType { get; set; }

    public int? Parallelism { get; set; }

    public int? ParallelismPerKPU { get; set; }

    public int? CurrentParallelism { get; set; }

    public bool? AutoScalingEnabled { get; set; }
}

internal sealed class EnvironmentPropertyDescriptions
{
    public List<PropertyGroup>? PropertyGroupDescriptions { get; set; }
}

internal sealed class ApplicationCodeConfigurationDescription
{
    public string? CodeContentType { get; set; }

    public CodeContentDescription? CodeContentDescription { get; set; }
}

internal sealed class CodeContentDescription
{
    public string? TextContent { get; set; }

    public string? CodeMD5 { get; set; }

    public long? CodeSize { get; set; }

    public S3ApplicationCodeLocationDescription? S3ApplicationCodeLocationDescription { get; set; }
}

internal sealed class S3ApplicationCodeLocationDescription
{
    public string? BucketARN { get; set; }

    public string? FileKey { get; set; }

    public string? ObjectVersion { get; set; }
}

internal sealed class ApplicationSnapshotConfigurationDescription
{
    public bool SnapshotsEnabled { get; set; }
}

internal sealed class RunConfigurationDescription
{
    public ApplicationRestoreConfiguration? ApplicationRestoreConfigurationDescription { get; set; }

    public FlinkRunConfiguration? FlinkRunConfigurationDescription { get; set; }
}

internal sealed class DescribeApplicationRequest
{
    public string? ApplicationName { get; set; }

    public bool? IncludeAdditionalDetails { get; set; }
}

internal sealed class DescribeApplicationResponse
{
    public ApplicationDetail? ApplicationDetail { get; set; }
}

internal sealed class ListApplicationsRequest
{
    public int? Limit { get; set; }

    public string? NextToken { get; set; }
}

internal sealed class ListApplicationsResponse
{
    public List<ApplicationSummary> ApplicationSummaries { get; set; } = [];

    public string? NextToken { get; set; }
}

internal sealed class ApplicationSummary
{
    public string? ApplicationName { get; set; }

    public string? ApplicationARN { get; set; }

    public string? ApplicationStatus { get; set; }

    public long ApplicationVersionId { get; set; }

    public string? RuntimeEnvironment { get; set; }

    public string? ApplicationMode { get; set; }
}

internal sealed class UpdateApplicationRequest
{
    public string? ApplicationName { get; set; }

    public long? CurrentApplicationVersionId { get; set; }

    public string? ConditionalToken { get; set; }

    public ApplicationConfigurationUpdate? ApplicationConfigurationUpdate { get; set; }

    public string? ServiceExecutionRoleUpdate { get; set; }

    public RunConfigurationUpdate? RunConfigurationUpdate { get; set; }
}

internal sealed class ApplicationConfigurationUpdate
{
    public FlinkApplicationConfigurationUpdate? FlinkApplicationConfigurationUpdate { get; set; }

    public EnvironmentPropertyUpdates? EnvironmentPropertyUpdates { get; set; }

    public ApplicationCodeConfigurationUpdate? ApplicationCodeConfigurationUpdate { get; set; }

    public ApplicationSnapshotConfigurationUpdate? ApplicationSnapshotConfigurationUpdate { get; set; }
}

internal sealed class FlinkApplicationConfigurationUpdate
{
    public ParallelismConfigurationUpdate? ParallelismConfigurationUpdate { get; set; }
}

internal sealed class ParallelismConfigurationUpdate
{
    public string? ConfigurationTypeUpdate { get; set; }

    public int? ParallelismUpdate { get; set; }

    public int? ParallelismPerKPUUpdate { get; set; }

    public bool? AutoScalingEnabledUpdate { get; set; }
}

internal sealed class EnvironmentPropertyUpdates
{
    public List<PropertyGroup>? PropertyGroups { get; set; }
}

internal sealed class ApplicationCodeConfigurationUpdate
{
    public string? CodeContentTypeUpdate { get; set; }

    public CodeContentUpdate? CodeContentUpdate { get; set; }
}

internal sealed class CodeContentUpdate
{
    public string? TextContentUpdate { get; set; }

    public MemoryStream? ZipFileContentUpdate { get; set; }

    public S3ContentLocationUpdate? S3ContentLocationUpdate { get; set; }
}

internal sealed class S3ContentLocationUpdate
{
    public string? BucketARNUpdate { get; set; }

    public string? FileKeyUpdate { get; set; }

    public string? ObjectVersionUpdate { get; set; }
}

internal sealed class ApplicationSnapshotConfigurationUpdate
{
    public bool? SnapshotsEnabledUpdate { get; set; }
}

internal sealed class RunConfigurationUpdate
{
    public ApplicationRestoreConfiguration? ApplicationRestoreConfiguration { get; set; }

    public FlinkRunConfiguration? FlinkRunConfiguration { get; set; }
}

internal sealed class UpdateApplicationResponse
{
    public ApplicationDetail? ApplicationDetail { get; set; }

    public string? OperationId { get; set; }
}

internal sealed class DeleteApplicationRequest
{
    public string? ApplicationName { get; set; }

    public DateTime? CreateTimestamp { get; set; }
}

internal sealed class EmptyResponse
{
}

internal sealed class StartApplicationRequest
{
    public string? ApplicationName { get; set; }

    public RunConfiguration? RunConfiguration { get; set; }
}

internal sealed class RunConfiguration
{
    public FlinkRunConfiguration? FlinkRunConfiguration { get; set; }

    public ApplicationRestoreConfiguration? ApplicationRestoreConfiguration { get; set; }
}

internal sealed class FlinkRunConfiguration
{
    public bool? AllowNonRestoredState { get; set; }
}

internal sealed class ApplicationRestoreConfiguration
{
    public string? ApplicationRestoreType { get; set; }

    public string? SnapshotName { get; set; }
}

internal sealed class OperationResponse
{
    public string? OperationId { get; set; }
}

internal sealed class StopApplicationRequest
{
    public string? ApplicationName { get; set; }

    public bool? Force { get; set; }
}

internal sealed class CreateApplicationSnapshotRequest
{
    public string? ApplicationName { get; set; }

    public string? SnapshotName { get; set; }
}

internal sealed class ListApplicationSnapshotsRequest
{
    public string? ApplicationName { get; set; }

    public int? Limit { get; set; }

    public string? NextToken { get; set; }
}

internal sealed class ListApplicationSnapshotsResponse
{
    public List<SnapshotDetails> SnapshotSummaries { get; set; } = [];

    public string? NextToken { get; set; }
}

internal sealed class SnapshotDetails
{
    public string? SnapshotName { get; set; }

    public string? SnapshotStatus { get; set; }

    public long ApplicationVersionId { get; set; }

    public DateTime? SnapshotCreationTimestamp { get; set; }

    public string? RuntimeEnvironment { get; set; }
}

internal sealed class DescribeApplicationSnapshotRequest
{
    public string? ApplicationName { get; set; }

    public string? SnapshotName { get; set; }
}

internal sealed class DescribeApplicationSnapshotResponse
{
    public SnapshotDetails? SnapshotDetails { get; set; }
}

internal sealed class DeleteApplicationSnapshotRequest
{
    public string? ApplicationName { get; set; }

    public string? SnapshotName { get; set; }

    public DateTime? SnapshotCreationTimestamp { get; set; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(StreamCore.Kinesis.Wire.BlobJsonConverter), typeof(StreamCore.Kinesis.Wire.EpochSecondsJsonConverter)])]
[JsonSerializable(typeof(CreateApplicationRequest))]
[JsonSerializable(typeof(CreateApplicationResponse))]
[JsonSerializable(typeof(DescribeApplicationRequest))]
[JsonSerializable(typeof(DescribeApplicationResponse))]
[JsonSerializable(typeof(ListApplicationsRequest))]
[JsonSerializable(typeof(ListApplicationsResponse))]
[JsonSerializable(typeof(UpdateApplicationRequest))]
[JsonSerializable(typeof(UpdateApplicationResponse))]
[JsonSerializable(typeof(DeleteApplicationRequest))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(StartApplicationRequest))]
[JsonSerializable(typeof(OperationResponse))]
[JsonSerializable(typeof(StopApplicationRequest))]
[JsonSerializable(typeof(CreateApplicationSnapshotRequest))]
[JsonSerializable(typeof(ListApplicationSnapshotsRequest))]
[JsonSerializable(typeof(ListApplicationSnapshotsResponse))]
[JsonSerializable(typeof(DescribeApplicationSnapshotRequest))]
[JsonSerializable(typeof(DescribeApplicationSnapshotResponse))]
[JsonSerializable(typeof(DeleteApplicationSnapshotRequest))]
internal sealed partial class KinesisAnalyticsJsonContext : JsonSerializerContext;
