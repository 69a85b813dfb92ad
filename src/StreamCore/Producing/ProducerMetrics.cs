using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamCore.Producing;

/// <summary>
/// The producer's instruments, named as the KPL names its CloudWatch metrics, on the meter the engine uses
/// (<c>StreamCore</c>), each measurement tagged with the stream (<c>StreamName</c>); <c>ErrorsByCode</c> also with
/// <c>ErrorCode</c>. Every recording first checks <c>Enabled</c>, so nobody listening costs one field read.
/// </summary>
internal sealed class ProducerMetrics : IDisposable
{
    public const string MeterName = "StreamCore";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _stream;

    public ProducerMetrics(string streamName, IMeterFactory? meterFactory, Func<long> pending)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName, typeof(ProducerMetrics).Assembly.GetName().Version?.ToString());
        _stream = new("StreamName", streamName);
        UserRecordsReceived = _meter.CreateCounter<long>("UserRecordsReceived", "{record}", "User records the producer accepted.");
        _meter.CreateObservableGauge("UserRecordsPending", () => new Measurement<long>(pending(), _stream), "{record}", "User records added and not yet final.");
        UserRecordsPut = _meter.CreateCounter<long>("UserRecordsPut", "{record}", "User records stored.");
        UserRecordsDataPut = _meter.CreateCounter<long>("UserRecordsDataPut", "By", "Bytes of user records stored (data plus partition key).");
        KinesisRecordsPut = _meter.CreateCounter<long>("KinesisRecordsPut", "{record}", "Kinesis records stored (an aggregate counts once).");
        KinesisRecordsDataPut = _meter.CreateCounter<long>("KinesisRecordsDataPut", "By", "Bytes of Kinesis records stored.");
        UserRecordsPerKinesisRecord = _meter.CreateHistogram<long>("UserRecordsPerKinesisRecord", "{record}", "User records per Kinesis record stored.");
        KinesisRecordsPerPutRecordsRequest = _meter.CreateHistogram<long>("KinesisRecordsPerPutRecordsRequest", "{record}", "Kinesis records per PutRecords call.");
        RetriesPerRecord = _meter.CreateHistogram<long>("RetriesPerRecord", "{retry}", "Attempts beyond the first, per user record made final.");
        BufferingTime = _meter.CreateHistogram<double>("BufferingTime", "ms", "Time from a Kinesis record's first user record arriving to its first send.");
        RequestTime = _meter.CreateHistogram<double>("RequestTime", "ms", "Time a PutRecords call took.");
        AllErrors = _meter.CreateCounter<long>("AllErrors", "{error}", "Errors of PutRecords calls and records, retried or not.");
        ErrorsByCode = _meter.CreateCounter<long>("ErrorsByCode", "{error}", "Errors by Kinesis error code.");
        UserRecordExpired = _meter.CreateCounter<long>("UserRecordExpired", "{record}", "User records failed because RecordTtl ran out.");
    }

    public Counter<long> UserRecordsReceived { get; }

    public Counter<long> UserRecordsPut { get; }

    public Counter<long> UserRecordsDataPut { get; }

    public Counter<long> KinesisRecordsPut { get; }

    public Counter<long> KinesisRecordsDataPut { get; }

    public Histogram<long> UserRecordsPerKinesisRecord { get; }

    public Histogram<long> KinesisRecordsPerPutRecordsRequest { get; }

    public Histogram<long> RetriesPerRecord { get; }

    public Histogram<double> BufferingTime { get; }

    public Histogram<double> RequestTime { get; }

    public Counter<long> AllErrors { get; }

    public Counter<long> ErrorsByCode { get; }

    public Counter<long> UserRecordExpired { get; }

    public void Add(Counter<long> counter, long value)
    {
        if (counter.Enabled && value != 0)
        {
            counter.Add(value, _stream);
        }
    }

    public void Record(Histogram<long> histogram, long value)
    {
        if (histogram.Enabled)
        {
            histogram.Record(value, _stream);
        }
    }

    public void Record(Histogram<double> histogram, double value)
    {
        if (histogram.Enabled)
        {
            histogram.Record(value, _stream);
        }
    }

    public void Error(string code, long count)
    {
        Add(AllErrors, count);
        if (ErrorsByCode.Enabled)
        {
            ErrorsByCode.Add(count, new TagList { _stream, { "ErrorCode", code } });
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
