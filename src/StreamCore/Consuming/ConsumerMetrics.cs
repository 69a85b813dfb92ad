using System.Diagnostics.Metrics;

namespace StreamCore.Consuming;

/// <summary>
/// The consumer's instruments, named as the KCL names its CloudWatch metrics, on the meter the engine uses
/// (<c>StreamCore</c>), tagged with the stream (<c>StreamName</c>) and, per shard, <c>ShardId</c>. Recording checks
/// <c>Enabled</c> first, so nobody listening costs a field read per batch.
/// </summary>
internal sealed class ConsumerMetrics : IDisposable
{
    public const string MeterName = "StreamCore";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public ConsumerMetrics(string streamName, IMeterFactory? meterFactory, Func<int> held, Func<long> tableSize)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName, typeof(ConsumerMetrics).Assembly.GetName().Version?.ToString());
        Stream = new("StreamName", streamName);
        KeyValuePair<string, object?> stream = Stream;
        RecordsProcessed = _meter.CreateCounter<long>("RecordsProcessed", "{record}", "User records delivered to record processors.");
        DataBytesProcessed = _meter.CreateCounter<long>("DataBytesProcessed", "By", "Bytes of user record data delivered to record processors.");
        MillisBehindLatest = _meter.CreateHistogram<long>("MillisBehindLatest", "ms", "How far behind the tip of its shard each batch was read.");
        ProcessTaskTime = _meter.CreateHistogram<double>("ProcessTask.Time", "ms", "Time a record processor took over a batch.");
        TakenLeases = _meter.CreateCounter<long>("TakenLeases", "{lease}", "Leases this worker took (expired, unowned or stolen).");
        LostLeases = _meter.CreateCounter<long>("LostLeases", "{lease}", "Leases this worker lost (taken by another, or not renewed in time).");
        _meter.CreateObservableGauge("LeasesHeld", () => new Measurement<int>(held(), stream), "{lease}", "Leases this worker holds.");
        _meter.CreateObservableGauge("CurrentLeases", () => new Measurement<long>(tableSize(), stream), "{lease}", "Leases in the lease table at the last scan.");
    }

    public KeyValuePair<string, object?> Stream { get; }

    public Counter<long> RecordsProcessed { get; }

    public Counter<long> DataBytesProcessed { get; }

    public Histogram<long> MillisBehindLatest { get; }

    public Histogram<double> ProcessTaskTime { get; }

    public Counter<long> TakenLeases { get; }

    public Counter<long> LostLeases { get; }

    public void RecordRecords(string shardId, int records, long bytes)
    {
        if (records > 0 && RecordsProcessed.Enabled)
        {
            RecordsProcessed.Add(records, Stream, new("ShardId", shardId));
        }

        if (bytes > 0 && DataBytesProcessed.Enabled)
        {
            DataBytesProcessed.Add(bytes, Stream, new("ShardId", shardId));
        }
    }

    public void RecordBatch(string shardId, long millisBehindLatest)
    {
        if (MillisBehindLatest.Enabled)
        {
            MillisBehindLatest.Record(millisBehindLatest, Stream, new("ShardId", shardId));
        }
    }

    public void RecordProcessTime(string shardId, TimeSpan elapsed)
    {
        if (ProcessTaskTime.Enabled)
        {
            ProcessTaskTime.Record(elapsed.TotalMilliseconds, Stream, new("ShardId", shardId));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
