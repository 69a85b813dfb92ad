using System.Security.Cryptography;

namespace StreamCore;

/// <summary>
/// Seals small binary payloads into opaque, tamper-evident base64 tokens (HMAC-SHA256 with a 128-bit tag) and
/// opens them again. Shard iterators and pagination tokens are sealed with an engine's key.
/// </summary>
/// <param name="key">The key; null for a random one, made when the first token is sealed or opened.</param>
/// <remarks>
/// The random key is made on first use, not with the engine: the platform's random source is OpenSSL's on Linux, and
/// loading and initialising libssl/libcrypto was a measurable part of the server's start-up, for engines that may
/// never issue an iterator.
/// </remarks>
internal sealed class TokenSigner(byte[]? key)
{
    public const int TagLength = 16;
    public const int MaxPayload = 512;

    private byte[]? _key = key;

    private byte[] Key => Volatile.Read(ref _key) ?? CreateKey();

    private byte[] CreateKey()
    {
        Interlocked.CompareExchange(ref _key, RandomNumberGenerator.GetBytes(32), null);
        return _key!;
    }

    /// <summary>Returns base64(payload || tag).</summary>
    public string Seal(ReadOnlySpan<byte> payload)
    {
        Span<byte> token = stackalloc byte[MaxPayload + TagLength];
        payload.CopyTo(token);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Key, payload, mac);
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
        HMACSHA256.HashData(Key, raw[..payloadLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..TagLength], raw.Slice(payloadLength, TagLength)) || payloadLength > payload.Length)
        {
            return -1;
        }

        raw[..payloadLength].CopyTo(payload);
        return payloadLength;
    }
}
