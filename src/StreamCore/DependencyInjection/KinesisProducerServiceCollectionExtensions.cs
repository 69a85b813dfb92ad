using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamCore.Connectors;
using StreamCore.Kinesis;
using StreamCore.Producing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers KPL-style producers in a service collection.</summary>
public static class KinesisProducerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="KinesisProducer"/> for <paramref name="streamName"/>, keyed by the stream name
    /// (the first one registered is also the unkeyed <see cref="KinesisProducer"/>). It writes through the container's
    /// <see cref="IKinesisClient"/>: the embedded engine's after <c>AddStreamCore</c>, or a remote Kinesis client, so
    /// the switch to Amazon Kinesis is the client's registration. Over the embedded engine (the client is the
    /// engine's own) it writes by the event-bus fast path whenever the engine has no fault rules and no throughput
    /// limits, and through the client otherwise, so faults and limits apply as they do to any client call. Its
    /// options are named after the stream and
    /// validated when the host starts; when they keep the system clock and the container has a
    /// <see cref="TimeProvider"/>, the producer uses the container's. Disposing the container flushes it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="streamName">The stream to write.</param>
    /// <param name="configure">Configures the producer's options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddKinesisProducer(this IServiceCollection services, string streamName, Action<KinesisProducerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        OptionsBuilder<KinesisProducerOptions> options = services.AddOptions<KinesisProducerOptions>(streamName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KinesisProducerOptions>, KinesisProducerOptionsValidator>());
        services.AddKeyedSingleton(streamName, (provider, _) =>
        {
            KinesisProducerOptions value = provider.GetRequiredService<IOptionsMonitor<KinesisProducerOptions>>().Get(streamName);
            if (ReferenceEquals(value.TimeProvider, TimeProvider.System) && provider.GetService<TimeProvider>() is { } time)
            {
                value.TimeProvider = time;
            }

            IKinesisClient client = provider.GetRequiredService<IKinesisClient>();
            RecordSink sink = RecordSink.For(client, streamName);
            return new KinesisProducer(sink, value, provider.GetService<ILoggerFactory>(), provider.GetService<IMeterFactory>());
        });
        services.TryAddSingleton(provider => provider.GetRequiredKeyedService<KinesisProducer>(streamName));
        return services;
    }

    private sealed class KinesisProducerOptionsValidator : IValidateOptions<KinesisProducerOptions>
    {
        public ValidateOptionsResult Validate(string? name, KinesisProducerOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException ex)
            {
                return ValidateOptionsResult.Fail($"KinesisProducerOptions for stream '{name}': {ex.Message}");
            }
        }
    }
}
