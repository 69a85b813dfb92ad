using StreamCore.Aws.Kinesis;
using StreamCore.Consuming;
using StreamCore.Server;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Consuming;

/// <summary>
/// The scenarios through the remote client against the StreamCore server over each test's engine (one server and
/// client per engine); a derived class supplies the lease store (in memory here; DynamoDB on dynalite in
/// StreamCore.Aws.Tests).
/// </summary>
public abstract class RemoteClientConsumerScenario : ConsumerScenarioContract, IAsyncDisposable
{
    private readonly List<KinesisEndpoint> _servers = [];
    private readonly Dictionary<TestEngine, RemoteKinesisClient> _byEngine = [];

    private protected override KinesisConsumer CreateConsumer(TestEngine t, string stream, KinesisConsumerOptions options)
    {
        lock (_byEngine)
        {
            if (!_byEngine.TryGetValue(t, out RemoteKinesisClient? client))
            {
                KinesisEndpoint endpoint = KinesisEndpoint.StartAsync(t.Engine).GetAwaiter().GetResult();
                _servers.Add(endpoint);
                client = new RemoteKinesisClient(new RemoteKinesisClientOptions
                {
                    ServiceUrl = endpoint.Url,
                    Region = "us-east-1",
                    Credentials = new Amazon.Runtime.BasicAWSCredentials("AKIDCONSUMERTEST", "consumer-test-secret"),
                });
                _byEngine[t] = client;
            }

            options.StreamName = stream;
            return new KinesisConsumer(client, options);
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (RemoteKinesisClient client in _byEngine.Values)
        {
            client.Dispose();
        }

        foreach (KinesisEndpoint server in _servers)
        {
            await server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
