using System.Collections;
using System.Formats.Cbor;
using System.Text.Json.Serialization.Metadata;

namespace StreamCore.Kinesis.Wire;

/// <summary>
/// Kinesis's CBOR 1.1 protocol (the Java SDK's default) over the Kinesis-shaped models: maps keyed by member name,
/// blobs as byte strings, timestamps as tag 1 with integer epoch milliseconds, constants as text, absent members
/// omitted. Reads a timestamp given as seconds (integer or float) too. It walks the same compile-time contracts as
/// <see cref="JsonProtocol"/> (member names, getters, setters, constructors), so it needs no reflection either.
/// </summary>
internal static class CborProtocol
{
    public const string ContentType = KinesisWire.CborContentType;

    public static byte[] Serialize(object value, JsonTypeInfo contract)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        Write(writer, value, contract);
        return writer.Encode();
    }

    public static object Deserialize(ReadOnlyMemory<byte> body, JsonTypeInfo contract)
    {
        var reader = new CborReader(body, CborConformanceMode.Lax);
        return Read(reader, contract.Type) ?? contract.CreateObject!();
    }

    /// <summary>An error body: <c>{"__type": ..., "message": ...}</c>.</summary>
    public static byte[] SerializeError(string type, string message)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(2);
        writer.WriteTextString(KinesisWire.ErrorTypeMember);
        writer.WriteTextString(type);
        writer.WriteTextString(KinesisWire.ErrorMessageMember);
        writer.WriteTextString(message);
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static void Write(CborWriter writer, object? value, JsonTypeInfo? contract = null)
    {
        switch (value)
        {
            case null:
                writer.WriteNull();
                break;
            case string s:
                writer.WriteTextString(s);
                break;
            case ConstantClass c:
                writer.WriteTextString(c.Value);
                break;
            case bool b:
                writer.WriteBoolean(b);
                break;
            case int i:
                writer.WriteInt32(i);
                break;
            case long l:
                writer.WriteInt64(l);
                break;
            case DateTime t:
                writer.WriteTag(CborTag.UnixTimeSeconds);
                writer.WriteInt64((long)Math.Round((t.ToUniversalTime() - DateTime.UnixEpoch).TotalMilliseconds));
                break;
            case MemoryStream m:
                writer.WriteByteString(WireBlobs.Span(m));
                break;
            case IDictionary<string, string> map:
                writer.WriteStartMap(map.Count);
                foreach ((string k, string v) in map)
                {
                    writer.WriteTextString(k);
                    writer.WriteTextString(v);
                }

                writer.WriteEndMap();
                break;
            case IList list:
                writer.WriteStartArray(list.Count);
                foreach (object? item in list)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                contract ??= JsonProtocol.Contract(value.GetType());
                int present = 0;
                foreach (JsonPropertyInfo member in contract.Properties)
                {
                    if (member.Get!(value) is not null)
                    {
                        present++;
                    }
                }

                writer.WriteStartMap(present);
                foreach (JsonPropertyInfo member in contract.Properties)
                {
                    if (member.Get!(value) is { } memberValue)
                    {
                        writer.WriteTextString(member.Name);
                        Write(writer, memberValue);
                    }
                }

                writer.WriteEndMap();
                break;
        }
    }

    private static object? Read(CborReader reader, Type type)
    {
        if (reader.PeekState() == CborReaderState.Null)
        {
            reader.ReadNull();
            return null;
        }

        Type target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string))
        {
            return reader.ReadTextString();
        }

        if (target == typeof(bool))
        {
            return reader.ReadBoolean();
        }

        if (target == typeof(int))
        {
            return reader.ReadInt32();
        }

        if (target == typeof(long))
        {
            return reader.ReadInt64();
        }

        if (target == typeof(DateTime))
        {
            return ReadTimestamp(reader);
        }

        if (target == typeof(MemoryStream))
        {
            byte[] bytes = reader.ReadByteString();
            return new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
        }

        if (typeof(ConstantClass).IsAssignableFrom(target))
        {
            string text = reader.ReadTextString();
            return WireConstants.TryCreate(target, text, out ConstantClass? constant) ? constant : throw new CborContentException($"{target.Name} is not a wire constant.");
        }

        JsonTypeInfo contract = JsonProtocol.Contract(target);
        switch (contract.Kind)
        {
            case JsonTypeInfoKind.Dictionary:
            {
                var map = (IDictionary<string, string>)contract.CreateObject!();
                reader.ReadStartMap();
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    map[reader.ReadTextString()] = reader.ReadTextString();
                }

                reader.ReadEndMap();
                return map;
            }

            case JsonTypeInfoKind.Enumerable:
            {
                var list = (IList)contract.CreateObject!();
                Type item = contract.ElementType!;
                reader.ReadStartArray();
                while (reader.PeekState() != CborReaderState.EndArray)
                {
                    list.Add(Read(reader, item));
                }

                reader.ReadEndArray();
                return list;
            }

            case JsonTypeInfoKind.Object:
            {
                object result = contract.CreateObject!();
                reader.ReadStartMap();
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    string name = reader.ReadTextString();
                    JsonPropertyInfo? member = Find(contract, name);
                    if (member?.Set is { } set)
                    {
                        set(result, Read(reader, member.PropertyType));
                    }
                    else
                    {
                        reader.SkipValue(); // unknown members are ignored, as the JSON protocol does
                    }
                }

                reader.ReadEndMap();
                return result;
            }

            default:
                throw new CborContentException($"{target.Name} has no CBOR form.");
        }
    }

    private static JsonPropertyInfo? Find(JsonTypeInfo contract, string name)
    {
        foreach (JsonPropertyInfo member in contract.Properties)
        {
            if (member.Name == name)
            {
                return member;
            }
        }

        return null;
    }

    private static DateTime ReadTimestamp(CborReader reader)
    {
        bool tagged = reader.PeekState() == CborReaderState.Tag && reader.ReadTag() == CborTag.UnixTimeSeconds;
        double value = reader.PeekState() switch
        {
            CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => reader.ReadInt64(),
            CborReaderState.HalfPrecisionFloat or CborReaderState.SinglePrecisionFloat or CborReaderState.DoublePrecisionFloat => reader.ReadDouble(),
            _ => throw new CborContentException("A timestamp must be a number."),
        };

        // Tag 1 carries integer epoch milliseconds (the Java SDK's form); a float is epoch seconds.
        double milliseconds = tagged && value == Math.Floor(value) && Math.Abs(value) > 100_000_000_000 ? value : value * 1000;
        return DateTime.UnixEpoch.AddMilliseconds(Math.Round(milliseconds));
    }
}
