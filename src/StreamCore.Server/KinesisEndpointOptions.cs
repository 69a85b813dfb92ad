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
    /// Where Firehose's OpenSearch / Elasticsearch destinations index documents (every account's Firehose shares it).
    /// Default: in memory; the standalone server also writes them to <c>DATA_DIR/opensearch/DOMAIN/INDEX/*.jsonl</c>.
    /// </summary>
    public Delivery.SearchDomains SearchDomains { get; set; } = new();

    /// <summary>
    /// How many requests are served at once. A request beyond it is answered at once, without reading its body, with
    /// the service's throttling error and HTTP 503, so an overloaded endpoint keeps answering with bounded memory.
    /// Default 1,024.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 1024;

    /// <summary>
    /// Functions invoked over HTTP (the standalone server's <c>--function NAME=URL</c>): each is registered in the
    /// function registry of every account the endpoint serves, and invoked by <c>POST URL</c> with the event JSON (a
    /// 2xx answer is a success and its body the result; a non-2xx answer, an <c>X-Amz-Function-Error</c> header, a
    /// connection failure or a timeout is a function error). Default: none.
    /// </summary>
    public IReadOnlyDictionary<string, Uri> Functions { get; set; } = new Dictionary<string, Uri>();

    /// <summary>How long an invocation of one of <see cref="Functions"/> may take before it is a function error; default 60 seconds, at most 15 minutes.</summary>
    public TimeSpan FunctionTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
