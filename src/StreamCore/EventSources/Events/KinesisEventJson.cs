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
internal sealed partial class KinesisEventJson : JsonSerializerContext;

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
