using StreamCore.Errors;
using StreamCore.Kinesis;

namespace StreamCore.Connectors;

/// <summary>
/// A sink for a producer registered over the embedded engine (the container's <see cref="IKinesisClient"/> is the
/// engine's own): writes take the event-bus fast path (<see cref="DataStreamRecordSink"/>: no request objects, no
/// MemoryStream per record, no copies beyond the one into the shard's log) while nothing of the Kinesis client's
/// emulation would apply, and go through the client (<see cref="KinesisClientRecordSink"/>) while the engine has
/// fault rules or throughput limits, so a test that injects faults or turns the limits on sees them exactly as before.
/// </summary>
internal sealed class EmbeddedEngineRecordSink : RecordSink
{
    private readonly StreamEngine _engine;
    private readonly KinesisClientRecordSink _client;

    public EmbeddedEngineRecordSink(StreamEngine engine, IKinesisClient client, string streamName)
    {
        _engine = engine;
        _client = new KinesisClientRecordSink(client, streamName);
        ShardWriteLimits = engine.Options.Throughput;
    }

    public override string StreamName => _client.StreamName;

    /// <summary>Whether the last write took the event-bus path (for tests).</summary>
    internal bool LastWriteOnEventBus { get; private set; }

    public override Task<SinkStreamDescription> DescribeAsync(CancellationToken cancellationToken) => _client.DescribeAsync(cancellationToken);

    public override ValueTask PutRecordsAsync(ReadOnlyMemory<SinkRecord> records, Memory<SinkResult> results, CancellationToken cancellationToken)
    {
        if (!_engine.Faults.IsEmpty || _engine.Options.Throughput is not null)
        {
            LastWriteOnEventBus = false;
            return _client.PutRecordsAsync(records, results, cancellationToken);
        }

        DataStreamRecordSink bus;
        try
        {
            // Resolved per call (one per PutRecords batch): a stream deleted and created again under its name is the new one.
            bus = new DataStreamRecordSink(_engine.GetStream(StreamName));
        }
        catch (ResourceNotFoundException)
        {
            LastWriteOnEventBus = false;
            return _client.PutRecordsAsync(records, results, cancellationToken);
        }

        LastWriteOnEventBus = true;
        return bus.PutRecordsAsync(records, results, cancellationToken);
    }
}
