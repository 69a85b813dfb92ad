using Microsoft.Extensions.DependencyInjection.Extensions;
using StreamCore;
using StreamCore.Analytics.Applications;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers StreamCore's Kinesis Analytics v2 applications and their code in a service collection.</summary>
public static class AnalyticsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="AnalyticsApplications"/> of the container's <see cref="StreamEngine"/> (the one
    /// <c>AddStreamCore</c> registers, called here when missing): the same instance <see cref="AnalyticsApplications.For"/>
    /// returns and the endpoint serves. When it is first resolved, the code added with
    /// <see cref="AddAnalyticsApplicationCode"/> is registered on it. Calling it twice registers it once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddStreamCoreAnalytics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddStreamCore();
        services.TryAddSingleton(provider =>
        {
            AnalyticsApplications applications = AnalyticsApplications.For(provider.GetRequiredService<StreamEngine>());
            foreach (ApplicationCode code in provider.GetServices<ApplicationCode>())
            {
                applications.RegisterCode(code.Name, context => code.Start(provider, context));
            }

            return applications;
        });
        return services;
    }

    /// <summary>
    /// Registers the code of the application <paramref name="applicationName"/> (see
    /// <see cref="AnalyticsApplications.RegisterCode"/>): StartApplication calls <paramref name="start"/> with the
    /// container and the application's context (parallelism, restore snapshot, properties). A later registration of
    /// the same name replaces an earlier one. Also calls <see cref="AddStreamCoreAnalytics"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="applicationName">The application's name.</param>
    /// <param name="start">Starts the application's pipeline, for example with <c>query.Start(..., options: context.RunOptions())</c>.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddAnalyticsApplicationCode(this IServiceCollection services, string applicationName, Func<IServiceProvider, AnalyticsApplicationContext, IAnalyticsJob> start)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(applicationName);
        ArgumentNullException.ThrowIfNull(start);
        services.AddStreamCoreAnalytics();
        services.AddSingleton(new ApplicationCode(applicationName, start));
        return services;
    }

    private sealed record ApplicationCode(string Name, Func<IServiceProvider, AnalyticsApplicationContext, IAnalyticsJob> Start);
}
