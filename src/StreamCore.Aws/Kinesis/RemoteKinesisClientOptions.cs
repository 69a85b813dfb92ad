using Amazon.Runtime;

namespace StreamCore.Aws.Kinesis;

/// <summary>The wire protocol a <see cref="RemoteKinesisClient"/> speaks.</summary>
public enum KinesisWireProtocol
{
    /// <summary>JSON 1.1 (<c>application/x-amz-json-1.1</c>): the AWS CLI's, the JavaScript SDK's and the .NET SDK's.</summary>
    Json,

    /// <summary>CBOR 1.1 (<c>application/x-amz-cbor-1.1</c>): the Java SDK's default; blobs travel as bytes, not base64.</summary>
    Cbor,
}

/// <summary>
/// Where and how a <see cref="RemoteKinesisClient"/> reaches Kinesis: the region or an explicit endpoint, credentials,
/// protocol, timeouts and the standard retry mode's settings. Defaults follow the AWS SDKs.
/// </summary>
public sealed class RemoteKinesisClientOptions
{
    /// <summary>
    /// An explicit endpoint (the StreamCore server, kinesalite, LocalStack, a VPC endpoint). When null, the region's
    /// Amazon Kinesis endpoint (<c>https://kinesis.&lt;region&gt;.&lt;partition suffix&gt;</c>).
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>
    /// The region's system name (for example <c>eu-west-1</c>): it names the endpoint and scopes the signature. When
    /// null, the AWS SDK's region chain (AWS_REGION, AWS_DEFAULT_REGION, the profile, instance metadata); with a
    /// <see cref="ServiceUrl"/> and no region found, <c>us-east-1</c>.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// The credentials to sign with. When null, the AWS SDK's default chain (environment, profile, web identity,
    /// container and instance roles). <see cref="AnonymousAWSCredentials"/> sends unsigned requests.
    /// </summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>The wire protocol; default <see cref="KinesisWireProtocol.Json"/>.</summary>
    public KinesisWireProtocol Protocol { get; set; } = KinesisWireProtocol.Json;

    /// <summary>How long one attempt may take, from sending to the whole response (for SubscribeToShard: to its initial response); default 30 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening a connection may take; default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per call, the first included (the standard retry mode's default, 3); 1 turns retries off.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The base of the jittered exponential backoff: attempt n waits a random time below base x 2^(n-1); default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The cap of one backoff; default 20 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The retry quota's tokens (default 500): a retry costs 5 (10 after a timeout) and a success gives back what its
    /// retries took (or 1); when the quota runs out calls fail without retrying, so an outage is not multiplied.
    /// </summary>
    public int RetryQuota { get; set; } = 500;

    /// <summary>The clock backoff delays wait on.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

#pragma warning disable RS0030 // The default of an injectable option: tests pass a seeded Random.
    /// <summary>The source of backoff jitter (thread-safe: it is called concurrently); default <see cref="Random.Shared"/>.</summary>
    public Random Random { get; set; } = Random.Shared;
#pragma warning restore RS0030

    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (ServiceUrl is { IsAbsoluteUri: false } || ServiceUrl is { Scheme: not ("http" or "https") })
        {
            throw new ArgumentException($"ServiceUrl must be an absolute http or https URL; it was {ServiceUrl}.", nameof(ServiceUrl));
        }

        if (Timeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), "Timeout and ConnectTimeout must be positive.");
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "MaxAttempts must be at least 1 (1 means no retries).");
        }

        if (RetryBaseDelay < TimeSpan.Zero || MaxBackoff < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryBaseDelay), "RetryBaseDelay and MaxBackoff must not be negative.");
        }

        if (RetryQuota < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryQuota), RetryQuota, "RetryQuota must not be negative.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(Random);
    }
}
