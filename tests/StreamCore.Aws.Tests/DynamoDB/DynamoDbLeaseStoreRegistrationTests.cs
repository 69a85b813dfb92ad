using Microsoft.Extensions.DependencyInjection;
using StreamCore.Aws.DynamoDB;
using StreamCore.Consuming;

namespace StreamCore.Aws.Tests.DynamoDB;

public sealed class DynamoDbLeaseStoreRegistrationTests
{
    [Fact]
    public void The_dynamodb_store_replaces_an_earlier_lease_store_and_an_invalid_application_name_fails_at_registration()
    {
        var services = new ServiceCollection().AddInMemoryLeaseStore().AddDynamoDbLeaseStore("my-app", new Uri("http://127.0.0.1:1"));
        using ServiceProvider provider = services.BuildServiceProvider();
        var store = Assert.IsType<DynamoDbLeaseStore>(provider.GetRequiredService<ILeaseStore>());
        Assert.Equal("my-app", store.TableName);
        Assert.Same(store, provider.GetRequiredService<ILeaseStore>());

        var bad = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddDynamoDbLeaseStore("my app"));
        Assert.Contains("Lease table name 'my app' is not valid", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddDynamoDbLeaseStore("my-app", options: new DynamoDbLeaseStoreOptions { TableStatusPollInterval = TimeSpan.Zero }));
    }

    [Fact]
    public void Without_an_endpoint_the_store_needs_the_containers_dynamodb_client_and_says_so()
    {
        using ServiceProvider provider = new ServiceCollection().AddDynamoDbLeaseStore("my-app").BuildServiceProvider();
        var missing = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ILeaseStore>());
        Assert.Contains("needs an IAmazonDynamoDB", missing.Message, StringComparison.Ordinal);
    }
}
