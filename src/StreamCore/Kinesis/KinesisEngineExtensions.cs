using StreamCore.Kinesis;

namespace StreamCore;

/// <summary>
/// The Kinesis face's entry point on an engine. (An extension so that the engine, below its faces, knows none of them.)
/// </summary>
public static class KinesisEngineExtensions
{
    /// <summary>Returns a Kinesis-shaped client over this engine. Clients are cheap, thread-safe and share the engine.</summary>
    /// <param name="engine">The engine.</param>
    /// <returns>The client.</returns>
    public static IKinesisClient CreateKinesisClient(this StreamEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return new KinesisClient(engine);
    }
}
