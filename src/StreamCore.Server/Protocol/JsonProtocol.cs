using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using StreamCore.Kinesis;

namespace StreamCore.Server.Protocol;

/// <summary>
/// Kinesis's JSON 1.1 conventions over the Kinesis-shaped models: members by their API names, absent members omitted,
/// blobs as base64 strings, timestamps as epoch seconds (with milliseconds), enums as their wire values.
/// </summary>
internal static class JsonProtocol
{
    public const string ContentType = "application/x-amz-json-1.1";

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,

            // The SDK-style HttpStatusCode of a response is transport, not payload.
            TypeInfoResolver = new DefaultJsonTypeInfoResolver
            {
                Modifiers =
                {
                    static info =>
                    {
                        for (int i = info.Properties.Count - 1; i >= 0; i--)
                        {
                            if (info.Properties[i].Name == nameof(KinesisResponse.HttpStatusCode))
                            {
                                info.Properties.RemoveAt(i);
                            }
                        }
                    },
                },
            },
        };
        options.Converters.Add(new BlobConverter());
        options.Converters.Add(new EpochSecondsConverter());
        options.Converters.Add(new ConstantConverterFactory());
        return options;
    }

    /// <summary>Blobs are base64 strings on the wire.</summary>
    private sealed class BlobConverter : JsonConverter<MemoryStream>
    {
        public override MemoryStream Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(reader.GetBytesFromBase64());

        public override void Write(Utf8JsonWriter writer, MemoryStream value, JsonSerializerOptions options) =>
            writer.WriteBase64StringValue(value.ToArray());
    }

    /// <summary>Timestamps are epoch seconds, with milliseconds as a fraction.</summary>
    private sealed class EpochSecondsConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            double seconds = reader.TokenType == JsonTokenType.String
                ? double.Parse(reader.GetString()!, CultureInfo.InvariantCulture)
                : reader.GetDouble();
            return DateTime.UnixEpoch.AddMilliseconds(Math.Round(seconds * 1000));
        }

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(Math.Round((value.ToUniversalTime() - DateTime.UnixEpoch).TotalMilliseconds) / 1000.0);
    }

    /// <summary>The constant classes (ShardIteratorType, StreamStatus, ...) are plain strings.</summary>
    private sealed class ConstantConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsSubclassOf(typeof(ConstantClass));

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ConstantConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class ConstantConverter<T> : JsonConverter<T>
        where T : ConstantClass
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            (T)Activator.CreateInstance(typeof(T), reader.GetString() ?? throw new JsonException("A constant must be a string."))!;

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
    }
}
