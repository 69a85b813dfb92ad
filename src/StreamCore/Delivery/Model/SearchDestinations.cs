namespace StreamCore.Delivery;

/// <summary>When an OpenSearch/Elasticsearch destination delivers.</summary>
public sealed class ElasticsearchBufferingHints
{
    /// <summary>0-900 seconds; default 300.</summary>
    public int? IntervalInSeconds { get; set; }

    /// <summary>1-100 MiB; default 5.</summary>
    public int? SizeInMBs { get; set; }
}

/// <summary>How long failed index requests are retried.</summary>
public sealed class ElasticsearchRetryOptions
{
    /// <summary>0-7200 seconds; default 300.</summary>
    public int? DurationInSeconds { get; set; }
}

/// <summary>How documents are identified.</summary>
public sealed class DocumentIdOptions
{
    /// <summary>FIREHOSE_DEFAULT (Firehose's id) or NO_DOCUMENT_ID (the index chooses).</summary>
    public DefaultDocumentIdFormat? DefaultDocumentIdFormat { get; set; }
}

/// <summary>An Elasticsearch (or, as Amazonopensearchservice..., OpenSearch) destination.</summary>
public sealed class ElasticsearchDestinationConfiguration
{
    /// <summary>The role Firehose assumes.</summary>
    public string? RoleARN { get; set; }

    /// <summary>The domain, <c>arn:aws:es:REGION:ACCOUNT:domain/NAME</c> (or give ClusterEndpoint).</summary>
    public string? DomainARN { get; set; }

    /// <summary>An https endpoint (or give DomainARN).</summary>
    public string? ClusterEndpoint { get; set; }

    /// <summary>The index, 1-80 characters.</summary>
    public string? IndexName { get; set; }

    /// <summary>The document type, 0-100 characters.</summary>
    public string? TypeName { get; set; }

    /// <summary>How often a new index starts; default OneDay.</summary>
    public ElasticsearchIndexRotationPeriod? IndexRotationPeriod { get; set; }

    /// <summary>When to deliver.</summary>
    public ElasticsearchBufferingHints? BufferingHints { get; set; }

    /// <summary>How long failed documents are retried.</summary>
    public ElasticsearchRetryOptions? RetryOptions { get; set; }

    /// <summary>FailedDocumentsOnly (default) or AllDocuments.</summary>
    public ElasticsearchS3BackupMode? S3BackupMode { get; set; }

    /// <summary>Where failed (or all) documents go.</summary>
    public S3DestinationConfiguration? S3Configuration { get; set; }

    /// <summary>Record processors.</summary>
    public ProcessingConfiguration? ProcessingConfiguration { get; set; }

    /// <summary>Error logging.</summary>
    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; set; }

    /// <summary>How documents are identified.</summary>
    public DocumentIdOptions? DocumentIdOptions { get; set; }
}

/// <summary>An Elasticsearch/OpenSearch destination as DescribeDeliveryStream returns it.</summary>
public sealed class ElasticsearchDestinationDescription
{
    /// <summary>The role Firehose assumes.</summary>
    public string? RoleARN { get; set; }

    /// <summary>The domain.</summary>
    public string? DomainARN { get; set; }

    /// <summary>The endpoint.</summary>
    public string? ClusterEndpoint { get; set; }

    /// <summary>The index.</summary>
    public string? IndexName { get; set; }

    /// <summary>The document type.</summary>
    public string? TypeName { get; set; }

    /// <summary>How often a new index starts.</summary>
    public ElasticsearchIndexRotationPeriod? IndexRotationPeriod { get; set; }

    /// <summary>When to deliver.</summary>
    public ElasticsearchBufferingHints? BufferingHints { get; set; }

    /// <summary>How long failed documents are retried.</summary>
    public ElasticsearchRetryOptions? RetryOptions { get; set; }

    /// <summary>Which documents also go to S3.</summary>
    public ElasticsearchS3BackupMode? S3BackupMode { get; set; }

    /// <summary>The S3 destination.</summary>
    public S3DestinationDescription? S3DestinationDescription { get; set; }

    /// <summary>Record processors.</summary>
    public ProcessingConfiguration? ProcessingConfiguration { get; set; }

    /// <summary>Error logging.</summary>
    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; set; }

    /// <summary>How documents are identified.</summary>
    public DocumentIdOptions? DocumentIdOptions { get; set; }
}

/// <summary>Changes to an Elasticsearch/OpenSearch destination; members left out keep their values.</summary>
public sealed class ElasticsearchDestinationUpdate
{
    /// <summary>The role Firehose assumes.</summary>
    public string? RoleARN { get; set; }

    /// <summary>The domain.</summary>
    public string? DomainARN { get; set; }

    /// <summary>The endpoint.</summary>
    public string? ClusterEndpoint { get; set; }

    /// <summary>The index.</summary>
    public string? IndexName { get; set; }

    /// <summary>The document type.</summary>
    public string? TypeName { get; set; }

    /// <summary>How often a new index starts.</summary>
    public ElasticsearchIndexRotationPeriod? IndexRotationPeriod { get; set; }

    /// <summary>When to deliver.</summary>
    public ElasticsearchBufferingHints? BufferingHints { get; set; }

    /// <summary>How long failed documents are retried.</summary>
    public ElasticsearchRetryOptions? RetryOptions { get; set; }

    /// <summary>Changes to the S3 destination.</summary>
    public S3DestinationUpdate? S3Update { get; set; }

    /// <summary>Record processors.</summary>
    public ProcessingConfiguration? ProcessingConfiguration { get; set; }

    /// <summary>Error logging.</summary>
    public CloudWatchLoggingOptions? CloudWatchLoggingOptions { get; set; }

    /// <summary>How documents are identified.</summary>
    public DocumentIdOptions? DocumentIdOptions { get; set; }
}
