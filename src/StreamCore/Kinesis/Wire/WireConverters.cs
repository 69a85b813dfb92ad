using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamCore.Kinesis.Wire;

/// <summary>Blobs are base64 strings on the JSON wire.</summary>
internal sealed class BlobJsonConverter : JsonConverter<MemoryStream>
{
    public override MemoryStream Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        byte[] bytes = reader.GetBytesFromBase64();
        return new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
    }

    public override void Write(Utf8JsonWriter writer, MemoryStream value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(WireBlobs.Span(value));
}

/// <summary>Timestamps are epoch seconds, with milliseconds as a fraction.</summary>
internal sealed class EpochSecondsJsonConverter : JsonConverter<DateTime>
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

/// <summary>A constant class (ShardIteratorType, StreamStatus, ...) is a plain string; no reflection to create one.</summary>
internal abstract class ConstantJsonConverter<T>(Func<string, T> create) : JsonConverter<T>
    where T : ConstantClass
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        create(reader.GetString() ?? throw new JsonException("A constant must be a string."));

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

internal sealed class StreamStatusJsonConverter() : ConstantJsonConverter<StreamStatus>(v => new(v));

internal sealed class StreamModeJsonConverter() : ConstantJsonConverter<StreamMode>(v => new(v));

internal sealed class ShardIteratorTypeJsonConverter() : ConstantJsonConverter<ShardIteratorType>(v => new(v));

internal sealed class EncryptionTypeJsonConverter() : ConstantJsonConverter<EncryptionType>(v => new(v));

internal sealed class ShardFilterTypeJsonConverter() : ConstantJsonConverter<ShardFilterType>(v => new(v));

internal sealed class ConsumerStatusJsonConverter() : ConstantJsonConverter<ConsumerStatus>(v => new(v));

internal sealed class ScalingTypeJsonConverter() : ConstantJsonConverter<ScalingType>(v => new(v));

/// <summary>The constants by type, for the CBOR protocol (which walks the same contracts as JSON).</summary>
internal static class WireConstants
{
    private static readonly Dictionary<Type, Func<string, ConstantClass>> Factories = new()
    {
        [typeof(StreamStatus)] = v => new StreamStatus(v),
        [typeof(StreamMode)] = v => new StreamMode(v),
        [typeof(ShardIteratorType)] = v => new ShardIteratorType(v),
        [typeof(EncryptionType)] = v => new EncryptionType(v),
        [typeof(ShardFilterType)] = v => new ShardFilterType(v),
        [typeof(ConsumerStatus)] = v => new ConsumerStatus(v),
        [typeof(ScalingType)] = v => new ScalingType(v),
    };

    public static bool TryCreate(Type type, string value, out ConstantClass? constant)
    {
        if (Factories.TryGetValue(type, out Func<string, ConstantClass>? create))
        {
            constant = create(value);
            return true;
        }

        constant = null;
        return false;
    }
}

/// <summary>A blob's bytes without copying when the stream exposes its buffer.</summary>
internal static class WireBlobs
{
    public static ReadOnlySpan<byte> Span(MemoryStream stream) =>
        stream.TryGetBuffer(out ArraySegment<byte> buffer) ? buffer.AsSpan() : stream.ToArray();
}
