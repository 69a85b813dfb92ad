using Microsoft.Extensions.DependencyInjection.Extensions;
using StreamCore.Consuming;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a lease store (<see cref="ILeaseStore"/>) for the consumer workers of a service collection.</summary>
public static class LeaseStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="InMemoryLeaseStore"/> as the singleton <see cref="ILeaseStore"/>, shared by the workers of
    /// this process. An <see cref="ILeaseStore"/> registered before is replaced.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddInMemoryLeaseStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<ILeaseStore>();
        services.AddSingleton<ILeaseStore, InMemoryLeaseStore>();
        return services;
    }

    /// <summary>
    /// Registers a <see cref="FileSystemLeaseStore"/> over <paramref name="directory"/> as the singleton
    /// <see cref="ILeaseStore"/>, so the worker processes of one machine that register the same folder share leases.
    /// An <see cref="ILeaseStore"/> registered before is replaced.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="directory">The folder of the application's leases.</param>
    /// <param name="lockTimeout">How long a write waits for the folder's lock; default 30 seconds.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty or <paramref name="lockTimeout"/> not positive (checked here, at registration).</exception>
    public static IServiceCollection AddFileSystemLeaseStore(this IServiceCollection services, string directory, TimeSpan? lockTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var store = new FileSystemLeaseStore(directory, lockTimeout);
        services.RemoveAll<ILeaseStore>();
        services.AddSingleton<ILeaseStore>(store);
        return services;
    }
}
