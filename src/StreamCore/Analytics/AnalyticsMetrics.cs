using System.Diagnostics.Metrics;

namespace StreamCore.Analytics;

/// <summary>
/// A run's instruments on the meter the engine uses (<c>StreamCore</c>), named as Flink names its operator metrics,
/// tagged with the run's name (<c>Application</c>). Recorded once per batch, never per event.
/// </summary>
internal sealed class AnalyticsMetrics : IDisposable
{
    public const string MeterName = "StreamCore";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly KeyValuePair<string, object?> _application;

    public AnalyticsMetrics(string application, IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName, typeof(AnalyticsMetrics).Assembly.GetName().Version?.ToString());
        _application = new("Application", application);
        RecordsIn = _meter.CreateCounter<long>("numRecordsIn", "{record}", "Records the windowed aggregation read.");
        LateRecords = _meter.CreateCounter<long>("numLateRecords", "{record}", "Records too late for every window, sent to the side output.");
        WindowsFired = _meter.CreateCounter<long>("numWindowsFired", "{window}", "Key windows fired (early, on time, and late updates).");
        WatermarkLag = _meter.CreateHistogram<long>("watermarkLag", "ms", "How far the watermark is behind the clock.");
    }

    public Counter<long> RecordsIn { get; }

    public Counter<long> LateRecords { get; }

    public Counter<long> WindowsFired { get; }

    public Histogram<long> WatermarkLag { get; }

    public void Record(long recordsIn, long late, long fired, long watermark, long now)
    {
        if (recordsIn > 0 && RecordsIn.Enabled)
        {
            RecordsIn.Add(recordsIn, _application);
        }

        if (late > 0 && LateRecords.Enabled)
        {
            LateRecords.Add(late, _application);
        }

        if (fired > 0 && WindowsFired.Enabled)
        {
            WindowsFired.Add(fired, _application);
        }

        if (watermark is > long.MinValue and < long.MaxValue && WatermarkLag.Enabled)
        {
            WatermarkLag.Record(Math.Max(0, now - watermark), _application);
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
