using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamCore.Engine.Metrics;

/// <summary>
/// The engine's <see cref="Meter"/> (named <see cref="MeterName"/>), with instruments named after Kinesis's CloudWatch
/// metrics. Every measurement is tagged with the stream (<c>StreamName</c>), and with the shard (<c>ShardId</c>) when
/// enhanced monitoring enables that metric on the stream. Each recording first checks <c>Instrument.Enabled</c>, so
/// the hot path pays one field read when nobody listens.
/// </summary>
internal sealed class StreamMetrics : IDisposable
{
    public const string MeterName = "StreamCore";

    /// <summary>The shard-level metric names EnableEnhancedMonitoring takes (besides ALL).</summary>
    public static readonly string[] ShardLevelMetricNames =
    [
        "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
        "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds",
    ];

    private readonly Meter _meter;

    // A meter from a factory belongs to the factory (the host disposes it); one of our own is ours to dispose.
    private readonly bool _ownsMeter;

    public StreamMetrics(string accountId, string region, IMeterFactory? meterFactory = null)
    {
        var options = new MeterOptions(MeterName)
        {
            Version = typeof(StreamMetrics).Assembly.GetName().Version?.ToString(),
            Tags = [new("AccountId", accountId), new("Region", region)],
        };
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        IncomingBytes = _meter.CreateCounter<long>("IncomingBytes", "By", "Bytes successfully put to the stream.");
        IncomingRecords = _meter.CreateCounter<long>("IncomingRecords", "{record}", "Records successfully put to the stream.");
        OutgoingBytes = _meter.CreateCounter<long>("OutgoingBytes", "By", "Bytes read from the stream.");
        OutgoingRecords = _meter.CreateCounter<long>("OutgoingRecords", "{record}", "Records read from the stream.");
        WriteThrottled = _meter.CreateCounter<long>("WriteProvisionedThroughputExceeded", "{record}", "Records rejected for exceeding write throughput.");
        ReadThrottled = _meter.CreateCounter<long>("ReadProvisionedThroughputExceeded", "{call}", "GetRecords calls rejected for exceeding read throughput.");
        IteratorAge = _meter.CreateHistogram<long>("IteratorAgeMilliseconds", "ms", "How far behind the tip of the shard a read was.");
        SubscribeSuccess = _meter.CreateCounter<long>("SubscribeToShard.Success", "{call}", "Successful SubscribeToShard calls.");
        SubscribeRateExceeded = _meter.CreateCounter<long>("SubscribeToShard.RateExceeded", "{call}", "SubscribeToShard calls refused because a subscription was already active.");
        EventRecords = _meter.CreateCounter<long>("SubscribeToShardEvent.Records", "{record}", "Records pushed to consumers.");
        EventBytes = _meter.CreateCounter<long>("SubscribeToShardEvent.Bytes", "By", "Bytes pushed to consumers.");
        EventMillisBehindLatest = _meter.CreateHistogram<long>("SubscribeToShardEvent.MillisBehindLatest", "ms", "How far behind the tip of the shard a pushed event was.");
    }

    /// <summary>The engine's meter, for the processing layer's own instruments (Firehose's, ...).</summary>
    public Meter Meter => _meter;

    public Counter<long> IncomingBytes { get; }

    public Counter<long> IncomingRecords { get; }

    public Counter<long> OutgoingBytes { get; }

    public Counter<long> OutgoingRecords { get; }

    public Counter<long> WriteThrottled { get; }

    public Counter<long> ReadThrottled { get; }

    public Histogram<long> IteratorAge { get; }

    public Counter<long> SubscribeSuccess { get; }

    public Counter<long> SubscribeRateExceeded { get; }

    public Counter<long> EventRecords { get; }

    public Counter<long> EventBytes { get; }

    public Histogram<long> EventMillisBehindLatest { get; }

    /// <summary>Adds to a counter, tagged by stream, and by shard when the stream's enhanced monitoring asks for it.</summary>
    public static void Add(Counter<long> counter, long value, StreamState stream, ShardState? shard)
    {
        if (counter.Enabled)
        {
            counter.Add(value, Tags(counter.Name, stream, shard));
        }
    }

    public static void Record(Histogram<long> histogram, long value, StreamState stream, ShardState? shard)
    {
        if (histogram.Enabled)
        {
            histogram.Record(value, Tags(histogram.Name, stream, shard));
        }
    }

    private static TagList Tags(string metric, StreamState stream, ShardState? shard)
    {
        var tags = new TagList { { "StreamName", stream.Name } };
        if (shard is not null && stream.ShardLevelMetrics.Contains(metric))
        {
            tags.Add("ShardId", shard.IdText);
        }

        return tags;
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
