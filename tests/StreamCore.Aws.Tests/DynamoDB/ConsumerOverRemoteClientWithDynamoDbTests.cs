using Amazon.DynamoDBv2;
using Amazon.Runtime;
using StreamCore.Aws.DynamoDB;
using StreamCore.Aws.Tests.Support;
using StreamCore.Consuming;
using StreamCore.Tests.Consuming;

namespace StreamCore.Aws.Tests.DynamoDB;

/// <summary>
/// The consumer's scenarios (StreamCore.Tests' ConsumerScenarioContract) as a worker on another machine runs them:
/// records through the remote client against the StreamCore server, leases in DynamoDB (dynalite, started once for
/// the class on a loopback port), a table of its own per lease store.
/// </summary>
public sealed class ConsumerOverRemoteClientWithDynamoDbTests(Dynalite dynalite) : RemoteClientConsumerScenario, IClassFixture<Dynalite>
{
    private readonly List<DynamoDbLeaseStore> _stores = [];
    private AmazonDynamoDBClient? _client;

    protected override ILeaseStore CreateLeaseStore()
    {
        dynalite.Require();
        _client ??= new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = dynalite.Url.ToString(), AuthenticationRegion = "us-east-1" });
        var store = new DynamoDbLeaseStore(_client, $"scenario-{Guid.NewGuid():N}");
        lock (_stores)
        {
            _stores.Add(store);
        }

        return store;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _stores.ForEach(s => s.Dispose());
        _client?.Dispose();
    }
}
