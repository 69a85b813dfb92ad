using StreamCore.Functions;

namespace StreamCore.EventSources;

/// <summary>
/// Registers handlers written the way a Lambda function for Kinesis is written: they take a <see cref="KinesisEvent"/>
/// (or with tumbling windows a <see cref="KinesisTimeWindowEvent"/>) and an <see cref="ILambdaContext"/>. A mapping
/// calls them with the event object (no JSON); anyone else (the server's Invoke, a test) through the event's JSON.
/// </summary>
public static class KinesisFunctionRegistryExtensions
{
    /// <summary>Registers a handler that returns nothing: it succeeds unless it throws.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="functionName">The function's name.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="timeout">How long an invocation may take; default three seconds, as Lambda's.</param>
    /// <returns>The registered function.</returns>
    public static RegisteredFunction RegisterKinesisHandler(this FunctionRegistry registry, string functionName, Func<KinesisEvent, ILambdaContext, Task> handler, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(handler);
        return registry.Register<KinesisEvent, StreamsEventResponse?>(
            functionName,
            async (evnt, context) =>
            {
                await handler(evnt, context).ConfigureAwait(false);
                return null;
            },
            KinesisEventJson.Default.KinesisEvent,
            KinesisEventJson.Default.StreamsEventResponse,
            timeout);
    }

    /// <summary>Registers a handler that reports failed records (for mappings with <c>ReportBatchItemFailures</c>; a null response is a complete success).</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="functionName">The function's name.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="timeout">How long an invocation may take; default three seconds.</param>
    /// <returns>The registered function.</returns>
    public static RegisteredFunction RegisterKinesisHandler(this FunctionRegistry registry, string functionName, Func<KinesisEvent, ILambdaContext, Task<StreamsEventResponse?>> handler, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(handler);
        return registry.Register<KinesisEvent, StreamsEventResponse?>(
            functionName,
            (evnt, context) => new ValueTask<StreamsEventResponse?>(handler(evnt, context)),
            KinesisEventJson.Default.KinesisEvent,
            KinesisEventJson.Default.StreamsEventResponse,
            timeout);
    }

    /// <summary>Registers a tumbling-window handler: it returns the window's state (required) and optionally failed records.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="functionName">The function's name.</param>
    /// <param name="handler">The handler.</param>
    /// <param name="timeout">How long an invocation may take; default three seconds.</param>
    /// <returns>The registered function.</returns>
    public static RegisteredFunction RegisterKinesisWindowHandler(this FunctionRegistry registry, string functionName, Func<KinesisTimeWindowEvent, ILambdaContext, Task<KinesisTimeWindowResponse>> handler, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(handler);
        return registry.Register<KinesisTimeWindowEvent, KinesisTimeWindowResponse>(
            functionName,
            (evnt, context) => new ValueTask<KinesisTimeWindowResponse>(handler(evnt, context)),
            KinesisEventJson.Default.KinesisTimeWindowEvent,
            KinesisEventJson.Default.KinesisTimeWindowResponse,
            timeout);
    }
}
