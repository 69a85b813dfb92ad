namespace StreamCore.Consuming;

/// <summary>
/// A KCL-style lease table: the leases of one application (one per shard), shared by every worker of that application,
/// with writes conditional on each lease's <see cref="Lease.LeaseCounter"/> (optimistic locking). Taking, renewing,
/// stealing and expiring leases are the worker's logic on top of these few operations.
/// Implementations: <see cref="InMemoryLeaseStore"/> (the workers of one process), <see cref="FileSystemLeaseStore"/>
/// (the processes of one machine) and the DynamoDB store of <c>StreamCore.Aws</c> (the KCL's own table schema).
/// </summary>
/// <remarks>
/// <para>
/// Every implementation is safe for concurrent use, by any number of store instances over the same table: of several
/// conditional writes that expect the same counter, exactly one succeeds. A read returns a whole lease as some write
/// left it, never a mix of two. Every lease is checked before anything is written (see <see cref="Lease"/>'s remarks);
/// bad input throws <see cref="ArgumentException"/> naming the parameter and changes nothing.
/// </para>
/// <para>
/// Call <see cref="InitializeAsync"/> once before the other operations; a store that needs its table or folder may
/// fail them otherwise.
/// </para>
/// </remarks>
public interface ILeaseStore
{
    /// <summary>Creates the lease table (or folder) when it does not exist, and waits until it can be used. Idempotent.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the table can be used.</returns>
    ValueTask InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Reads every lease of the table.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The leases, in ordinal order of their keys; empty for an empty table.</returns>
    ValueTask<IReadOnlyList<Lease>> ListLeasesAsync(CancellationToken cancellationToken);

    /// <summary>Reads one lease.</summary>
    /// <param name="leaseKey">The lease's key (its shard id).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The lease, or <see langword="null"/> when the table has none of that key.</returns>
    /// <exception cref="ArgumentException"><paramref name="leaseKey"/> is not a valid lease key.</exception>
    ValueTask<Lease?> GetLeaseAsync(string leaseKey, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="lease"/> as it is (its counter included) when the table has no lease of its key.</summary>
    /// <param name="lease">The new lease.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>
    /// <see langword="true"/> when this call created the lease; <see langword="false"/> when a lease of that key already
    /// existed (it is left as it was).
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="lease"/> is not valid.</exception>
    ValueTask<bool> CreateLeaseIfNotExistsAsync(Lease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a lease when the stored lease's <see cref="Lease.LeaseCounter"/> still equals
    /// <paramref name="expected"/>'s: stores <paramref name="updated"/> with its counter set to
    /// <paramref name="expected"/>'s plus one (<paramref name="updated"/>'s own counter is ignored).
    /// </summary>
    /// <param name="expected">The lease as this worker last saw it; only its key and counter are compared.</param>
    /// <param name="updated">The lease to store, of the same key.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>
    /// What was stored; <see langword="null"/> when the condition failed (another write moved the counter, or the
    /// lease is gone), in which case nothing changed and the caller has lost the lease.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// A lease is not valid, the keys differ, or <paramref name="expected"/>'s counter is <see cref="long.MaxValue"/>.
    /// </exception>
    ValueTask<Lease?> TryUpdateLeaseAsync(Lease expected, Lease updated, CancellationToken cancellationToken);

    /// <summary>Deletes a lease when the stored lease's <see cref="Lease.LeaseCounter"/> still equals <paramref name="expected"/>'s.</summary>
    /// <param name="expected">The lease as this worker last saw it; only its key and counter are compared.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>
    /// <see langword="true"/> when this call deleted the lease; <see langword="false"/> when the counter had moved (the
    /// lease is left as it was) or there was no such lease.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="expected"/> is not valid.</exception>
    ValueTask<bool> DeleteLeaseAsync(Lease expected, CancellationToken cancellationToken);
}
