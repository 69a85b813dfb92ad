using StreamCore.Buckets;

namespace StreamCore.Delivery;

/// <summary>Options of a <see cref="Firehose"/>.</summary>
public sealed class FirehoseOptions
{
    /// <summary>Where S3 destinations write objects. Default: a new <see cref="InMemoryBucketStore"/> on the engine's clock.</summary>
    public BucketStore? Buckets { get; set; }

    /// <summary>
    /// Where OpenSearch / Elasticsearch destinations index documents. Default: new in-memory <see cref="Delivery.SearchDomains"/>;
    /// read what was delivered through <see cref="Firehose.SearchDomains"/>.
    /// </summary>
    public SearchDomains? SearchDomains { get; set; }

    /// <summary>Tests: the index the search destinations call instead of <see cref="SearchDomains"/> (a wrapper that injects faults).</summary>
    internal Search.ISearchIndex? SearchIndex { get; set; }

    /// <summary>
    /// The source of the random parts of object keys (the uuid, <c>!{firehose:random-string}</c>) and record ids. Default:
    /// an unseeded <see cref="System.Random"/>; give a seeded one for repeatable keys in tests. Used under a lock.
    /// </summary>
    public Random? Random { get; set; }

    /// <summary>
    /// How long CREATING, DELETING, ENABLING and DISABLING last. Default: the engine's
    /// <see cref="StreamEngineOptions.StatusTransitionDelay"/>.
    /// </summary>
    public TimeSpan? StatusDelay { get; set; }

    /// <summary>How long a failing S3 write is retried (on the engine's clock) before its records are given up. Default 24 hours, as Firehose.</summary>
    public TimeSpan S3RetryDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Whether a KinesisStreamAsSource delivery stream starts reading its source at LATEST instead of TRIM_HORIZON.
    /// Default <see langword="false"/>: from the start of the stream, so every record already in it is delivered.
    /// </summary>
    public bool ReadSourceFromLatest { get; set; }

    /// <summary>The most delivery streams the account may have. Default 5,000 (Firehose's quota).</summary>
    public int DeliveryStreamLimit { get; set; } = 5000;
}
