using System.Security.Cryptography;
using StreamCore.Errors;

namespace StreamCore;

/// <summary>
/// An in-memory key store: knows the AWS-managed <c>alias/aws/kinesis</c> and keys the application adds, and lets a
/// test disable a key or deny access to it to see the KMS errors. Thread-safe.
/// </summary>
public sealed class InMemoryKmsKeyProvider : IKmsKeyProvider
{
    /// <summary>The alias of the AWS-managed Kinesis key.</summary>
    public const string AwsManagedKinesisAlias = "alias/aws/kinesis";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, KeyEntry> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);

    /// <summary>Creates a store that knows <see cref="AwsManagedKinesisAlias"/>.</summary>
    public InMemoryKmsKeyProvider() => AddKey("aws-managed-kinesis-key", aliases: AwsManagedKinesisAlias);

    /// <summary>Adds a key.</summary>
    /// <param name="keyId">The key's id.</param>
    /// <param name="key">32 bytes of key material; random when omitted.</param>
    /// <param name="aliases">Alias names (<c>alias/…</c>) for the key.</param>
    public void AddKey(string keyId, byte[]? key = null, params string[] aliases)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        ArgumentNullException.ThrowIfNull(aliases);
        if (key is { Length: not 32 })
        {
            throw new ArgumentException("A key is 32 bytes (AES-256).", nameof(key));
        }

        lock (_lock)
        {
            _keys[keyId] = new KeyEntry((byte[]?)key?.Clone());
            foreach (string alias in aliases)
            {
                _aliases[alias] = keyId;
            }
        }
    }

    /// <summary>Disables a key: using it raises <see cref="KMSDisabledException"/> until it is enabled.</summary>
    /// <param name="keyId">A name of the key.</param>
    public void DisableKey(string keyId) => Update(keyId, e => e.Disabled = true);

    /// <summary>Enables a disabled key.</summary>
    /// <param name="keyId">A name of the key.</param>
    public void EnableKey(string keyId) => Update(keyId, e => e.Disabled = false);

    /// <summary>Denies the use of a key: using it raises <see cref="KMSAccessDeniedException"/>.</summary>
    /// <param name="keyId">A name of the key.</param>
    public void DenyAccess(string keyId) => Update(keyId, e => e.Denied = true);

    /// <summary>Allows the use of a key again.</summary>
    /// <param name="keyId">A name of the key.</param>
    public void AllowAccess(string keyId) => Update(keyId, e => e.Denied = false);

    /// <inheritdoc />
    public (ReadOnlyMemory<byte> Key, string CanonicalKeyId) GetKey(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        lock (_lock)
        {
            string id = Canonical(keyId);
            if (!_keys.TryGetValue(id, out KeyEntry? entry))
            {
                throw new KMSNotFoundException($"Key '{keyId}' does not exist.");
            }

            if (entry.Denied)
            {
                throw new KMSAccessDeniedException($"The caller is not authorized to use key '{keyId}'.");
            }

            if (entry.Disabled)
            {
                throw new KMSDisabledException($"Key '{keyId}' is disabled.");
            }

            return (entry.Key, id);
        }
    }

    private void Update(string keyId, Action<KeyEntry> change)
    {
        lock (_lock)
        {
            change(_keys.TryGetValue(Canonical(keyId), out KeyEntry? entry) ? entry : throw new KMSNotFoundException($"Key '{keyId}' does not exist."));
        }
    }

    // key id, arn:…:key/<id>, alias/<name>, arn:…:alias/<name>
    private string Canonical(string keyId)
    {
        int aliasAt = keyId.IndexOf("alias/", StringComparison.Ordinal);
        if (aliasAt >= 0)
        {
            string alias = keyId[aliasAt..];
            return _aliases.TryGetValue(alias, out string? target) ? target : alias;
        }

        int keyAt = keyId.IndexOf(":key/", StringComparison.Ordinal);
        return keyAt >= 0 ? keyId[(keyAt + ":key/".Length)..] : keyId;
    }

    private sealed class KeyEntry(byte[]? key)
    {
        // A random key is made when first used (under the provider's lock), not when the key is added: every engine
        // gets the AWS-managed key, and making it at once loaded the platform's crypto library into every start-up.
        private byte[]? _key = key;

        public byte[] Key => _key ??= RandomNumberGenerator.GetBytes(32);

        public bool Disabled { get; set; }

        public bool Denied { get; set; }
    }
}
