namespace StreamCore.Delivery;

/// <summary>An OpenSearch (Amazonopensearchservice) or Elasticsearch destination with its defaults materialised.</summary>
internal sealed record SearchSettings
{
    public required bool OpenSearch { get; init; }

    public required string RoleARN { get; init; }

    public string? DomainARN { get; init; }

    public string? ClusterEndpoint { get; init; }

    public required string IndexName { get; init; }

    public string? TypeName { get; init; }

    public string IndexRotationPeriod { get; init; } = "OneDay";

    public int IntervalInSeconds { get; init; } = 300;

    public int SizeInMBs { get; init; } = 5;

    public int RetryDurationInSeconds { get; init; } = 300;

    public string S3BackupMode { get; init; } = "FailedDocumentsOnly";

    public string DocumentIdFormat { get; init; } = "FIREHOSE_DEFAULT";

    public ProcessingConfiguration? Processing { get; init; }

    public CloudWatchLoggingOptions? Logging { get; init; }

    /// <summary>The enabled Lambda processor of the destination's ProcessingConfiguration, if any (the transformation in front of the index).</summary>
    public ProcessorSettings? Lambda => Processing is { Enabled: not false, Processors: { Count: > 0 } processors }
        && processors.FirstOrDefault(p => p.Type?.Value == "Lambda") is { } lambda
        ? new ProcessorSettings("Lambda", [.. (lambda.Parameters ?? []).Select(q => new KeyValuePair<string, string>(q.ParameterName!.Value, q.ParameterValue!))])
        : null;

    /// <summary>The error-output-type of documents that could not be indexed.</summary>
    public string ErrorOutputType => OpenSearch ? "AmazonOpenSearchService-failed" : "elasticsearch-failed";

    /// <summary>The domain's name (the last part of DomainARN), or the cluster endpoint's host.</summary>
    public string Domain => DomainARN is { } arn ? arn[(arn.LastIndexOf('/') + 1)..] : new Uri(ClusterEndpoint!).Host;

    public ElasticsearchDestinationDescription ToDescription(S3Settings s3) => new()
    {
        RoleARN = RoleARN,
        DomainARN = DomainARN,
        ClusterEndpoint = ClusterEndpoint,
        IndexName = IndexName,
        TypeName = TypeName,
        IndexRotationPeriod = new ElasticsearchIndexRotationPeriod(IndexRotationPeriod),
        BufferingHints = new ElasticsearchBufferingHints { IntervalInSeconds = IntervalInSeconds, SizeInMBs = SizeInMBs },
        RetryOptions = new ElasticsearchRetryOptions { DurationInSeconds = RetryDurationInSeconds },
        S3BackupMode = new ElasticsearchS3BackupMode(S3BackupMode),
        S3DestinationDescription = s3.ToS3Description(),
        ProcessingConfiguration = Processing ?? new ProcessingConfiguration { Enabled = false, Processors = [] },
        CloudWatchLoggingOptions = Logging ?? new CloudWatchLoggingOptions { Enabled = false },
        DocumentIdOptions = new DocumentIdOptions { DefaultDocumentIdFormat = new DefaultDocumentIdFormat(DocumentIdFormat) },
    };
}
