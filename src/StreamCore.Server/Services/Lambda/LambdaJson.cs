using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using StreamCore.EventSources;
using StreamCore.Functions;

namespace StreamCore.Server.Services.Lambda;

// Lambda's rest-json bodies for event source mappings are the library's own model (the AWS SDK's names are botocore's
// member names, wire-shapes section 2), serialized directly: timestamps as epoch seconds, enums as strings, absent
// members omitted. Only GetFunction, which the library has no model of, has bodies of its own here.

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

/// <summary>A time as Lambda's wire has it: seconds since the epoch (the CLI sends an integer, SDKs may send a fraction).</summary>
internal sealed class EpochSecondsJsonConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        double value = reader.GetDouble();
        double milliseconds = Math.Round(value * 1000);
        if (!double.IsFinite(milliseconds) || milliseconds < 0 || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            throw new InvalidParameterValueException($"StartingPositionTimestamp {value.ToString(CultureInfo.InvariantCulture)} is not a valid time: expected seconds since 1970-01-01T00:00:00Z.");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds).UtcDateTime;
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(new DateTimeOffset(DateTime.SpecifyKind(value, value.Kind == DateTimeKind.Local ? DateTimeKind.Local : DateTimeKind.Utc)).ToUnixTimeMilliseconds() / 1000.0);
}

/// <summary>A starting position as its wire string.</summary>
internal sealed class EventSourcePositionJsonConverter : JsonConverter<EventSourcePosition>
{
    public override EventSourcePosition? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { } value ? new EventSourcePosition(value) : null;

    public override void Write(Utf8JsonWriter writer, EventSourcePosition value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

/// <summary>Compile-time JSON contracts for Lambda's bodies (the server runs with reflection-based JSON off).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(EpochSecondsJsonConverter), typeof(EventSourcePositionJsonConverter)])]
[JsonSerializable(typeof(CreateEventSourceMappingRequest))]
[JsonSerializable(typeof(UpdateEventSourceMappingRequest))]
[JsonSerializable(typeof(EventSourceMappingDescription))]
[JsonSerializable(typeof(GetFunctionResponse))]
internal sealed partial class LambdaJsonContext : JsonSerializerContext;
