using System.Diagnostics.Metrics;

namespace StreamCore.EventSources;

/// <summary>
/// Event source mapping instruments, named as Lambda names its CloudWatch metrics, on the meter the engine uses
/// (<c>StreamCore</c>, from the engine's <see cref="StreamEngineOptions.MeterFactory"/> when it has one). Each
/// measurement is tagged with <c>FunctionName</c> and <c>EventSourceMappingUUID</c>. Recorded once per batch.
/// </summary>
internal sealed class MappingMetrics : IDisposable
{
    public const string MeterName = "StreamCore";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public MappingMetrics(StreamEngine engine)
    {
        IMeterFactory? factory = engine.Options.MeterFactory;
        _ownsMeter = factory is null;
        var tags = new KeyValuePair<string, object?>[] { new("AccountId", engine.AccountId), new("Region", engine.Region) };
        _meter = factory?.Create(new MeterOptions(MeterName) { Tags = tags }) ?? new Meter(MeterName, null, tags);
        Invocations = _meter.CreateCounter<long>("Invocations", "{invocation}", "Invocations of the function by a mapping, successful or not.");
        Errors = _meter.CreateCounter<long>("Errors", "{invocation}", "Invocations that ended in a function error.");
        IteratorAge = _meter.CreateHistogram<double>("IteratorAge", "ms", "Age of the last record of each batch when the function was invoked.");
        PolledEventCount = _meter.CreateCounter<long>("PolledEventCount", "{record}", "Records a mapping read from the stream.");
        FilteredOutEventCount = _meter.CreateCounter<long>("FilteredOutEventCount", "{record}", "Records that matched no filter (counted as processed).");
        InvokedEventCount = _meter.CreateCounter<long>("InvokedEventCount", "{record}", "Records delivered to the function (each retry counts again).");
        FailedInvokeEventCount = _meter.CreateCounter<long>("FailedInvokeEventCount", "{record}", "Records of invocations that failed.");
        DroppedEventCount = _meter.CreateCounter<long>("DroppedEventCount", "{record}", "Records discarded by the retry or age policy.");
        OnFailureDestinationDeliveredEventCount = _meter.CreateCounter<long>("OnFailureDestinationDeliveredEventCount", "{record}", "Records of discarded batches described to the on-failure destination.");
    }

    public Counter<long> Invocations { get; }

    public Counter<long> Errors { get; }

    public Histogram<double> IteratorAge { get; }

    public Counter<long> PolledEventCount { get; }

    public Counter<long> FilteredOutEventCount { get; }

    public Counter<long> InvokedEventCount { get; }

    public Counter<long> FailedInvokeEventCount { get; }

    public Counter<long> DroppedEventCount { get; }

    public Counter<long> OnFailureDestinationDeliveredEventCount { get; }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
