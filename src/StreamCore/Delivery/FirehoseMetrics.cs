using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamCore.Delivery;

/// <summary>
/// Firehose's CloudWatch metrics (namespace AWS/Firehose) as instruments on the engine's meter, each measurement tagged
/// with <c>DeliveryStreamName</c>: IncomingRecords, IncomingBytes, IncomingPutRequests, DeliveryToS3.Records,
/// DeliveryToS3.Bytes, DeliveryToS3.Success (1 or 0 per object attempt), DeliveryToS3.DataFreshness (age of the oldest
/// record delivered), the ExecuteProcessing and partitioning counters, and the OpenSearch delivery metrics.
/// </summary>
internal sealed class FirehoseMetrics
{
    public FirehoseMetrics(Meter meter)
    {
        IncomingRecords = meter.CreateCounter<long>("IncomingRecords", "{record}", "Records put to a delivery stream (or read from its source stream).");
        IncomingBytes = meter.CreateCounter<long>("IncomingBytes", "By", "Bytes put to a delivery stream (or read from its source stream).");
        IncomingPutRequests = meter.CreateCounter<long>("IncomingPutRequests", "{call}", "Successful PutRecord and PutRecordBatch calls.");
        S3Records = meter.CreateCounter<long>("DeliveryToS3.Records", "{record}", "Records delivered to S3.");
        S3Bytes = meter.CreateCounter<long>("DeliveryToS3.Bytes", "By", "Bytes delivered to S3 (before compression).");
        S3Success = meter.CreateHistogram<long>("DeliveryToS3.Success", "1", "1 for each S3 object written, 0 for each failed attempt.");
        S3Freshness = meter.CreateHistogram<long>("DeliveryToS3.DataFreshness", "s", "Age of the oldest record of each delivered object.");
        BackupRecords = meter.CreateCounter<long>("BackupToS3.Records", "{record}", "Source records backed up to S3.");
        ProcessingSuccess = meter.CreateHistogram<long>("ExecuteProcessing.Success", "1", "1 for each successful transformation invocation, 0 for each failed one.");
        ProcessingRecords = meter.CreateCounter<long>("SucceedProcessing.Records", "{record}", "Records transformed successfully (Ok or Dropped).");
        PartitionCount = meter.CreateCounter<long>("PartitionCount", "{partition}", "Partitions delivered (dynamic partitioning).");
        SearchRecords = meter.CreateCounter<long>("DeliveryToAmazonOpenSearchService.Records", "{record}", "Documents indexed.");
        SearchSuccess = meter.CreateHistogram<long>("DeliveryToAmazonOpenSearchService.Success", "1", "1 for each successful bulk request, 0 for each failed one.");
        SearchBytes = meter.CreateCounter<long>("DeliveryToAmazonOpenSearchService.Bytes", "By", "Bytes of the documents indexed.");
        SearchFreshness = meter.CreateHistogram<long>("DeliveryToAmazonOpenSearchService.DataFreshness", "s", "Age of the oldest document of each bulk request indexed.");
        ElasticsearchRecords = meter.CreateCounter<long>("DeliveryToElasticsearch.Records", "{record}", "Documents indexed (Elasticsearch destination).");
        ElasticsearchBytes = meter.CreateCounter<long>("DeliveryToElasticsearch.Bytes", "By", "Bytes of the documents indexed (Elasticsearch destination).");
        ElasticsearchSuccess = meter.CreateHistogram<long>("DeliveryToElasticsearch.Success", "1", "1 for each successful bulk request, 0 for each failed one (Elasticsearch destination).");
        ElasticsearchFreshness = meter.CreateHistogram<long>("DeliveryToElasticsearch.DataFreshness", "s", "Age of the oldest document of each bulk request indexed (Elasticsearch destination).");
        Throttled = meter.CreateCounter<long>("ThrottledRecords", "{record}", "Records refused by a put.");
    }

    public Counter<long> IncomingRecords { get; }

    public Counter<long> IncomingBytes { get; }

    public Counter<long> IncomingPutRequests { get; }

    public Counter<long> S3Records { get; }

    public Counter<long> S3Bytes { get; }

    public Histogram<long> S3Success { get; }

    public Histogram<long> S3Freshness { get; }

    public Counter<long> BackupRecords { get; }

    public Histogram<long> ProcessingSuccess { get; }

    public Counter<long> ProcessingRecords { get; }

    public Counter<long> PartitionCount { get; }

    public Counter<long> SearchRecords { get; }

    public Histogram<long> SearchSuccess { get; }

    public Counter<long> SearchBytes { get; }

    public Histogram<long> SearchFreshness { get; }

    public Counter<long> ElasticsearchRecords { get; }

    public Counter<long> ElasticsearchBytes { get; }

    public Histogram<long> ElasticsearchSuccess { get; }

    public Histogram<long> ElasticsearchFreshness { get; }

    public Counter<long> Throttled { get; }

    public static void Add(Counter<long> counter, long value, string stream)
    {
        if (counter.Enabled)
        {
            counter.Add(value, new KeyValuePair<string, object?>("DeliveryStreamName", stream));
        }
    }

    public static void Record(Histogram<long> histogram, long value, string stream)
    {
        if (histogram.Enabled)
        {
            histogram.Record(value, new TagList { { "DeliveryStreamName", stream } });
        }
    }
}
