using System.Globalization;
using System.Text;

namespace StreamCore.Consuming;

/// <summary>
/// The one home of what a valid lease is (<see cref="Lease"/>'s remarks), called by every <see cref="ILeaseStore"/>
/// before it writes or reads anything, so every store rejects the same input with the same message.
/// </summary>
internal static class LeaseValidation
{
    /// <summary>Throws when <paramref name="leaseKey"/> is not a valid lease key.</summary>
    public static void ValidateKey(string leaseKey, string parameter)
    {
        ArgumentNullException.ThrowIfNull(leaseKey, parameter);
        int bytes = Encoding.UTF8.GetByteCount(leaseKey);
        if (bytes is 0 or > Lease.MaxLeaseKeyLength)
        {
            throw new ArgumentException($"Lease key of {bytes} UTF-8 bytes is not valid: expected 1 to {Lease.MaxLeaseKeyLength}.", parameter);
        }

        foreach (char c in leaseKey)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"Lease key '{Printable(leaseKey)}' is not valid: it contains a control character.", parameter);
            }
        }
    }

    /// <summary>Throws when any field of <paramref name="lease"/> is not valid.</summary>
    public static void Validate(Lease lease, string parameter)
    {
        ArgumentNullException.ThrowIfNull(lease, parameter);
        ValidateKey(lease.LeaseKey, parameter);
        string key = lease.LeaseKey;
        NotEmpty(lease.LeaseOwner, nameof(Lease.LeaseOwner), key, parameter);
        NotEmpty(lease.CheckpointOwner, nameof(Lease.CheckpointOwner), key, parameter);
        NotNegative(lease.LeaseCounter, nameof(Lease.LeaseCounter), key, parameter);
        NotNegative(lease.CheckpointSubSequenceNumber, nameof(Lease.CheckpointSubSequenceNumber), key, parameter);
        NotNegative(lease.PendingCheckpointSubSequenceNumber ?? 0, nameof(Lease.PendingCheckpointSubSequenceNumber), key, parameter);
        NotNegative(lease.OwnerSwitchesSinceCheckpoint, nameof(Lease.OwnerSwitchesSinceCheckpoint), key, parameter);
        CheckpointText(lease.Checkpoint, nameof(Lease.Checkpoint), key, parameter);
        CheckpointText(lease.PendingCheckpoint, nameof(Lease.PendingCheckpoint), key, parameter);
        if (lease.PendingCheckpoint is null && (lease.PendingCheckpointSubSequenceNumber is not null || lease.PendingCheckpointState is not null))
        {
            throw new ArgumentException(
                $"Lease '{Printable(key)}' is not valid: PendingCheckpointSubSequenceNumber and PendingCheckpointState need a PendingCheckpoint.", parameter);
        }

        ShardIds(lease.ParentShardIds, nameof(Lease.ParentShardIds), key, parameter);
        ShardIds(lease.ChildShardIds, nameof(Lease.ChildShardIds), key, parameter);
        HashKeys(lease, parameter);
    }

    /// <summary>Throws unless <paramref name="expected"/> and <paramref name="updated"/> are a valid conditional update.</summary>
    public static void ValidateUpdate(Lease expected, Lease updated)
    {
        Validate(expected, nameof(expected));
        Validate(updated, nameof(updated));
        if (!string.Equals(expected.LeaseKey, updated.LeaseKey, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The updated lease's key '{Printable(updated.LeaseKey)}' differs from the expected lease's '{Printable(expected.LeaseKey)}': an update cannot change a lease's key.",
                nameof(updated));
        }

        if (expected.LeaseCounter == long.MaxValue)
        {
            throw new ArgumentException($"Lease '{Printable(expected.LeaseKey)}' has the largest LeaseCounter ({long.MaxValue}); it cannot be incremented.", nameof(expected));
        }
    }

    private static void NotEmpty(string? value, string field, string key, string parameter)
    {
        if (value is { Length: 0 })
        {
            throw new ArgumentException($"Lease '{Printable(key)}' is not valid: {field} is empty; expected a worker id, or null for none.", parameter);
        }
    }

    private static void NotNegative(long value, string field, string key, string parameter)
    {
        if (value < 0)
        {
            throw new ArgumentException($"Lease '{Printable(key)}' is not valid: {field} is {value}; expected 0 or more.", parameter);
        }
    }

    private static void CheckpointText(string? value, string field, string key, string parameter)
    {
        if (value is null or Lease.TrimHorizon or Lease.Latest or Lease.AtTimestamp or Lease.ShardEnd)
        {
            return;
        }

        if (value.Length is 0 or > MaxSequenceNumberDigits || value.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw new ArgumentException(
                $"Lease '{Printable(key)}' is not valid: {field} '{Printable(value)}' is neither a sequence number (1 to {MaxSequenceNumberDigits} decimal digits) nor one of {Lease.TrimHorizon}, {Lease.Latest}, {Lease.AtTimestamp}, {Lease.ShardEnd}.",
                parameter);
        }
    }

    private static void ShardIds(IReadOnlyList<string> ids, string field, string key, string parameter)
    {
        foreach (string id in ids)
        {
            if (string.IsNullOrEmpty(id))
            {
                throw new ArgumentException($"Lease '{Printable(key)}' is not valid: {field} contains a null or empty shard id.", parameter);
            }
        }
    }

    private static void HashKeys(Lease lease, string parameter)
    {
        if (lease.StartingHashKey is null && lease.EndingHashKey is null)
        {
            return;
        }

        string key = Printable(lease.LeaseKey);
        if (lease.StartingHashKey is null || lease.EndingHashKey is null)
        {
            throw new ArgumentException($"Lease '{key}' is not valid: StartingHashKey and EndingHashKey must both be set or both be null.", parameter);
        }

        if (!UInt128.TryParse(lease.StartingHashKey, NumberStyles.None, CultureInfo.InvariantCulture, out UInt128 start)
            || !UInt128.TryParse(lease.EndingHashKey, NumberStyles.None, CultureInfo.InvariantCulture, out UInt128 end))
        {
            throw new ArgumentException(
                $"Lease '{key}' is not valid: hash keys '{Printable(lease.StartingHashKey)}'..'{Printable(lease.EndingHashKey)}' are not decimal values from 0 to 2^128 - 1.", parameter);
        }

        if (start > end)
        {
            throw new ArgumentException($"Lease '{key}' is not valid: StartingHashKey {start} is above EndingHashKey {end}.", parameter);
        }
    }

    // A Kinesis sequence number is a decimal of up to 128 bits (39 digits); the KCL keeps whatever digits it is given.
    private const int MaxSequenceNumberDigits = 128;

    private static string Printable(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "...");
}
