using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamCore.Consuming;
using StreamCore.Kinesis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers KCL-style consumer workers in a service collection.</summary>
public static class KinesisConsumerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="KinesisConsumer"/> for <paramref name="applicationName"/> (keyed by it; the first
    /// one registered is also the unkeyed <see cref="KinesisConsumer"/>) and a hosted service that starts it with the
    /// host and stops it gracefully. It reads through the container's <see cref="IKinesisClient"/> (the embedded
    /// engine's after <c>AddStreamCore</c>, or a remote client), keeps its leases in the container's
    /// <see cref="ILeaseStore"/> when there is one and the options name none, and takes the container's logger factory,
    /// meter factory and, when the options keep the system clock, its <see cref="TimeProvider"/>. Options are named
    /// after the application and validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="applicationName">The application (the lease table's name).</param>
    /// <param name="configure">Configures the consumer; set <see cref="KinesisConsumerOptions.StreamName"/> and the processor factory.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddKinesisConsumer(this IServiceCollection services, string applicationName, Action<KinesisConsumerOptions> configure) =>
        AddKinesisConsumer(services, applicationName, (_, options) => configure(options));

    /// <summary>
    /// Registers a consumer (see <see cref="AddKinesisConsumer(IServiceCollection, string, Action{KinesisConsumerOptions})"/>)
    /// whose processors are <typeparamref name="TProcessor"/>, created by the container for each shard (constructor injection).
    /// </summary>
    /// <typeparam name="TProcessor">The record processor.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="applicationName">The application (the lease table's name).</param>
    /// <param name="configure">Configures the consumer; set <see cref="KinesisConsumerOptions.StreamName"/>.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddKinesisConsumer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProcessor>(this IServiceCollection services, string applicationName, Action<KinesisConsumerOptions> configure)
        where TProcessor : class, IShardRecordProcessor =>
        AddKinesisConsumer(services, applicationName, (provider, options) =>
        {
            options.ProcessorFactory ??= () => ActivatorUtilities.CreateInstance<TProcessor>(provider);
            configure(options);
        });

    private static IServiceCollection AddKinesisConsumer(IServiceCollection services, string applicationName, Action<IServiceProvider, KinesisConsumerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<KinesisConsumerOptions>(applicationName)
            .Configure<IServiceProvider>((options, provider) =>
            {
                options.ApplicationName = applicationName;
                configure(provider, options);
                if (ReferenceEquals(options.TimeProvider, TimeProvider.System) && provider.GetService<TimeProvider>() is { } time)
                {
                    options.TimeProvider = time;
                }

                options.LeaseStore ??= provider.GetService<ILeaseStore>();
                options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
                options.MeterFactory ??= provider.GetService<IMeterFactory>();
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KinesisConsumerOptions>, KinesisConsumerOptionsValidator>());
        services.AddKeyedSingleton(applicationName, (provider, _) => new KinesisConsumer(
            provider.GetRequiredService<IKinesisClient>(),
            provider.GetRequiredService<IOptionsMonitor<KinesisConsumerOptions>>().Get(applicationName)));
        services.TryAddSingleton(provider => provider.GetRequiredKeyedService<KinesisConsumer>(applicationName));
        services.AddSingleton<IHostedService>(provider => new KinesisConsumerHostedService(provider.GetRequiredKeyedService<KinesisConsumer>(applicationName)));
        return services;
    }

    private sealed class KinesisConsumerOptionsValidator : IValidateOptions<KinesisConsumerOptions>
    {
        public ValidateOptionsResult Validate(string? name, KinesisConsumerOptions options) =>
            options.FindError(needsStreamName: true) is { } error
                ? ValidateOptionsResult.Fail($"KinesisConsumerOptions for application '{name}': {error}")
                : ValidateOptionsResult.Success;
    }
}
