using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StreamCore.Aws.Kinesis;
using StreamCore.Kinesis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the remote Kinesis client in a service collection.</summary>
public static class StreamCoreKinesisServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="RemoteKinesisClient"/> as <see cref="IKinesisClient"/>, configured through
    /// <c>IOptions&lt;RemoteKinesisClientOptions&gt;</c>: the remote counterpart of <c>AddStreamCore()</c>, so a service
    /// moves from the embedded engine to Amazon Kinesis (or any Kinesis endpoint) by changing this one line. When
    /// the options keep the system clock and the container has a <see cref="TimeProvider"/>, retries wait on the
    /// container's. An <see cref="IKinesisClient"/> registered before is replaced.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the client: <c>o.ServiceUrl</c>, <c>o.Region</c>, <c>o.Credentials</c>, ...</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddStreamCoreKinesis(this IServiceCollection services, Action<RemoteKinesisClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<RemoteKinesisClientOptions> options = services.AddOptions<RemoteKinesisClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RemoteKinesisClientOptions>, RemoteKinesisClientOptionsValidator>());
        services.TryAddSingleton(provider =>
        {
            RemoteKinesisClientOptions value = provider.GetRequiredService<IOptions<RemoteKinesisClientOptions>>().Value;
            if (ReferenceEquals(value.TimeProvider, TimeProvider.System) && provider.GetService<TimeProvider>() is { } time)
            {
                value.TimeProvider = time;
            }

            return new RemoteKinesisClient(value);
        });
        services.Replace(ServiceDescriptor.Singleton<IKinesisClient>(provider => provider.GetRequiredService<RemoteKinesisClient>()));
        return services;
    }
}

/// <summary>Reports an out-of-range option as an options validation failure, with the option's own message.</summary>
internal sealed class RemoteKinesisClientOptionsValidator : IValidateOptions<RemoteKinesisClientOptions>
{
    public ValidateOptionsResult Validate(string? name, RemoteKinesisClientOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
