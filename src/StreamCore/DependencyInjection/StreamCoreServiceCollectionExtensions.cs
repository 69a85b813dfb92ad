using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StreamCore;
using StreamCore.Kinesis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StreamCore in a service collection.</summary>
public static class StreamCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="StreamEngine"/> configured through <c>IOptions&lt;StreamEngineOptions&gt;</c>,
    /// and an <see cref="IKinesisClient"/> over it. When the options keep the system clock and the container has a
    /// <see cref="TimeProvider"/>, the engine uses the container's; when they set no
    /// <see cref="StreamEngineOptions.MeterFactory"/> and the container has an <see cref="IMeterFactory"/>, the engine's
    /// meter comes from it. The options are validated on start (<c>ValidateOnStart</c>) by the engine's own rules, so a
    /// host with invalid options fails to start with the message the engine's constructor would throw. Calling it
    /// twice configures the same engine.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the engine's options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddStreamCore(this IServiceCollection services, Action<StreamEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<StreamEngineOptions> options = services.AddOptions<StreamEngineOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StreamEngineOptions>, StreamEngineOptionsValidator>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(provider =>
        {
            // A copy, so the container's options instance is never changed by what the container supplies.
            StreamEngineOptions value = provider.GetRequiredService<IOptions<StreamEngineOptions>>().Value.Clone();
            if (ReferenceEquals(value.TimeProvider, TimeProvider.System) && provider.GetService<TimeProvider>() is { } time)
            {
                value.TimeProvider = time;
            }

            value.MeterFactory ??= provider.GetService<IMeterFactory>();

            return new StreamEngine(value);
        });
        services.TryAddSingleton(provider => provider.GetRequiredService<StreamEngine>().CreateKinesisClient());
        return services;
    }
}
