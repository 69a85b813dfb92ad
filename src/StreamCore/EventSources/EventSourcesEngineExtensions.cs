using System.Runtime.CompilerServices;

namespace StreamCore.EventSources;

/// <summary>
/// An engine's Lambda: its event source mappings and their functions. (An extension, so the engine, below the
/// processing layer, knows nothing of Lambda.)
/// </summary>
public static class EventSourcesEngineExtensions
{
    private static readonly ConditionalWeakTable<StreamEngine, LambdaService> Services = new();

    /// <summary>The engine's Lambda service: one per engine, sharing the engine's account, region, clock and function registry.</summary>
    /// <param name="engine">The engine.</param>
    /// <returns>The service.</returns>
    public static LambdaService GetLambdaService(this StreamEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return Services.GetValue(engine, static e => new LambdaService(e));
    }

    /// <summary>A Lambda-shaped client of the engine's event source mappings (the service itself: clients share everything).</summary>
    /// <param name="engine">The engine.</param>
    /// <returns>The client.</returns>
    public static ILambdaClient CreateLambdaClient(this StreamEngine engine) => engine.GetLambdaService();
}
