using StreamCore.Consuming;
using StreamCore.Errors;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Consuming;

/// <summary>Zero-copy over the event-bus face, leases in memory.</summary>
public sealed class ConsumerOverDataStreamTests : ConsumerScenarioContract
{
    protected override ILeaseStore CreateLeaseStore() => new InMemoryLeaseStore();

    private protected override KinesisConsumer CreateConsumer(TestEngine t, string stream, KinesisConsumerOptions options)
    {
        DataStream target;
        try
        {
            target = t.Engine.GetStream(stream);
        }
        catch (ResourceNotFoundException)
        {
            options.StreamName = stream;
            return new KinesisConsumer(t.Client, options); // a missing stream fails at start
        }

        return new KinesisConsumer(target, options);
    }
}

/// <summary>GetRecords polling over the in-process Kinesis client, leases in memory.</summary>
public sealed class ConsumerOverKinesisClientTests : ConsumerScenarioContract
{
    protected override ILeaseStore CreateLeaseStore() => new InMemoryLeaseStore();

    private protected override KinesisConsumer CreateConsumer(TestEngine t, string stream, KinesisConsumerOptions options)
    {
        options.StreamName = stream;
        return new KinesisConsumer(t.Client, options);
    }
}

/// <summary>GetRecords polling over the in-process Kinesis client, leases in a folder (a table of its own per call).</summary>
public sealed class ConsumerWithFileSystemLeasesTests : ConsumerScenarioContract, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("consumer-leases-").FullName;
    private readonly List<FileSystemLeaseStore> _stores = [];

    protected override ILeaseStore CreateLeaseStore()
    {
        var store = new FileSystemLeaseStore(Path.Combine(_root, Guid.NewGuid().ToString("N")));
        lock (_stores)
        {
            _stores.Add(store);
        }

        return store;
    }

    private protected override KinesisConsumer CreateConsumer(TestEngine t, string stream, KinesisConsumerOptions options)
    {
        options.StreamName = stream;
        return new KinesisConsumer(t.Client, options);
    }

    public void Dispose()
    {
        _stores.ForEach(s => s.Dispose());
        Directory.Delete(_root, recursive: true);
    }
}

/// <summary>Polling through the remote client against the StreamCore server over the test's engine, leases in memory.</summary>
public sealed class ConsumerOverRemoteClientTests : RemoteClientConsumerScenario
{
    protected override ILeaseStore CreateLeaseStore() => new InMemoryLeaseStore();
}
