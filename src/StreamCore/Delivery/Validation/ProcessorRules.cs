using System.Globalization;
using StreamCore.Errors;

namespace StreamCore.Delivery.Validation;

/// <summary>The service's rules on each record processor's parameters (after the model's constraints have passed).</summary>
internal static class ProcessorRules
{
    public const int DefaultNumberOfRetries = 3;
    public const double DefaultBufferSizeInMBs = 1;
    public const int DefaultBufferIntervalInSeconds = 60;

    public static void Check(ProcessorSettings p)
    {
        string[] allowed = p.Type switch
        {
            "Lambda" => ["LambdaArn", "NumberOfRetries", "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds"],
            "MetadataExtraction" => ["MetadataExtractionQuery", "JsonParsingEngine"],
            "AppendDelimiterToRecord" => ["Delimiter"],
            "RecordDeAggregation" => ["SubRecordType", "Delimiter"],
            _ => throw new InvalidArgumentException($"Processor type {p.Type} is not supported by StreamCore; supported: Lambda, MetadataExtraction, AppendDelimiterToRecord, RecordDeAggregation."),
        };
        foreach (KeyValuePair<string, string> parameter in p.Parameters)
        {
            if (!allowed.Contains(parameter.Key))
            {
                throw new InvalidArgumentException($"Parameter {parameter.Key} is not valid for processor type {p.Type}; expected one of {string.Join(", ", allowed)}.");
            }
        }

        switch (p.Type)
        {
            case "Lambda":
                if (p.Parameter("LambdaArn") is null)
                {
                    throw new InvalidArgumentException("Processor type Lambda requires the parameter LambdaArn.");
                }

                Int(p, "NumberOfRetries", 0, 300);
                Int(p, "BufferIntervalInSeconds", 60, 900);
                if (p.Parameter("BufferSizeInMBs") is { } size && (!double.TryParse(size, NumberStyles.Float, CultureInfo.InvariantCulture, out double mb) || mb < 0.2 || mb > 3))
                {
                    throw new InvalidArgumentException($"BufferSizeInMBs '{size}' of processor Lambda is not valid: expected a number from 0.2 to 3.");
                }

                break;
            case "MetadataExtraction":
                if (p.Parameter("MetadataExtractionQuery") is not { } query)
                {
                    throw new InvalidArgumentException("Processor type MetadataExtraction requires the parameter MetadataExtractionQuery.");
                }

                if (!MetadataQuery.TryParse(query, out _, out string? error))
                {
                    throw new InvalidArgumentException($"MetadataExtractionQuery is not valid: {error}.");
                }

                if (p.Parameter("JsonParsingEngine") is not "JQ-1.6")
                {
                    throw new InvalidArgumentException("Processor type MetadataExtraction requires the parameter JsonParsingEngine with the value JQ-1.6.");
                }

                break;
            case "RecordDeAggregation":
                if (p.Parameter("SubRecordType") is not ("JSON" or "DELIMITED"))
                {
                    throw new InvalidArgumentException("Processor type RecordDeAggregation requires SubRecordType JSON or DELIMITED.");
                }

                if (p.Parameter("SubRecordType") == "DELIMITED" && !IsBase64(p.Parameter("Delimiter")))
                {
                    throw new InvalidArgumentException("RecordDeAggregation with SubRecordType DELIMITED requires a base64 Delimiter.");
                }

                break;
        }
    }

    private static bool IsBase64(string? value)
    {
        if (value is null)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out int written) && written > 0;
    }

    private static void Int(ProcessorSettings p, string name, int min, int max)
    {
        if (p.Parameter(name) is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min || value > max))
        {
            throw new InvalidArgumentException($"{name} '{text}' of processor {p.Type} is not valid: expected an integer from {min} to {max}.");
        }
    }

    public static int IntParameter(ProcessorSettings p, string name, int fallback) =>
        p.Parameter(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    public static double DoubleParameter(ProcessorSettings p, string name, double fallback) =>
        p.Parameter(name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
