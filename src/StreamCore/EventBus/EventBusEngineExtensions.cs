using StreamCore.Errors;

namespace StreamCore;

/// <summary>
/// The event-bus face's entry points on an engine: create or open <see cref="DataStream"/> handles. (They are
/// extensions so that the engine, below its faces, knows none of them.)
/// </summary>
public static class EventBusEngineExtensions
{
    /// <summary>Creates a provisioned stream with <paramref name="shardCount"/> shards of equal hash key width.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="streamName">1-128 characters of <c>[a-zA-Z0-9_.-]</c>, unique in the engine.</param>
    /// <param name="shardCount">The number of shards, at least 1.</param>
    /// <returns>A handle on the stream; it is ACTIVE at once unless a status delay is configured.</returns>
    /// <exception cref="ResourceInUseException">A stream of that name exists.</exception>
    /// <exception cref="LimitExceededException">The account's shard quota would be exceeded.</exception>
    /// <exception cref="ValidationException">The name or shard count is malformed.</exception>
    public static DataStream CreateStream(this StreamEngine engine, string streamName, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return new(engine, engine.CreateStreamCore(streamName, shardCount, StreamCapacityMode.Provisioned, null, null));
    }

    /// <summary>Creates an on-demand stream (4 shards) or a provisioned one.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="streamName">1-128 characters of <c>[a-zA-Z0-9_.-]</c>, unique in the engine.</param>
    /// <param name="mode">The capacity mode.</param>
    /// <param name="shardCount">Required for provisioned streams; must be omitted for on-demand ones.</param>
    /// <returns>A handle on the stream.</returns>
    public static DataStream CreateStream(this StreamEngine engine, string streamName, StreamCapacityMode mode, int? shardCount = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return new(engine, engine.CreateStreamCore(streamName, shardCount, mode, null, null));
    }

    /// <summary>Returns a handle on an existing stream.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="streamName">The stream's name.</param>
    /// <returns>A handle on the stream.</returns>
    /// <exception cref="ResourceNotFoundException">No such stream.</exception>
    public static DataStream GetStream(this StreamEngine engine, string streamName)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(streamName);
        return new DataStream(engine, engine.Resolve(streamName, null));
    }
}
