using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace StreamCore.Engine.Encryption;

/// <summary>
/// Encrypts and decrypts record payloads of one stream under one key with AES-GCM. A stored payload is
/// nonce (12) | tag (16) | ciphertext. Nonces are a random per-cipher prefix and a counter, so none repeats under a key.
/// </summary>
internal sealed class RecordCipher(string keyId, ReadOnlyMemory<byte> key, int slot)
{
    public const int Overhead = NonceLength + TagLength;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    private readonly byte[] _key = key.ToArray();
    private readonly uint _noncePrefix = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
    private readonly ConcurrentBag<AesGcm> _instances = [];
    private long _counter;

    /// <summary>The key id as the stream's encryption named it.</summary>
    public string KeyId { get; } = keyId;

    /// <summary>The key provider's id for the key (the same for each of the key's names).</summary>
    public string CanonicalKeyId { get; init; } = keyId;

    /// <summary>The record kind payloads encrypted with this cipher carry.</summary>
    public int RecordKind { get; } = slot + 2;

    /// <summary>The cipher a record of <paramref name="kind"/> was encrypted with, or null for a plain record.</summary>
    public static RecordCipher? For(RecordCipher[] ciphers, int kind) => kind >= 2 ? ciphers[kind - 2] : null;

    /// <summary>Writes the stored form of <paramref name="plaintext"/> (<see cref="Overhead"/> bytes longer).</summary>
    public void Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> stored)
    {
        Span<byte> nonce = stored[..NonceLength];
        BinaryPrimitives.WriteUInt32BigEndian(nonce, _noncePrefix);
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], Interlocked.Increment(ref _counter));
        AesGcm aes = Rent();
        try
        {
            aes.Encrypt(nonce, plaintext, stored[Overhead..(Overhead + plaintext.Length)], stored.Slice(NonceLength, TagLength));
        }
        finally
        {
            _instances.Add(aes);
        }
    }

    /// <summary>Writes the plaintext of a stored payload into <paramref name="plaintext"/> (<see cref="Overhead"/> bytes shorter).</summary>
    public void Decrypt(ReadOnlySpan<byte> stored, Span<byte> plaintext)
    {
        AesGcm aes = Rent();
        try
        {
            aes.Decrypt(stored[..NonceLength], stored[Overhead..], stored.Slice(NonceLength, TagLength), plaintext);
        }
        finally
        {
            _instances.Add(aes);
        }
    }

    // AesGcm instances are not shared between threads at once: a small pool, one per concurrent caller.
    private AesGcm Rent() => _instances.TryTake(out AesGcm? aes) ? aes : new AesGcm(_key, TagLength);
}
