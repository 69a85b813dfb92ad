using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamCore.Server.Services.Lambda;

// Lambda's rest-json bodies for event source mappings and GetFunction, member for member as botocore's model names
// them (wire-shapes section 2): timestamps in epoch seconds, enums as strings, absent members omitted.

/// <summary>The body of CreateEventSourceMapping and UpdateEventSourceMapping (Update takes a subset).</summary>
internal sealed class EventSourceMappingRequestBody
{
    public string? FunctionName { get; set; }

    public string? EventSourceArn { get; set; }

    public bool? Enabled { get; set; }

    public int? BatchSize { get; set; }

    public int? MaximumBatchingWindowInSeconds { get; set; }

    public int? ParallelizationFactor { get; set; }

    public string? StartingPosition { get; set; }

    /// <summary>Epoch seconds (the CLI sends an integer, SDKs may send a fraction).</summary>
    public double? StartingPositionTimestamp { get; set; }

    public DestinationConfigBody? DestinationConfig { get; set; }

    public int? MaximumRecordAgeInSeconds { get; set; }

    public bool? BisectBatchOnFunctionError { get; set; }

    public int? MaximumRetryAttempts { get; set; }

    public int? TumblingWindowInSeconds { get; set; }

    public List<string>? FunctionResponseTypes { get; set; }

    public FilterCriteriaBody? FilterCriteria { get; set; }

    public string? KMSKeyArn { get; set; }

    public MetricsConfigBody? MetricsConfig { get; set; }

    public Dictionary<string, string>? Tags { get; set; }

    /// <summary>Members this model does not name (other event sources' settings, or typos), checked by the service.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Other { get; set; }
}

internal sealed class DestinationConfigBody
{
    public DestinationBody? OnSuccess { get; set; }

    public DestinationBody? OnFailure { get; set; }
}

internal sealed class DestinationBody
{
    public string? Destination { get; set; }
}

internal sealed class FilterCriteriaBody
{
    public List<FilterBody>? Filters { get; set; }
}

internal sealed class FilterBody
{
    public string? Pattern { get; set; }
}

internal sealed class FilterCriteriaErrorBody
{
    public string? ErrorCode { get; set; }

    public string? Message { get; set; }
}

internal sealed class MetricsConfigBody
{
    public List<string>? Metrics { get; set; }
}

/// <summary>EventSourceMappingConfiguration: the answer of Create, Get, Update and Delete, and an item of List.</summary>
internal sealed class EventSourceMappingBody
{
    public string? UUID { get; set; }

    public string? StartingPosition { get; set; }

    public double? StartingPositionTimestamp { get; set; }

    public int? BatchSize { get; set; }

    public int? MaximumBatchingWindowInSeconds { get; set; }

    public int? ParallelizationFactor { get; set; }

    public string? EventSourceArn { get; set; }

    public FilterCriteriaBody? FilterCriteria { get; set; }

    public string? FunctionArn { get; set; }

    public double? LastModified { get; set; }

    public string? LastProcessingResult { get; set; }

    public string? State { get; set; }

    public string? StateTransitionReason { get; set; }

    public DestinationConfigBody? DestinationConfig { get; set; }

    public int? MaximumRecordAgeInSeconds { get; set; }

    public bool? BisectBatchOnFunctionError { get; set; }

    public int? MaximumRetryAttempts { get; set; }

    public int? TumblingWindowInSeconds { get; set; }

    public List<string>? FunctionResponseTypes { get; set; }

    public string? KMSKeyArn { get; set; }

    public FilterCriteriaErrorBody? FilterCriteriaError { get; set; }

    public string? EventSourceMappingArn { get; set; }

    public MetricsConfigBody? MetricsConfig { get; set; }
}

internal sealed class ListEventSourceMappingsBody
{
    public string? NextMarker { get; set; }

    public List<EventSourceMappingBody>? EventSourceMappings { get; set; }
}

internal sealed class GetFunctionResponse
{
    public FunctionConfiguration? Configuration { get; set; }
}

/// <summary>The members of Lambda's FunctionConfiguration that a StreamCore function has.</summary>
internal sealed class FunctionConfiguration
{
    public string? FunctionName { get; set; }

    public string? FunctionArn { get; set; }

    public string? Description { get; set; }

    public int? Timeout { get; set; }

    public int? MemorySize { get; set; }

    public string? Version { get; set; }

    public string? State { get; set; }

    public string? LastUpdateStatus { get; set; }

    public string? PackageType { get; set; }

    public List<string>? Architectures { get; set; }
}

/// <summary>Compile-time JSON contracts for Lambda's bodies (the server runs with reflection-based JSON off).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(EventSourceMappingRequestBody))]
[JsonSerializable(typeof(EventSourceMappingBody))]
[JsonSerializable(typeof(ListEventSourceMappingsBody))]
[JsonSerializable(typeof(GetFunctionResponse))]
internal sealed partial class LambdaJsonContext : JsonSerializerContext;
