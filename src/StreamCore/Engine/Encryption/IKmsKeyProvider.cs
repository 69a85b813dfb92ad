namespace StreamCore;

/// <summary>
/// Supplies the keys that encrypt stream records at rest (StartStreamEncryption). Implementations raise Kinesis's KMS
/// errors for keys that are unknown (<see cref="StreamCore.Errors.KMSNotFoundException"/>), disabled (<see cref="StreamCore.Errors.KMSDisabledException"/>),
/// not usable by the caller (<see cref="StreamCore.Errors.KMSAccessDeniedException"/>), and so on.
/// </summary>
public interface IKmsKeyProvider
{
    /// <summary>Returns the 256-bit key for a key id, key ARN, alias name (<c>alias/…</c>) or alias ARN.</summary>
    /// <param name="keyId">The key as the caller named it.</param>
    /// <returns>32 bytes of key material, and the key's canonical id (the same for every name of one key).</returns>
    (ReadOnlyMemory<byte> Key, string CanonicalKeyId) GetKey(string keyId);
}
