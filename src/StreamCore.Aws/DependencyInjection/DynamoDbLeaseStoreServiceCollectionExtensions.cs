using Amazon.DynamoDBv2;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StreamCore.Aws.DynamoDB;
using StreamCore.Consuming;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the DynamoDB lease store in a service collection.</summary>
public static class DynamoDbLeaseStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="DynamoDbLeaseStore"/> over the lease table <paramref name="tableName"/> as the singleton
    /// <see cref="ILeaseStore"/>: through the container's <see cref="IAmazonDynamoDB"/> (for instance
    /// <c>AddAWSService&lt;IAmazonDynamoDB&gt;()</c>), or through a client of its own for the DynamoDB-compatible endpoint
    /// <paramref name="serviceUrl"/>. When the options keep the system clock and the container has a
    /// <see cref="TimeProvider"/>, table waits use the container's. An <see cref="ILeaseStore"/> registered before is replaced.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="tableName">The lease table (the KCL's application name), checked here, at registration.</param>
    /// <param name="serviceUrl">A DynamoDB-compatible endpoint; null for the container's <see cref="IAmazonDynamoDB"/>.</param>
    /// <param name="options">How long to wait for a new table; the defaults when null.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="tableName"/> is not a valid DynamoDB table name.</exception>
    public static IServiceCollection AddDynamoDbLeaseStore(this IServiceCollection services, string tableName, Uri? serviceUrl = null, DynamoDbLeaseStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        DynamoDbLeaseStore.ValidateTableName(tableName);
        DynamoDbLeaseStoreOptions configured = (options ?? new DynamoDbLeaseStoreOptions()).Validated();
        services.RemoveAll<ILeaseStore>();
        services.AddSingleton<ILeaseStore>(provider =>
        {
            if (ReferenceEquals(configured.TimeProvider, TimeProvider.System) && provider.GetService<TimeProvider>() is { } time)
            {
                configured.TimeProvider = time;
            }

            if (serviceUrl is not null)
            {
                return DynamoDbLeaseStore.ForEndpoint(serviceUrl, tableName, options: configured);
            }

            IAmazonDynamoDB client = provider.GetService<IAmazonDynamoDB>()
                ?? throw new InvalidOperationException(
                    $"The DynamoDB lease store '{tableName}' needs an IAmazonDynamoDB in the container (AddAWSService<IAmazonDynamoDB>()) or a serviceUrl.");
            return new DynamoDbLeaseStore(client, tableName, configured);
        });
        return services;
    }
}
