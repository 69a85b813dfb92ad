using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamCore.EventSources;

/// <summary>The JSON of the Kinesis events and responses, written exactly as Lambda writes them (source-generated, no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(KinesisEvent))]
[JsonSerializable(typeof(KinesisTimeWindowEvent))]
[JsonSerializable(typeof(StreamsEventResponse))]
[JsonSerializable(typeof(KinesisTimeWindowResponse))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(StreamsEventResponse.BatchItemFailure), TypeInfoPropertyName = "StreamsBatchItemFailure")]
[JsonSerializable(typeof(IList<StreamsEventResponse.BatchItemFailure>), TypeInfoPropertyName = "StreamsBatchItemFailures")]
[JsonSerializable(typeof(KinesisTimeWindowResponse.BatchItemFailure), TypeInfoPropertyName = "WindowBatchItemFailure")]
[JsonSerializable(typeof(IList<KinesisTimeWindowResponse.BatchItemFailure>), TypeInfoPropertyName = "WindowBatchItemFailures")]
internal sealed partial class KinesisEventJson : JsonSerializerContext;

/// <summary>
/// A tumbling window's state: a JSON object whose values are read as text whatever their JSON kind (AWS's own example
/// returns numbers, <c>{"state":{"1":282}}</c>; a string is its value, anything else its JSON text), written as strings.
/// </summary>
internal sealed class WindowStateConverter : JsonConverter<Dictionary<string, string>>
{
    public override Dictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"A tumbling window's state must be a JSON object; found {reader.TokenType}.");
        }

        var state = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                state[key] = reader.GetString()!;
            }
            else
            {
                using var value = JsonDocument.ParseValue(ref reader);
                state[key] = value.RootElement.GetRawText();
            }
        }

        return state;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (KeyValuePair<string, string> entry in value)
        {
            writer.WriteString(entry.Key, entry.Value);
        }

        writer.WriteEndObject();
    }
}

/// <summary>A record's data as base64, as Lambda writes it.</summary>
internal sealed class Base64MemoryStreamConverter : JsonConverter<MemoryStream>
{
    public override MemoryStream? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : new MemoryStream(reader.GetBytesFromBase64(), writable: false);

    public override void Write(Utf8JsonWriter writer, MemoryStream value, JsonSerializerOptions options)
    {
        if (value.TryGetBuffer(out ArraySegment<byte> buffer))
        {
            writer.WriteBase64StringValue(buffer);
        }
        else
        {
            writer.WriteBase64StringValue(value.ToArray());
        }
    }
}

/// <summary>A timestamp as epoch seconds with a millisecond fraction (e.g. 1545084650.987), as Lambda writes it.</summary>
internal sealed class EpochSecondsConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.UnixEpoch.AddMilliseconds(Math.Round(reader.GetDouble() * 1000));

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        long millis = (long)(value.ToUniversalTime() - DateTime.UnixEpoch).TotalMilliseconds;
        decimal seconds = millis / 1000m;
        writer.WriteRawValue(seconds.ToString("0.000", CultureInfo.InvariantCulture), skipInputValidation: true);
    }
}
