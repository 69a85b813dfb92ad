using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StreamCore;
using StreamCore.Buckets;
using StreamCore.Delivery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StreamCore's Firehose (delivery streams) in a service collection.</summary>
public static class StreamCoreFirehoseServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine (<see cref="StreamCoreServiceCollectionExtensions.AddStreamCore"/>) and a singleton
    /// <see cref="Firehose"/> over it, also as <see cref="IFirehoseClient"/>, configured through
    /// <c>IOptions&lt;FirehoseOptions&gt;</c>. When the options name no bucket store and the container has a
    /// <see cref="BucketStore"/>, deliveries go there. The container disposes the Firehose at shutdown, which delivers
    /// what is still buffered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the Firehose's options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddStreamCoreFirehose(this IServiceCollection services, Action<FirehoseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddStreamCore();
        OptionsBuilder<FirehoseOptions> options = services.AddOptions<FirehoseOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(provider =>
        {
            FirehoseOptions configured = provider.GetRequiredService<IOptions<FirehoseOptions>>().Value;
            // A copy, so the container's options instance is never changed by what the container supplies.
            var value = new FirehoseOptions
            {
                Buckets = configured.Buckets ?? provider.GetService<BucketStore>(),
                Random = configured.Random,
                StatusDelay = configured.StatusDelay,
                S3RetryDuration = configured.S3RetryDuration,
                DeliveryStreamLimit = configured.DeliveryStreamLimit,
                ReadSourceFromLatest = configured.ReadSourceFromLatest,
            };
            return new Firehose(provider.GetRequiredService<StreamEngine>(), value);
        });
        services.TryAddSingleton<IFirehoseClient>(provider => provider.GetRequiredService<Firehose>());
        return services;
    }
}
