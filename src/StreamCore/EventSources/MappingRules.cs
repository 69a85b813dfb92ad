using System.Globalization;
using System.Text.RegularExpressions;
using StreamCore.Errors;
using StreamCore.Functions;
using InvalidParameterValueException = StreamCore.Functions.InvalidParameterValueException;
using LambdaValidationException = StreamCore.Functions.ValidationException;

namespace StreamCore.EventSources;

/// <summary>
/// The one home of the event source mapping rules of Create and Update: first the model's constraints (ranges,
/// lengths, patterns, enums), all reported at once as a <see cref="LambdaValidationException"/>, then Lambda's own
/// rules as <see cref="InvalidParameterValueException"/>. Nothing is looked up or changed here.
/// </summary>
internal static partial class MappingRules
{
    public const string EventSourceArnPattern = @"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)";
    public const string DestinationPattern = @"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)";
    public const string KmsKeyArnPattern = @"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()";

    public static readonly IReadOnlyList<string> StartingPositions = ["LATEST", "AT_TIMESTAMP", "TRIM_HORIZON"];
    public static readonly IReadOnlyList<string> ResponseTypes = ["ReportBatchItemFailures"];
    public static readonly IReadOnlyList<string> MetricNames = ["EventCount", "ErrorCount", "KafkaMetrics"];

    /// <summary>The members Create and Update share, as one request gives them.</summary>
    public readonly record struct Members(
        int? BatchSize,
        int? MaximumBatchingWindowInSeconds,
        int? ParallelizationFactor,
        int? MaximumRecordAgeInSeconds,
        int? MaximumRetryAttempts,
        bool? BisectBatchOnFunctionError,
        int? TumblingWindowInSeconds,
        List<string>? FunctionResponseTypes,
        DestinationConfig? DestinationConfig,
        FilterCriteria? FilterCriteria,
        string? KMSKeyArn,
        EventSourceMappingMetricsConfig? MetricsConfig);

    /// <summary>The model's constraints of the shared members, the function name and (on create) the event source and starting position.</summary>
    public static void CheckModel(in Members members, string? functionName, bool functionRequired, string? eventSourceArn, string? startingPosition)
    {
        var errors = default(ValidationErrors);
        if (functionRequired)
        {
            errors.Required(functionName, "functionName");
        }

        errors.Pattern(functionName, "functionName", static v => Functions.FunctionName.TryParse(v, out _), Functions.FunctionName.Pattern);
        errors.Length(functionName, "functionName", 1, 256);
        errors.Pattern(eventSourceArn, "eventSourceArn", static v => EventSourceArnRegex().IsMatch(v), EventSourceArnPattern);
        errors.Length(eventSourceArn, "eventSourceArn", 12, 1024);
        errors.Enum(startingPosition, "startingPosition", StartingPositions);
        errors.Range(members.BatchSize, "batchSize", 1, 10_000);
        errors.Range(members.MaximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds", 0, 300);
        errors.Range(members.ParallelizationFactor, "parallelizationFactor", 1, 10);
        errors.Range(members.MaximumRecordAgeInSeconds, "maximumRecordAgeInSeconds", -1, 604_800);
        errors.Range(members.MaximumRetryAttempts, "maximumRetryAttempts", -1, 10_000);
        errors.Range(members.TumblingWindowInSeconds, "tumblingWindowInSeconds", 0, 900);
        if (members.FunctionResponseTypes is { } types)
        {
            if (types.Count > 1)
            {
                errors.Add($"[{string.Join(", ", types)}]", "functionResponseTypes", "have length less than or equal to 1");
            }

            foreach (string? type in types)
            {
                if (type is null || !ResponseTypes.Contains(type))
                {
                    errors.AddConstraint($"[{string.Join(", ", types)}]", "functionResponseTypes", "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]");
                    break;
                }
            }
        }

        if (members.DestinationConfig is { } destinations)
        {
            string? onFailure = destinations.OnFailure?.Destination;
            errors.Pattern(onFailure, "destinationConfig.onFailure.destination", static v => DestinationRegex().IsMatch(v), DestinationPattern);
            errors.Length(onFailure, "destinationConfig.onFailure.destination", 0, 350);
            string? onSuccess = destinations.OnSuccess?.Destination;
            errors.Pattern(onSuccess, "destinationConfig.onSuccess.destination", static v => DestinationRegex().IsMatch(v), DestinationPattern);
            errors.Length(onSuccess, "destinationConfig.onSuccess.destination", 0, 350);
        }

        if (members.FilterCriteria?.Filters is { } filters)
        {
            for (int i = 0; i < filters.Count; i++)
            {
                errors.Length(filters[i]?.Pattern, $"filterCriteria.filters.{(i + 1).ToString(CultureInfo.InvariantCulture)}.member.pattern", 0, MappingFilters.MaxPatternLength);
            }
        }

        errors.Pattern(members.KMSKeyArn, "kMSKeyArn", static v => KmsKeyArnRegex().IsMatch(v), KmsKeyArnPattern);
        if (members.MetricsConfig?.Metrics is { } metrics)
        {
            if (metrics.Count > 3)
            {
                errors.Add($"[{string.Join(", ", metrics)}]", "metricsConfig.metrics", "have length less than or equal to 3");
            }

            if (metrics.Any(m => m is null || !MetricNames.Contains(m)))
            {
                errors.AddConstraint($"[{string.Join(", ", metrics)}]", "metricsConfig.metrics", "Member must satisfy constraint: [Member must satisfy enum value set: [EventCount, ErrorCount, KafkaMetrics]]");
            }
        }

        if (errors.Message is { } message)
        {
            throw new LambdaValidationException(message);
        }
    }

    /// <summary>Lambda's own rules for a Kinesis mapping's shared members.</summary>
    public static void CheckRules(in Members members)
    {
        if (members.MaximumRecordAgeInSeconds is > -1 and < 60)
        {
            throw new InvalidParameterValueException($"MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800; {members.MaximumRecordAgeInSeconds.Value.ToString(CultureInfo.InvariantCulture)} is below the minimum of 60.");
        }

        if (members.DestinationConfig is { } destinations)
        {
            if (destinations.OnSuccess is not null)
            {
                throw new InvalidParameterValueException("Unsupported DestinationConfig parameter for given event source mapping type.");
            }

            if (destinations.OnFailure?.Destination is { Length: > 0 } destination && OnFailureDestination.Parse(destination) is null)
            {
                throw new InvalidParameterValueException($"The destination {destination} is not supported: an on-failure destination of a Kinesis mapping in StreamCore is an SQS queue (arn:aws:sqs:REGION:ACCOUNT:QUEUE) or an S3 bucket (arn:aws:s3:::BUCKET).");
            }
        }

        if (members.FilterCriteria?.Filters is { } filters)
        {
            if (filters.Count > MappingFilters.MaxFilters)
            {
                throw new InvalidParameterValueException($"The filter criteria has {filters.Count.ToString(CultureInfo.InvariantCulture)} filters; an event source mapping has at most {MappingFilters.MaxFilters.ToString(CultureInfo.InvariantCulture)}.");
            }

            _ = MappingFilters.Compile([.. filters.Select(f => f?.Pattern)]);
        }
    }

    /// <summary>The starting position rules of Create.</summary>
    public static void CheckStartingPosition(string? startingPosition, DateTime? timestamp)
    {
        if (startingPosition is null)
        {
            throw new InvalidParameterValueException("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
        }

        if (startingPosition == "AT_TIMESTAMP" && timestamp is null)
        {
            throw new InvalidParameterValueException("StartingPositionTimestamp must be set when StartingPosition is AT_TIMESTAMP.");
        }

        if (startingPosition != "AT_TIMESTAMP" && timestamp is not null)
        {
            throw new InvalidParameterValueException($"StartingPositionTimestamp is only valid with StartingPosition AT_TIMESTAMP, not {startingPosition}.");
        }
    }

    /// <summary>Applies the members a request gave onto <paramref name="settings"/> (an empty destination or filter list removes it).</summary>
    public static MappingSettings Apply(MappingSettings settings, in Members members) => settings with
    {
        BatchSize = members.BatchSize ?? settings.BatchSize,
        MaximumBatchingWindowInSeconds = members.MaximumBatchingWindowInSeconds ?? settings.MaximumBatchingWindowInSeconds,
        ParallelizationFactor = members.ParallelizationFactor ?? settings.ParallelizationFactor,
        MaximumRecordAgeInSeconds = members.MaximumRecordAgeInSeconds ?? settings.MaximumRecordAgeInSeconds,
        MaximumRetryAttempts = members.MaximumRetryAttempts ?? settings.MaximumRetryAttempts,
        BisectBatchOnFunctionError = members.BisectBatchOnFunctionError ?? settings.BisectBatchOnFunctionError,
        TumblingWindowInSeconds = members.TumblingWindowInSeconds ?? settings.TumblingWindowInSeconds,
        ReportBatchItemFailures = members.FunctionResponseTypes is { } types ? types.Count > 0 : settings.ReportBatchItemFailures,
        OnFailureDestination = members.DestinationConfig is { } d ? (d.OnFailure?.Destination is { Length: > 0 } arn ? arn : null) : settings.OnFailureDestination,
        FilterPatterns = members.FilterCriteria is { } f ? (f.Filters is { Count: > 0 } filters ? [.. filters.Select(x => x.Pattern!)] : null) : settings.FilterPatterns,
        Filter = members.FilterCriteria is { } c ? (c.Filters is { Count: > 0 } given ? MappingFilters.Compile([.. given.Select(x => x.Pattern)]) : null) : settings.Filter,
        KMSKeyArn = members.KMSKeyArn is { } kms ? (kms.Length > 0 ? kms : null) : settings.KMSKeyArn,
        Metrics = members.MetricsConfig is { } m ? (m.Metrics is { Count: > 0 } names ? [.. names] : null) : settings.Metrics,
    };

    [GeneratedRegex(@"\A(?:arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*))\z", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex EventSourceArnRegex();

    [GeneratedRegex(@"\A(?:$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*))\z", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex DestinationRegex();

    [GeneratedRegex(@"\A(?:(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|())\z", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex KmsKeyArnRegex();
}
