using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace StreamCore.Kinesis.Wire;

/// <summary>
/// One message of the <c>application/vnd.amazon.eventstream</c> framing that SubscribeToShard answers with:
/// a prelude (total length, headers length, CRC32 of those 8 bytes), headers, payload, and a CRC32 of everything
/// before it. All integers big-endian; header values are strings (type 7).
/// </summary>
internal static class EventStreamMessage
{
    private const byte StringType = 7;
    private const int PreludeLength = 12;

    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> payload)
    {
        int headersLength = 0;
        foreach ((string name, string value) in headers)
        {
            headersLength += 1 + Encoding.UTF8.GetByteCount(name) + 1 + 2 + Encoding.UTF8.GetByteCount(value);
        }

        int total = PreludeLength + headersLength + payload.Length + 4;
        byte[] message = new byte[total];
        Span<byte> span = message;
        BinaryPrimitives.WriteInt32BigEndian(span, total);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], headersLength);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], Crc32.HashToUInt32(span[..8]));
        int at = PreludeLength;
        foreach ((string name, string value) in headers)
        {
            span[at] = (byte)Encoding.UTF8.GetBytes(name, span[(at + 1)..]);
            at += 1 + span[at];
            span[at++] = StringType;
            int valueLength = Encoding.UTF8.GetBytes(value, span[(at + 2)..]);
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)valueLength);
            at += 2 + valueLength;
        }

        payload.CopyTo(span[at..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[^4..], Crc32.HashToUInt32(span[..^4]));
        return message;
    }

    /// <summary>Decodes one message, checking both CRCs; throws <see cref="InvalidDataException"/> on a bad frame.</summary>
    public static (Dictionary<string, string> Headers, byte[] Payload) Decode(ReadOnlySpan<byte> message)
    {
        int total = BinaryPrimitives.ReadInt32BigEndian(message);
        int headersLength = BinaryPrimitives.ReadInt32BigEndian(message[4..]);
        if (total != message.Length || BinaryPrimitives.ReadUInt32BigEndian(message[8..]) != Crc32.HashToUInt32(message[..8])
            || BinaryPrimitives.ReadUInt32BigEndian(message[^4..]) != Crc32.HashToUInt32(message[..^4]))
        {
            throw new InvalidDataException("Event stream message has a bad length or CRC.");
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        ReadOnlySpan<byte> block = message.Slice(PreludeLength, headersLength);
        while (!block.IsEmpty)
        {
            string name = Encoding.UTF8.GetString(block.Slice(1, block[0]));
            block = block[(1 + block[0])..];
            if (block[0] != StringType)
            {
                throw new InvalidDataException($"Header {name} is not a string.");
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(block[1..]);
            headers[name] = Encoding.UTF8.GetString(block.Slice(3, length));
            block = block[(3 + length)..];
        }

        return (headers, message[(PreludeLength + headersLength)..^4].ToArray());
    }
}
