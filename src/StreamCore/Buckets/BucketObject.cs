namespace StreamCore.Buckets;

/// <summary>An object of a <see cref="BucketStore"/>, as a listing describes it.</summary>
/// <param name="Key">The object key.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record BucketObject(string Key, long Size, DateTimeOffset LastModified);
