using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using StreamCore.Buckets;

namespace StreamCore.Aws.S3;

/// <summary>
/// A <see cref="BucketStore"/> over S3 or any S3-compatible endpoint (MinIO, s3rver): the server's
/// <c>--s3-endpoint</c>. Buckets need no creation: a write to a bucket that does not exist creates it, then writes.
/// An S3 PUT is atomic, so readers never see half an object.
/// </summary>
public sealed class S3BucketStore : BucketStore, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly bool _ownsClient;

    /// <summary>Writes through <paramref name="s3"/> (not disposed with the store).</summary>
    /// <param name="s3">The S3 client.</param>
    public S3BucketStore(IAmazonS3 s3)
    {
        ArgumentNullException.ThrowIfNull(s3);
        _s3 = s3;
    }

    private S3BucketStore(IAmazonS3 s3, bool ownsClient)
        : this(s3) => _ownsClient = ownsClient;

    /// <summary>
    /// A store over the S3-compatible endpoint at <paramref name="serviceUrl"/>, addressed path-style
    /// (<c>URL/BUCKET/KEY</c>, which every S3-compatible server serves). Credentials: the given ones, else
    /// <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, else <c>S3RVER</c>/<c>S3RVER</c> (what local servers accept).
    /// </summary>
    /// <param name="serviceUrl">The endpoint, e.g. <c>http://127.0.0.1:4568</c>.</param>
    /// <param name="region">The signing region. Default <c>us-east-1</c>.</param>
    /// <param name="credentials">The credentials; see above when null.</param>
    /// <returns>The store; disposing it disposes its client.</returns>
    public static S3BucketStore ForEndpoint(Uri serviceUrl, string region = "us-east-1", AWSCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(serviceUrl);
        credentials ??= new BasicAWSCredentials(
            Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is { Length: > 0 } id ? id : "S3RVER",
            Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") is { Length: > 0 } secret ? secret : "S3RVER");
        var config = new AmazonS3Config
        {
            ServiceURL = serviceUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = region,
            // Local S3-compatible servers do not all speak the newer flexible checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        return new S3BucketStore(new AmazonS3Client(credentials, config), ownsClient: true);
    }

    /// <inheritdoc/>
    protected override async ValueTask PutObjectCoreAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            await PutAsync(bucket, key, content, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            try
            {
                await _s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception created) when (created.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
                // Another writer created it first.
            }

            await PutAsync(bucket, key, content, cancellationToken).ConfigureAwait(false);
        }
    }

    // A whole-body signature rather than aws-chunked encoding: S3-compatible servers (s3rver) do not all decode chunks.
    private async Task PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(content.ToArray(), writable: false);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = body, AutoCloseStream = false, UseChunkEncoding = false }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async ValueTask<byte[]?> GetObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            using GetObjectResponse response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            return copy.ToArray();
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "NoSuchKey" or "NoSuchBucket" || ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    protected override async ValueTask<bool> DeleteObjectCoreAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        // S3's DELETE answers the same whether or not the object existed, so ask first.
        try
        {
            await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    protected override async IAsyncEnumerable<BucketObject> ListObjectsCoreAsync(string bucket, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix.Length == 0 ? null : prefix };
        for (;;)
        {
            ListObjectsV2Response page;
            try
            {
                page = await _s3.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
            {
                yield break;
            }

            foreach (S3Object o in page.S3Objects ?? [])
            {
                yield return new BucketObject(o.Key, o.Size ?? 0, o.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
            }

            if (page.IsTruncated != true)
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>Disposes the client when the store created it (<see cref="ForEndpoint"/>).</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _s3.Dispose();
        }
    }
}
