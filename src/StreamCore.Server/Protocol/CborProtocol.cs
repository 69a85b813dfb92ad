using System.Collections;
using System.Formats.Cbor;
using System.Reflection;
using StreamCore.Kinesis;

namespace StreamCore.Server.Protocol;

/// <summary>
/// Kinesis's CBOR 1.1 protocol (the Java SDK's default) over the Kinesis-shaped models: maps keyed by member name,
/// blobs as byte strings, timestamps as tag 1 with integer epoch milliseconds, constants as text, absent members
/// omitted. Reads a timestamp given as seconds (integer or float) too.
/// </summary>
internal static class CborProtocol
{
    public const string ContentType = "application/x-amz-cbor-1.1";

    public static byte[] Serialize(object value)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        Write(writer, value);
        return writer.Encode();
    }

    public static object Deserialize(ReadOnlyMemory<byte> body, Type type)
    {
        var reader = new CborReader(body, CborConformanceMode.Lax);
        object? value = Read(reader, type);
        return value ?? Activator.CreateInstance(type)!;
    }

    private static void Write(CborWriter writer, object? value)
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
                writer.WriteByteString(m.ToArray());
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
                PropertyInfo[] members = Members(value.GetType());
                var present = members.Select(p => (p.Name, Value: p.GetValue(value))).Where(m => m.Value is not null).ToArray();
                writer.WriteStartMap(present.Length);
                foreach ((string name, object? member) in present)
                {
                    writer.WriteTextString(name);
                    Write(writer, member);
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

        if (target.IsSubclassOf(typeof(ConstantClass)))
        {
            return Activator.CreateInstance(target, reader.ReadTextString());
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
            return new MemoryStream(reader.ReadByteString());
        }

        if (target == typeof(Dictionary<string, string>))
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            reader.ReadStartMap();
            while (reader.PeekState() != CborReaderState.EndMap)
            {
                map[reader.ReadTextString()] = reader.ReadTextString();
            }

            reader.ReadEndMap();
            return map;
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(target)!;
            Type item = target.GetGenericArguments()[0];
            reader.ReadStartArray();
            while (reader.PeekState() != CborReaderState.EndArray)
            {
                list.Add(Read(reader, item));
            }

            reader.ReadEndArray();
            return list;
        }

        object result = Activator.CreateInstance(target)!;
        Dictionary<string, PropertyInfo> members = Members(target).ToDictionary(p => p.Name, StringComparer.Ordinal);
        reader.ReadStartMap();
        while (reader.PeekState() != CborReaderState.EndMap)
        {
            string name = reader.ReadTextString();
            if (members.TryGetValue(name, out PropertyInfo? member))
            {
                member.SetValue(result, Read(reader, member.PropertyType));
            }
            else
            {
                reader.SkipValue(); // unknown members are ignored, as the JSON protocol does
            }
        }

        reader.ReadEndMap();
        return result;
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

    private static PropertyInfo[] Members(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite && p.Name != nameof(KinesisResponse.HttpStatusCode))];
}
