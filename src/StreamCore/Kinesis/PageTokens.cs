using System.Buffers.Binary;
using System.Text;
using StreamCore.Errors;

namespace StreamCore.Kinesis;

/// <summary>Where a ListShards listing continues.</summary>
internal readonly record struct ShardListCursor(string StreamName, long StreamCreatedMs, int AfterShardIndex, ShardListFilter Filter);

/// <summary>ListStreams and ListShards NextTokens: sealed with the engine's key, valid for 300 seconds.</summary>
internal sealed class PageTokens(TokenSigner signer)
{
    private const long ValidityMs = 300_000;
    private const byte ListStreamsKind = 1, ListShardsKind = 2, ListConsumersKind = 3;

    public string SealListStreams(string lastStreamName, long nowMs)
    {
        Span<byte> payload = stackalloc byte[9 + 512];
        payload[0] = ListStreamsKind;
        BinaryPrimitives.WriteInt64BigEndian(payload[1..], nowMs);
        int length = Encoding.UTF8.GetBytes(lastStreamName, payload[9..]);
        return signer.Seal(payload[..(9 + length)]);
    }

    public string OpenListStreams(string token, long nowMs)
    {
        Span<byte> payload = stackalloc byte[TokenSigner.MaxPayload];
        int length = Open(token, ListStreamsKind, nowMs, payload);
        return Encoding.UTF8.GetString(payload[9..length]);
    }

    public string SealListShards(ShardListCursor cursor, long nowMs)
    {
        const int Fixed = 1 + 8 + 8 + 4 + 1 + 4 + 8;
        Span<byte> payload = stackalloc byte[Fixed + 512];
        payload[0] = ListShardsKind;
        BinaryPrimitives.WriteInt64BigEndian(payload[1..], nowMs);
        BinaryPrimitives.WriteInt64BigEndian(payload[9..], cursor.StreamCreatedMs);
        BinaryPrimitives.WriteInt32BigEndian(payload[17..], cursor.AfterShardIndex);
        payload[21] = cursor.Filter.Kind;
        BinaryPrimitives.WriteInt32BigEndian(payload[22..], cursor.Filter.ShardIndex);
        BinaryPrimitives.WriteInt64BigEndian(payload[26..], cursor.Filter.TimestampMs);
        int length = Encoding.UTF8.GetBytes(cursor.StreamName, payload[Fixed..]);
        return signer.Seal(payload[..(Fixed + length)]);
    }

    public ShardListCursor OpenListShards(string token, long nowMs)
    {
        Span<byte> payload = stackalloc byte[TokenSigner.MaxPayload];
        int length = Open(token, ListShardsKind, nowMs, payload);
        if (length < 34)
        {
            throw InvalidToken();
        }

        return new ShardListCursor(
            Encoding.UTF8.GetString(payload[34..length]),
            BinaryPrimitives.ReadInt64BigEndian(payload[9..]),
            BinaryPrimitives.ReadInt32BigEndian(payload[17..]),
            new ShardListFilter(payload[21], BinaryPrimitives.ReadInt32BigEndian(payload[22..]), BinaryPrimitives.ReadInt64BigEndian(payload[26..])));
    }

    public string SealListConsumers(string streamName, int nextOffset, long nowMs)
    {
        Span<byte> payload = stackalloc byte[13 + 512];
        payload[0] = ListConsumersKind;
        BinaryPrimitives.WriteInt64BigEndian(payload[1..], nowMs);
        BinaryPrimitives.WriteInt32BigEndian(payload[9..], nextOffset);
        int length = Encoding.UTF8.GetBytes(streamName, payload[13..]);
        return signer.Seal(payload[..(13 + length)]);
    }

    /// <summary>Returns how many consumers the earlier pages covered; the token must belong to <paramref name="streamName"/>.</summary>
    public int OpenListConsumers(string token, string streamName, long nowMs)
    {
        Span<byte> payload = stackalloc byte[TokenSigner.MaxPayload];
        int length = Open(token, ListConsumersKind, nowMs, payload);
        if (length < 13 || Encoding.UTF8.GetString(payload[13..length]) != streamName)
        {
            throw InvalidToken();
        }

        return BinaryPrimitives.ReadInt32BigEndian(payload[9..]);
    }

    private int Open(string token, byte kind, long nowMs, Span<byte> payload)
    {
        int length = signer.TryOpen(token, payload);
        if (length < 9 || payload[0] != kind)
        {
            throw InvalidToken();
        }

        long issued = BinaryPrimitives.ReadInt64BigEndian(payload[1..]);
        if (nowMs - issued > ValidityMs)
        {
            throw new ExpiredNextTokenException($"The NextToken has expired: it was issued {(nowMs - issued) / 1000} seconds ago and NextTokens are valid for 300 seconds. List again from the start.");
        }

        return length;
    }

    private static InvalidArgumentException InvalidToken() =>
        new("Invalid NextToken: it was not issued by this engine for this operation, or it was altered.");
}
