using System.Buffers.Binary;
using System.Text;
using StreamCore.Errors;

namespace StreamCore.Reading;

/// <summary>The position a shard iterator stands for.</summary>
internal readonly record struct IteratorPosition(string StreamName, long StreamCreatedMs, long StreamIncarnation, ShardId Shard, long Index, long IssuedMs);

/// <summary>
/// Encodes and decodes shard iterators: opaque, stateless, tamper-evident tokens carrying the stream, shard, log
/// position and issue time, sealed with the engine's key. An iterator is valid for five minutes after it was issued.
/// </summary>
internal sealed class ShardIteratorCodec(TokenSigner signer)
{
    public const long ValidityMs = 300_000;

    // Eight header bytes 00..01, so the text starts with "AAAAAAAAAA" as AWS's iterators do.
    private const int HeaderLength = 8;
    private const int FixedLength = HeaderLength + 8 + 8 + 4 + 8 + 1 + 8;
    private const int NameOffset = 37; // within the body, after the fixed fields

    public string Encode(IteratorPosition position)
    {
        Span<byte> payload = stackalloc byte[FixedLength + 128];
        payload[..HeaderLength].Clear();
        payload[HeaderLength - 1] = 1;
        Span<byte> body = payload[HeaderLength..];
        BinaryPrimitives.WriteInt64BigEndian(body, position.IssuedMs);
        BinaryPrimitives.WriteInt64BigEndian(body[8..], position.StreamCreatedMs);
        BinaryPrimitives.WriteInt32BigEndian(body[16..], position.Shard.Index);
        BinaryPrimitives.WriteInt64BigEndian(body[20..], position.Index);
        BinaryPrimitives.WriteInt64BigEndian(body[29..], position.StreamIncarnation);
        int nameLength = Encoding.UTF8.GetBytes(position.StreamName, body[NameOffset..]);
        body[28] = (byte)nameLength;
        return signer.Seal(payload[..(FixedLength + nameLength)]);
    }

    /// <summary>Decodes and verifies an iterator; throws Kinesis's errors for corrupt or expired ones.</summary>
    public IteratorPosition Decode(string iterator, long nowMs)
    {
        Span<byte> payload = stackalloc byte[TokenSigner.MaxPayload];
        int length = signer.TryOpen(iterator, payload);
        if (length < FixedLength || payload[HeaderLength - 1] != 1 || length != FixedLength + payload[HeaderLength + 28])
        {
            throw ErrorMessages.InvalidShardIterator();
        }

        ReadOnlySpan<byte> body = payload[HeaderLength..length];
        long issued = BinaryPrimitives.ReadInt64BigEndian(body);
        if (nowMs - issued > ValidityMs)
        {
            throw ErrorMessages.IteratorExpired(DateTimeOffset.FromUnixTimeMilliseconds(issued), DateTimeOffset.FromUnixTimeMilliseconds(nowMs));
        }

        return new IteratorPosition(
            Encoding.UTF8.GetString(body.Slice(NameOffset, body[28])),
            BinaryPrimitives.ReadInt64BigEndian(body[8..]),
            BinaryPrimitives.ReadInt64BigEndian(body[29..]),
            new ShardId(BinaryPrimitives.ReadInt32BigEndian(body[16..])),
            BinaryPrimitives.ReadInt64BigEndian(body[20..]),
            issued);
    }
}
