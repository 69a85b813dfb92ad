namespace StreamCore.Consuming;

/// <summary>
/// An <see cref="ILeaseStore"/> in memory: the default lease table of the workers of one process (share one instance
/// between them). Thread-safe; every operation is atomic. Leases live as long as the store.
/// </summary>
public sealed class InMemoryLeaseStore : ILeaseStore
{
    // Stored leases own their PendingCheckpointState (copied in and out); their shard id sets are immutable already.
    private readonly SortedDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <inheritdoc/>
    public ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<Lease>> ListLeasesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<Lease>>([.. _leases.Values.Select(l => l.WithOwnState())]);
        }
    }

    /// <inheritdoc/>
    public ValueTask<Lease?> GetLeaseAsync(string leaseKey, CancellationToken cancellationToken)
    {
        LeaseValidation.ValidateKey(leaseKey, nameof(leaseKey));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_leases.TryGetValue(leaseKey, out Lease? lease) ? lease.WithOwnState() : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> CreateLeaseIfNotExistsAsync(Lease lease, CancellationToken cancellationToken)
    {
        LeaseValidation.Validate(lease, nameof(lease));
        cancellationToken.ThrowIfCancellationRequested();
        Lease own = lease.WithOwnState();
        lock (_lock)
        {
            return ValueTask.FromResult(_leases.TryAdd(own.LeaseKey, own));
        }
    }

    /// <inheritdoc/>
    public ValueTask<Lease?> TryUpdateLeaseAsync(Lease expected, Lease updated, CancellationToken cancellationToken)
    {
        LeaseValidation.ValidateUpdate(expected, updated);
        cancellationToken.ThrowIfCancellationRequested();
        Lease own = updated.WithOwnState() with { LeaseCounter = expected.LeaseCounter + 1 };
        lock (_lock)
        {
            if (!_leases.TryGetValue(expected.LeaseKey, out Lease? current) || current.LeaseCounter != expected.LeaseCounter)
            {
                return ValueTask.FromResult<Lease?>(null);
            }

            _leases[own.LeaseKey] = own;
        }

        return ValueTask.FromResult<Lease?>(own.WithOwnState());
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteLeaseAsync(Lease expected, CancellationToken cancellationToken)
    {
        LeaseValidation.Validate(expected, nameof(expected));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(
                _leases.TryGetValue(expected.LeaseKey, out Lease? current)
                && current.LeaseCounter == expected.LeaseCounter
                && _leases.Remove(expected.LeaseKey));
        }
    }
}
