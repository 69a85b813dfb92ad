using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using StreamCore.EventSources;
using StreamCore.Functions;

namespace StreamCore.Server.Services.Lambda;

/// <summary>The event source mapping operations: the wire's bodies onto each account's <see cref="ILambdaClient"/> and back.</summary>
internal sealed partial class LambdaService
{
    /// <summary>Members of CreateEventSourceMapping that belong to other event sources (SQS, Kafka, MQ, DocumentDB).</summary>
    private static readonly string[] OtherSourcesMembers =
    [
        "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource", "SelfManagedKafkaEventSourceConfig",
        "AmazonManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig", "ScalingConfig", "ProvisionedPollerConfig",
    ];

    private readonly ConcurrentDictionary<StreamEngine, ILambdaClient> _clients = new();

    private ILambdaClient Client(ServiceRequest request) => _clients.GetOrAdd(request.Account, static engine => engine.CreateLambdaClient());

    private async Task CreateEventSourceMappingAsync(HttpContext context, ServiceRequest request)
    {
        EventSourceMappingRequestBody body = Read(request, LambdaJsonContext.Default.EventSourceMappingRequestBody);
        RejectOtherSources(body);
        var create = new CreateEventSourceMappingRequest
        {
            FunctionName = body.FunctionName,
            EventSourceArn = body.EventSourceArn,
            Enabled = body.Enabled,
            BatchSize = body.BatchSize,
            MaximumBatchingWindowInSeconds = body.MaximumBatchingWindowInSeconds,
            ParallelizationFactor = body.ParallelizationFactor,
            StartingPosition = body.StartingPosition,
            StartingPositionTimestamp = FromEpochSeconds(body.StartingPositionTimestamp, "StartingPositionTimestamp"),
            DestinationConfig = ToModel(body.DestinationConfig),
            MaximumRecordAgeInSeconds = body.MaximumRecordAgeInSeconds,
            BisectBatchOnFunctionError = body.BisectBatchOnFunctionError,
            MaximumRetryAttempts = body.MaximumRetryAttempts,
            TumblingWindowInSeconds = body.TumblingWindowInSeconds,
            FunctionResponseTypes = body.FunctionResponseTypes,
            FilterCriteria = ToModel(body.FilterCriteria),
            KMSKeyArn = body.KMSKeyArn,
            MetricsConfig = body.MetricsConfig is { } metrics ? new EventSourceMappingMetricsConfig { Metrics = metrics.Metrics } : null,
            Tags = body.Tags,
        };
        CreateEventSourceMappingResponse created = await Client(request).CreateEventSourceMappingAsync(create, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status202Accepted, ToBody(created), LambdaJsonContext.Default.EventSourceMappingBody).ConfigureAwait(false);
    }

    private async Task GetEventSourceMappingAsync(HttpContext context, ServiceRequest request, string uuid)
    {
        GetEventSourceMappingResponse mapping = await Client(request).GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = uuid }, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status200OK, ToBody(mapping), LambdaJsonContext.Default.EventSourceMappingBody).ConfigureAwait(false);
    }

    private async Task UpdateEventSourceMappingAsync(HttpContext context, ServiceRequest request, string uuid)
    {
        EventSourceMappingRequestBody body = Read(request, LambdaJsonContext.Default.EventSourceMappingRequestBody);
        RejectOtherSources(body);
        var update = new UpdateEventSourceMappingRequest
        {
            UUID = uuid,
            FunctionName = body.FunctionName,
            Enabled = body.Enabled,
            BatchSize = body.BatchSize,
            MaximumBatchingWindowInSeconds = body.MaximumBatchingWindowInSeconds,
            ParallelizationFactor = body.ParallelizationFactor,
            DestinationConfig = ToModel(body.DestinationConfig),
            MaximumRecordAgeInSeconds = body.MaximumRecordAgeInSeconds,
            BisectBatchOnFunctionError = body.BisectBatchOnFunctionError,
            MaximumRetryAttempts = body.MaximumRetryAttempts,
            TumblingWindowInSeconds = body.TumblingWindowInSeconds,
            FunctionResponseTypes = body.FunctionResponseTypes,
            FilterCriteria = ToModel(body.FilterCriteria),
            KMSKeyArn = body.KMSKeyArn,
            MetricsConfig = body.MetricsConfig is { } metrics ? new EventSourceMappingMetricsConfig { Metrics = metrics.Metrics } : null,
        };
        UpdateEventSourceMappingResponse updated = await Client(request).UpdateEventSourceMappingAsync(update, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status202Accepted, ToBody(updated), LambdaJsonContext.Default.EventSourceMappingBody).ConfigureAwait(false);
    }

    private async Task DeleteEventSourceMappingAsync(HttpContext context, ServiceRequest request, string uuid)
    {
        DeleteEventSourceMappingResponse deleted = await Client(request).DeleteEventSourceMappingAsync(new DeleteEventSourceMappingRequest { UUID = uuid }, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status202Accepted, ToBody(deleted), LambdaJsonContext.Default.EventSourceMappingBody).ConfigureAwait(false);
    }

    private async Task ListEventSourceMappingsAsync(HttpContext context, ServiceRequest request)
    {
        IQueryCollection query = context.Request.Query;
        var list = new ListEventSourceMappingsRequest
        {
            FunctionName = Single(query, "FunctionName"),
            EventSourceArn = Single(query, "EventSourceArn"),
            Marker = Single(query, "Marker"),
            MaxItems = Single(query, "MaxItems") is { } text
                ? int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int max)
                    ? max
                    : throw new ValidationException($"1 validation error detected: Value '{text}' at 'maxItems' failed to satisfy constraint: Member must be an integer between 1 and 10000")
                : null,
        };
        ListEventSourceMappingsResponse page = await Client(request).ListEventSourceMappingsAsync(list, context.RequestAborted).ConfigureAwait(false);
        var body = new ListEventSourceMappingsBody
        {
            NextMarker = page.NextMarker,
            EventSourceMappings = [.. (page.EventSourceMappings ?? []).Select(ToBody)],
        };
        await WriteAsync(context, StatusCodes.Status200OK, body, LambdaJsonContext.Default.ListEventSourceMappingsBody).ConfigureAwait(false);
    }

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out Microsoft.Extensions.Primitives.StringValues values) ? values.ToString() : null;

    private static void RejectOtherSources(EventSourceMappingRequestBody body)
    {
        if (body.Other is not { Count: > 0 } other)
        {
            return;
        }

        foreach (string member in OtherSourcesMembers)
        {
            if (other.ContainsKey(member))
            {
                throw new InvalidParameterValueException($"{member} is not supported for an event source mapping of a Kinesis stream; it applies to other event sources (Amazon SQS, Apache Kafka, Amazon MQ, Amazon DocumentDB).");
            }
        }
    }

    private static DateTime? FromEpochSeconds(double? seconds, string member)
    {
        if (seconds is not { } value)
        {
            return null;
        }

        double milliseconds = Math.Round(value * 1000);
        if (!double.IsFinite(milliseconds) || milliseconds < 0 || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new InvalidParameterValueException($"{member} {value.ToString(CultureInfo.InvariantCulture)} is not a valid time: expected seconds since 1970-01-01T00:00:00Z.");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds).UtcDateTime;
    }

    private static double? ToEpochSeconds(DateTime? time) =>
        time is { } value ? new DateTimeOffset(DateTime.SpecifyKind(value, value.Kind == DateTimeKind.Local ? DateTimeKind.Local : DateTimeKind.Utc)).ToUnixTimeMilliseconds() / 1000.0 : null;

    private static DestinationConfig? ToModel(DestinationConfigBody? body) => body is null
        ? null
        : new DestinationConfig
        {
            OnSuccess = body.OnSuccess is { } success ? new OnSuccess { Destination = success.Destination } : null,
            OnFailure = body.OnFailure is { } failure ? new OnFailure { Destination = failure.Destination } : null,
        };

    private static FilterCriteria? ToModel(FilterCriteriaBody? body) => body is null
        ? null
        : new FilterCriteria { Filters = body.Filters?.Select(f => new Filter { Pattern = f.Pattern }).ToList() };

    private static EventSourceMappingBody ToBody(EventSourceMappingDescription mapping) => new()
    {
        UUID = mapping.UUID,
        StartingPosition = mapping.StartingPosition?.Value,
        StartingPositionTimestamp = ToEpochSeconds(mapping.StartingPositionTimestamp),
        BatchSize = mapping.BatchSize,
        MaximumBatchingWindowInSeconds = mapping.MaximumBatchingWindowInSeconds,
        ParallelizationFactor = mapping.ParallelizationFactor,
        EventSourceArn = mapping.EventSourceArn,
        FilterCriteria = mapping.FilterCriteria is { } filters ? new FilterCriteriaBody { Filters = filters.Filters?.Select(f => new FilterBody { Pattern = f.Pattern }).ToList() } : null,
        FunctionArn = mapping.FunctionArn,
        LastModified = ToEpochSeconds(mapping.LastModified),
        LastProcessingResult = mapping.LastProcessingResult,
        State = mapping.State,
        StateTransitionReason = mapping.StateTransitionReason,
        DestinationConfig = mapping.DestinationConfig is { } destinations
            ? new DestinationConfigBody
            {
                OnSuccess = destinations.OnSuccess is { } success ? new DestinationBody { Destination = success.Destination } : null,
                OnFailure = destinations.OnFailure is { } failure ? new DestinationBody { Destination = failure.Destination } : null,
            }
            : null,
        MaximumRecordAgeInSeconds = mapping.MaximumRecordAgeInSeconds,
        BisectBatchOnFunctionError = mapping.BisectBatchOnFunctionError,
        MaximumRetryAttempts = mapping.MaximumRetryAttempts,
        TumblingWindowInSeconds = mapping.TumblingWindowInSeconds,
        FunctionResponseTypes = mapping.FunctionResponseTypes,
        KMSKeyArn = mapping.KMSKeyArn,
        FilterCriteriaError = mapping.FilterCriteriaError is { } error ? new FilterCriteriaErrorBody { ErrorCode = error.ErrorCode, Message = error.Message } : null,
        EventSourceMappingArn = mapping.EventSourceMappingArn,
        MetricsConfig = mapping.MetricsConfig is { } metrics ? new MetricsConfigBody { Metrics = metrics.Metrics } : null,
    };
}
