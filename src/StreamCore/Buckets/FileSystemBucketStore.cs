using Microsoft.Win32.SafeHandles;
using System.Runtime.CompilerServices;

namespace StreamCore.Buckets;

/// <summary>
/// A <see cref="BucketStore"/> on the file system: the object <c>KEY</c> of bucket <c>BUCKET</c> is the file
/// <c>ROOT/BUCKET/KEY</c>, each <c>/</c> of the key a directory (the server's <c>DATA_DIR/s3</c>). An object is written
/// under a temporary name in <c>ROOT/.tmp</c> (a name no bucket can have) and renamed into place, so a reader, or a
/// listing, never sees half of one.
/// </summary>
/// <remarks>
/// As on any file system, a key cannot be both an object and the directory of longer keys: with an object <c>a</c>,
/// writing <c>a/b</c> fails with an <see cref="IOException"/> (and the reverse).
/// </remarks>
public sealed class FileSystemBucketStore : BucketStore
{
    private const string TemporaryDirectory = ".tmp";

    /// <summary>Creates a store rooted at <paramref name="root"/> (created on the first write).</summary>
    /// <param name="root">The directory that holds one directory per bucket.</param>
    public FileSystemBucketStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The directory that holds one directory per bucket.</summary>
    public string Root { get; }

    /// <summary>The file that holds the object <paramref name="key"/> of <paramref name="bucket"/>.</summary>
    /// <param name="bucket">A valid bucket name.</param>
    /// <param name="key">A valid key.</param>
    /// <returns>The file's full path (whether or not it exists).</returns>
    public string PathOf(string bucket, string key) => Path.Combine(Root, bucket, key.Replace('/', Path.DirectorySeparatorChar));

    /// <inheritdoc/>
    protected override ValueTask PutObjectCoreAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            PutObject(PathOf(bucket, key), content.Span);
            return ValueTask.CompletedTask;
        }
#pragma warning disable CA1031 // Reported through the returned task, as an asynchronous write would report it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException(ex);
        }
    }

    /// <summary>
    /// Writes the object under a temporary name, then renames it into place (a reader never sees half of it). One
    /// positional write, as File.WriteAllBytes does: on Linux an "asynchronous" file write is the same write on another
    /// pool thread, so writing on the caller's saves a thread hop per object.
    /// </summary>
    private void PutObject(string target, ReadOnlySpan<byte> content)
    {
        string temporary = Path.Combine(Root, TemporaryDirectory, $"{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
        try
        {
            using (SafeFileHandle file = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: content.Length))
            {
                RandomAccess.Write(file, content, 0);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask<byte[]?> GetObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(bucket, key), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    protected override ValueTask<bool> DeleteObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string path = PathOf(bucket, key);
        if (!File.Exists(path))
        {
            return ValueTask.FromResult(false);
        }

        File.Delete(path);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<BucketObject> ListObjectsCoreAsync(string bucket, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string bucketRoot = Path.Combine(Root, bucket);
        // Start from the deepest directory the prefix names, so a listing under a date prefix does not walk the bucket.
        int slash = prefix.LastIndexOf('/');
        string start = slash < 0 ? bucketRoot : Path.Combine(bucketRoot, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var found = new List<BucketObject>();
        foreach (FileInfo file in new DirectoryInfo(start).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            string key = Path.GetRelativePath(bucketRoot, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                found.Add(new BucketObject(key, file.Length, file.LastWriteTimeUtc));
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (BucketObject o in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return o;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
