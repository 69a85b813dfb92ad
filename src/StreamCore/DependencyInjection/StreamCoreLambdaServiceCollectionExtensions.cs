using Microsoft.Extensions.DependencyInjection.Extensions;
using StreamCore;
using StreamCore.EventSources;
using StreamCore.Functions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StreamCore's Lambda (event source mappings and functions) in a service collection.</summary>
public static class StreamCoreLambdaServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine's <see cref="LambdaService"/> (also as <see cref="ILambdaClient"/>) and its
    /// <see cref="FunctionRegistry"/>, over the <see cref="StreamEngine"/> that <c>AddStreamCore</c> registers (called
    /// here when missing). The container owns the service: disposing it stops every mapping's poller.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="registerFunctions">Registers functions when the service is first resolved (for example with <c>RegisterKinesisHandler</c>).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddStreamCoreLambda(this IServiceCollection services, Action<FunctionRegistry>? registerFunctions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddStreamCore();
        services.TryAddSingleton(provider =>
        {
            LambdaService lambda = provider.GetRequiredService<StreamEngine>().GetLambdaService();
            registerFunctions?.Invoke(lambda.Functions);
            return lambda;
        });
        services.TryAddSingleton<ILambdaClient>(provider => provider.GetRequiredService<LambdaService>());
        services.TryAddSingleton(provider => provider.GetRequiredService<LambdaService>().Functions);
        return services;
    }
}
