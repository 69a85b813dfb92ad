using System.Runtime.CompilerServices;

namespace StreamCore.Functions;

/// <summary>
/// An engine's functions. (An extension, so the engine, below the processing layer, knows nothing of functions.)
/// </summary>
public static class FunctionsEngineExtensions
{
    private static readonly ConditionalWeakTable<StreamEngine, FunctionRegistry> Registries = new();

    /// <summary>
    /// The engine's function registry: one per engine, with the engine's account, region and clock, shared by its event
    /// source mappings and delivery streams.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <returns>The registry.</returns>
    public static FunctionRegistry GetFunctionRegistry(this StreamEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return Registries.GetValue(engine, static e => new FunctionRegistry(e.AccountId, e.Region, e.TimeProvider, e.Options.Partition));
    }
}
