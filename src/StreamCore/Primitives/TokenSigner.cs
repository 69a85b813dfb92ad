using System.Security.Cryptography;

namespace StreamCore;

/// <summary>
/// Seals small binary payloads into opaque, tamper-evident base64 tokens (HMAC-SHA256 with a 128-bit tag) and
/// opens them again. Shard iterators and pagination tokens are sealed with an engine's key.
/// </summary>
internal sealed class TokenSigner(byte[] key)
{
    public const int TagLength = 16;
    public const int MaxPayload = 512;

    private readonly byte[] _key = key;

    /// <summary>Returns base64(payload || tag).</summary>
    public string Seal(ReadOnlySpan<byte> payload)
    {
        Span<byte> token = stackalloc byte[MaxPayload + TagLength];
        payload.CopyTo(token);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, payload, mac);
        mac[..TagLength].CopyTo(token[payload.Length..]);
        return Convert.ToBase64String(token[..(payload.Length + TagLength)]);
    }

    /// <summary>Verifies a token and copies its payload into <paramref name="payload"/>.</summary>
    /// <returns>The payload length, or -1 when the token is malformed or was not sealed with this key.</returns>
    public int TryOpen(string token, Span<byte> payload)
    {
        Span<byte> raw = stackalloc byte[MaxPayload + TagLength];
        if (token.Length > ((MaxPayload + TagLength + 2) / 3 * 4) || !Convert.TryFromBase64String(token, raw, out int length) || length <= TagLength)
        {
            return -1;
        }

        int payloadLength = length - TagLength;
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, raw[..payloadLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..TagLength], raw.Slice(payloadLength, TagLength)) || payloadLength > payload.Length)
        {
            return -1;
        }

        raw[..payloadLength].CopyTo(payload);
        return payloadLength;
    }
}
