using System.Runtime.CompilerServices;

namespace StreamCore.Buckets;

/// <summary>A <see cref="BucketStore"/> in memory, for tests: objects live as long as the store.</summary>
public sealed class InMemoryBucketStore : BucketStore
{
    private readonly Dictionary<string, SortedDictionary<string, (byte[] Content, DateTimeOffset LastModified)>> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    /// <summary>Creates an empty store.</summary>
    /// <param name="timeProvider">Stamps each object's last-modified time; default <see cref="TimeProvider.System"/>.</param>
    public InMemoryBucketStore(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc/>
    protected override ValueTask PutObjectCoreAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] copy = content.ToArray();
        DateTimeOffset now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!_buckets.TryGetValue(bucket, out var objects))
            {
                _buckets[bucket] = objects = new SortedDictionary<string, (byte[], DateTimeOffset)>(StringComparer.Ordinal);
            }

            objects[key] = (copy, now);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    protected override ValueTask<byte[]?> GetObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_buckets.TryGetValue(bucket, out var objects) && objects.TryGetValue(key, out var o) ? (byte[]?)o.Content.ToArray() : null);
        }
    }

    /// <inheritdoc/>
    protected override ValueTask<bool> DeleteObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_buckets.TryGetValue(bucket, out var objects) && objects.Remove(key));
        }
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<BucketObject> ListObjectsCoreAsync(string bucket, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BucketObject[] snapshot;
        lock (_lock)
        {
            snapshot = _buckets.TryGetValue(bucket, out var objects)
                ? [.. objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(o => new BucketObject(o.Key, o.Value.Content.Length, o.Value.LastModified))]
                : [];
        }

        foreach (BucketObject o in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return o;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
