using StreamCore.Buckets;

namespace StreamCore.Server;

/// <summary>Options of a <see cref="KinesisEndpoint"/>.</summary>
public sealed class KinesisEndpointOptions
{
    /// <summary>Where to listen. Default <c>http://127.0.0.1:0</c>: a free loopback port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";

    /// <summary>
    /// Creates the engine of another account. A request signed with a 12-digit access key id is served by that
    /// account's engine (as emulators do); engines are created on first use and kept. When null, every request is
    /// served by the endpoint's engine.
    /// </summary>
    public Func<string, StreamEngine>? CreateAccountEngine { get; set; }

    /// <summary>
    /// When set, requests must carry a valid AWS Signature Version 4 made with one of these credentials (access key id
    /// to secret access key); others are refused with AWS's errors. When null (the default), any signature is accepted.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Credentials { get; set; }

    /// <summary>
    /// Where the services of the endpoint write S3 objects (Firehose deliveries, Lambda on-failure records). Default: an
    /// <see cref="InMemoryBucketStore"/>; the standalone server passes files under <c>--data-dir</c> or <c>--s3-endpoint</c>.
    /// </summary>
    public BucketStore Buckets { get; set; } = new InMemoryBucketStore();

    /// <summary>
    /// How many requests are served at once. A request beyond it is answered at once, without reading its body, with
    /// the service's throttling error and HTTP 503, so an overloaded endpoint keeps answering with bounded memory.
    /// Default 1,024.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 1024;
}
