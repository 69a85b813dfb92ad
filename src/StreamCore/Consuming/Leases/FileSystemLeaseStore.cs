using System.Security.Cryptography;
using System.Text;

namespace StreamCore.Consuming;

/// <summary>
/// An <see cref="ILeaseStore"/> on the file system, so the worker processes of one machine share a stream's leases:
/// every process opens a store over the same folder (one folder per application, like one DynamoDB table).
/// </summary>
/// <remarks>
/// <para>
/// Each lease is one JSON file, <c>FOLDER/NAME.lease</c>, with the KCL's attribute names (<c>leaseKey</c>,
/// <c>leaseCounter</c>, <c>checkpoint</c>...). NAME is the lease key with characters other than letters, digits,
/// <c>_</c> and <c>-</c> replaced, followed by a hash of the key (so keys differing in case or in replaced characters
/// never share a file, on any file system).
/// </para>
/// <para>
/// Writes hold an exclusive lock on <c>FOLDER/.lock</c> (an OS file lock, which the operating system releases when the
/// process holding it dies, so a killed worker never blocks the others) while they read the lease, check its counter
/// and replace it: the new version is written to <c>FOLDER/.tmp</c>, flushed to disk and renamed over the old one.
/// A reader therefore needs no lock and sees a whole version, never half of one. Lock waits run on real time (they
/// are waits on other processes), never on an application's clock: a write that cannot lock the folder within
/// <see cref="LockTimeout"/> throws <see cref="TimeoutException"/>.
/// </para>
/// </remarks>
public sealed class FileSystemLeaseStore : ILeaseStore, IDisposable
{
    private const string Extension = ".lease";
    private const string LockFile = ".lock";
    private const string TemporaryDirectory = ".tmp";

    // The writers of this instance queue here rather than spin on the OS lock.
    private readonly SemaphoreSlim _writers = new(1, 1);

    /// <summary>Creates a store over <paramref name="directory"/> (created by <see cref="InitializeAsync"/>).</summary>
    /// <param name="directory">The folder of the application's leases.</param>
    /// <param name="lockTimeout">How long a write waits for the folder's lock; default 30 seconds.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty, or <paramref name="lockTimeout"/> is not positive.</exception>
    public FileSystemLeaseStore(string directory, TimeSpan? lockTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (lockTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Lock timeout {timeout} is not valid: expected a positive time.", nameof(lockTimeout));
        }

        Directory = Path.GetFullPath(directory);
        LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>The folder of the application's leases.</summary>
    public string Directory { get; }

    /// <summary>How long a write waits for the folder's lock before it throws <see cref="TimeoutException"/>.</summary>
    public TimeSpan LockTimeout { get; }

    /// <summary>The file that holds the lease <paramref name="leaseKey"/> (whether or not it exists).</summary>
    /// <param name="leaseKey">A valid lease key.</param>
    /// <returns>The file's full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="leaseKey"/> is not a valid lease key.</exception>
    public string PathOf(string leaseKey)
    {
        LeaseValidation.ValidateKey(leaseKey, nameof(leaseKey));
        var name = new StringBuilder(leaseKey.Length + 40);
        foreach (char c in leaseKey.Length <= 100 ? leaseKey : leaseKey[..100])
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(leaseKey), hash);
        name.Append('.').Append(Convert.ToHexStringLower(hash[..16])).Append(Extension);
        return Path.Combine(Directory, name.ToString());
    }

    /// <inheritdoc/>
    public async ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, TemporaryDirectory));
        // Temporary files are written only under the lock: any found while holding it were left by a killed writer.
        await WithLockAsync(() =>
        {
            foreach (string orphan in System.IO.Directory.EnumerateFiles(Path.Combine(Directory, TemporaryDirectory)))
            {
                File.Delete(orphan);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<Lease>> ListLeasesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RequireDirectory();
        var leases = new List<Lease>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await ReadAsync(path, cancellationToken).ConfigureAwait(false) is { } lease)
            {
                leases.Add(lease);
            }
        }

        leases.Sort((a, b) => string.CompareOrdinal(a.LeaseKey, b.LeaseKey));
        return leases;
    }

    /// <inheritdoc/>
    public async ValueTask<Lease?> GetLeaseAsync(string leaseKey, CancellationToken cancellationToken)
    {
        string path = PathOf(leaseKey);
        cancellationToken.ThrowIfCancellationRequested();
        RequireDirectory();
        return await ReadAsync(path, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<bool> CreateLeaseIfNotExistsAsync(Lease lease, CancellationToken cancellationToken)
    {
        LeaseValidation.Validate(lease, nameof(lease));
        string path = PathOf(lease.LeaseKey);
        byte[] content = LeaseJson.Write(lease);
        return await WithLockAsync(() =>
        {
            if (File.Exists(path))
            {
                return false;
            }

            Replace(path, content);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<Lease?> TryUpdateLeaseAsync(Lease expected, Lease updated, CancellationToken cancellationToken)
    {
        LeaseValidation.ValidateUpdate(expected, updated);
        string path = PathOf(expected.LeaseKey);
        Lease stored = updated.WithOwnState() with { LeaseCounter = expected.LeaseCounter + 1 };
        byte[] content = LeaseJson.Write(stored);
        bool replaced = await WithLockAsync(() =>
        {
            if (ReadLocked(path) is not { } current || current.LeaseCounter != expected.LeaseCounter)
            {
                return false;
            }

            Replace(path, content);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return replaced ? stored.WithOwnState() : null;
    }

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteLeaseAsync(Lease expected, CancellationToken cancellationToken)
    {
        LeaseValidation.Validate(expected, nameof(expected));
        string path = PathOf(expected.LeaseKey);
        return await WithLockAsync(() =>
        {
            if (ReadLocked(path) is not { } current || current.LeaseCounter != expected.LeaseCounter)
            {
                return false;
            }

            File.Delete(path);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the store's in-process queue of writers (the files stay).</summary>
    public void Dispose() => _writers.Dispose();

    private void RequireDirectory()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new InvalidOperationException($"The lease folder '{Directory}' does not exist; call InitializeAsync first.");
        }
    }

    private void Replace(string path, byte[] content)
    {
        string temporary = Path.Combine(Directory, TemporaryDirectory, $"{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static Lease? ReadLocked(string path)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return LeaseJson.Read(content, path);
    }

    private static async ValueTask<Lease?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            // Share delete: a writer may rename a new version over this one while it is read (this read sees the old).
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                content = new byte[file.Length];
                await file.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return LeaseJson.Read(content, path);
    }

    private async ValueTask<T> WithLockAsync<T>(Func<T> action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RequireDirectory();
        await _writers.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using FileStream held = await LockAsync(cancellationToken).ConfigureAwait(false);
            return action();
        }
        finally
        {
            _writers.Release();
        }
    }

    private async ValueTask<FileStream> LockAsync(CancellationToken cancellationToken)
    {
        string path = Path.Combine(Directory, LockFile);
        long started = TimeProvider.System.GetTimestamp();
        TimeSpan backoff = TimeSpan.FromMilliseconds(1);
        for (;;)
        {
            try
            {
                // FileShare.None is an exclusive OS lock (flock on Unix, a share mode on Windows), held until disposed
                // or until the process dies.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Held by another process (or another store instance of this one).
            }

            if (TimeProvider.System.GetElapsedTime(started) >= LockTimeout)
            {
                throw new TimeoutException($"Could not lock the lease folder '{Directory}' within {LockTimeout.TotalSeconds:0.###} s: another process holds '{path}'.");
            }

            await Task.Delay(backoff, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMilliseconds(20).Ticks));
        }
    }
}
