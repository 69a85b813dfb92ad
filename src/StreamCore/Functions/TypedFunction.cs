using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StreamCore.Functions;

/// <summary>A typed handler: called with the event object by callers that have one, through JSON by the rest.</summary>
internal sealed class TypedFunction<TEvent, TResult>(Func<TEvent, ILambdaContext, ValueTask<TResult>> handler, JsonTypeInfo<TEvent> eventJson, JsonTypeInfo<TResult> resultJson) : LambdaFunction
{
    public Func<TEvent, ILambdaContext, ValueTask<TResult>> Handler { get; } = handler;

    public override async ValueTask<InvokeResponse> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
    {
        // As Lambda's .NET runtime does, an event that does not read as TEvent fails the invocation.
        TEvent evnt = JsonSerializer.Deserialize(payload.Span, eventJson)!;
        TResult result = await Handler(evnt, context).ConfigureAwait(false);
        return InvokeResponse.Success(JsonSerializer.SerializeToUtf8Bytes(result, resultJson));
    }
}

/// <summary>A delegate over JSON bytes.</summary>
internal sealed class JsonDelegateFunction(Func<ReadOnlyMemory<byte>, ILambdaContext, ValueTask<ReadOnlyMemory<byte>>> handler) : LambdaFunction
{
    public override async ValueTask<InvokeResponse> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
        InvokeResponse.Success(await handler(payload, context).ConfigureAwait(false));
}
