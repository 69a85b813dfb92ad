using System.Runtime.CompilerServices;
using System.Text;

namespace StreamCore.Buckets;

/// <summary>
/// Where S3 objects go (Firehose deliveries, Lambda on-failure records): buckets of objects named by keys, as S3 has
/// them. Buckets need no creation. Implementations: <see cref="FileSystemBucketStore"/> (the server's default, one file
/// per object under <c>DATA_DIR/s3/BUCKET/KEY</c>), <see cref="InMemoryBucketStore"/> (tests), and the S3 connector of
/// <c>StreamCore.Aws</c> (any S3-compatible endpoint). Every object appears atomically: a reader sees all of it or none.
/// </summary>
/// <remarks>
/// This base class checks every bucket name and key once, for every implementation, before anything changes: a bucket
/// name is 1 to 255 characters of letters, digits, <c>_</c>, <c>.</c> and <c>-</c> (the pattern of an S3 bucket ARN),
/// not starting with a dot; a key is 1 to 1,024 UTF-8 bytes, made of <c>/</c>-separated segments none of which is
/// empty, <c>.</c> or <c>..</c>, with no control characters (so each key is also a safe relative file path).
/// </remarks>
public abstract class BucketStore
{
    /// <summary>The longest key, in UTF-8 bytes (S3's limit).</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Writes <paramref name="content"/> as the object <paramref name="key"/> of <paramref name="bucket"/>, replacing any object of that key.</summary>
    /// <param name="bucket">The bucket name (not its ARN).</param>
    /// <param name="key">The object key.</param>
    /// <param name="content">The object's bytes.</param>
    /// <param name="cancellationToken">Cancels the write; a cancelled write leaves no object behind.</param>
    /// <returns>A task that completes when the object is visible.</returns>
    /// <exception cref="ArgumentException">The bucket name or key is not valid (nothing is written).</exception>
    public ValueTask PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        Validate(bucket, key);
        return PutObjectCoreAsync(bucket, key, content, cancellationToken);
    }

    /// <summary>Reads the object <paramref name="key"/> of <paramref name="bucket"/>.</summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The object's bytes, or <see langword="null"/> when there is no such object.</returns>
    /// <exception cref="ArgumentException">The bucket name or key is not valid.</exception>
    public ValueTask<byte[]?> GetObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        Validate(bucket, key);
        return GetObjectCoreAsync(bucket, key, cancellationToken);
    }

    /// <summary>Deletes the object <paramref name="key"/> of <paramref name="bucket"/>.</summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns><see langword="true"/> when an object was deleted, <see langword="false"/> when there was none.</returns>
    /// <exception cref="ArgumentException">The bucket name or key is not valid.</exception>
    public ValueTask<bool> DeleteObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        Validate(bucket, key);
        return DeleteObjectCoreAsync(bucket, key, cancellationToken);
    }

    /// <summary>Lists the objects of <paramref name="bucket"/> whose keys start with <paramref name="prefix"/>, in key order (ordinal, as S3 lists UTF-8 keys).</summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="prefix">Only keys starting with this; empty or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The objects; none for a bucket that has never been written.</returns>
    /// <exception cref="ArgumentException">The bucket name is not valid.</exception>
    public IAsyncEnumerable<BucketObject> ListObjectsAsync(string bucket, string? prefix = null, CancellationToken cancellationToken = default)
    {
        ValidateBucket(bucket);
        return ListObjectsCoreAsync(bucket, prefix ?? string.Empty, cancellationToken);
    }

    /// <summary>Writes an object whose bucket and key are already validated.</summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="key">The object key.</param>
    /// <param name="content">The object's bytes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the object is visible.</returns>
    protected abstract ValueTask PutObjectCoreAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Reads an object whose bucket and key are already validated.</summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes, or <see langword="null"/> when absent.</returns>
    protected abstract ValueTask<byte[]?> GetObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>Deletes an object whose bucket and key are already validated.</summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="key">The object key.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns>Whether an object was deleted.</returns>
    protected abstract ValueTask<bool> DeleteObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>Lists a validated bucket's objects under <paramref name="prefix"/>, in ordinal key order.</summary>
    /// <param name="bucket">The bucket name.</param>
    /// <param name="prefix">The key prefix (possibly empty).</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The objects.</returns>
    protected abstract IAsyncEnumerable<BucketObject> ListObjectsCoreAsync(string bucket, string prefix, CancellationToken cancellationToken);

    /// <summary>The bucket name of an S3 bucket ARN (<c>arn:aws:s3:::BUCKET</c>), as destinations name buckets.</summary>
    /// <param name="bucketArn">The ARN.</param>
    /// <returns>The bucket name.</returns>
    /// <exception cref="ArgumentException">The ARN is not an S3 bucket ARN.</exception>
    public static string BucketNameFromArn(string bucketArn)
    {
        ArgumentNullException.ThrowIfNull(bucketArn);
        int marker = bucketArn.IndexOf(":s3:::", StringComparison.Ordinal);
        if (!bucketArn.StartsWith("arn:", StringComparison.Ordinal) || marker < 0)
        {
            throw new ArgumentException($"'{bucketArn}' is not an S3 bucket ARN; expected arn:aws:s3:::BUCKET.", nameof(bucketArn));
        }

        string bucket = bucketArn[(marker + 6)..];
        ValidateBucket(bucket);
        return bucket;
    }

    private static void Validate(string bucket, string key)
    {
        ValidateBucket(bucket);
        ValidateKey(key);
    }

    private static void ValidateBucket(string bucket, [CallerArgumentExpression(nameof(bucket))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(bucket, name);
        if (bucket.Length is 0 or > 255 || bucket[0] == '.' || bucket.AsSpan().ContainsAnyExcept(BucketCharacters))
        {
            throw new ArgumentException($"Bucket name '{bucket}' is not valid: expected 1 to 255 letters, digits, '_', '.' or '-', not starting with '.'.", name);
        }
    }

    private static void ValidateKey(string key, [CallerArgumentExpression(nameof(key))] string? name = null)
    {
        ArgumentNullException.ThrowIfNull(key, name);
        int bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes is 0 or > MaxKeyBytes)
        {
            throw new ArgumentException($"Object key of {bytes} UTF-8 bytes is not valid: expected 1 to {MaxKeyBytes}.", name);
        }

        foreach (char c in key)
        {
            if (char.IsControl(c) || c == '\\')
            {
                throw new ArgumentException($"Object key '{key}' is not valid: it contains a control character or a backslash.", name);
            }
        }

        foreach (Range segment in key.AsSpan().Split('/'))
        {
            ReadOnlySpan<char> s = key.AsSpan()[segment];
            if (s.IsEmpty || s is "." || s is "..")
            {
                throw new ArgumentException($"Object key '{key}' is not valid: every '/'-separated segment must be non-empty and not '.' or '..'.", name);
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> BucketCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
}
