namespace StreamCore.Functions;

/// <summary>
/// A function's code behind the universal invocation contract: JSON event bytes in, result bytes out, or a function
/// error. Derive from it for a function that is not a .NET delegate (the server's HTTP functions); register delegates
/// with <see cref="FunctionRegistry.Register(string, Func{ReadOnlyMemory{byte}, ILambdaContext, ValueTask{ReadOnlyMemory{byte}}}, TimeSpan?)"/>.
/// </summary>
/// <remarks>
/// The registry applies the function's timeout and turns an exception into a function error (<see cref="InvokeResponse.Unhandled"/>),
/// so an implementation only invokes. It is called concurrently (one call per shard, or per lane, at a time).
/// </remarks>
public abstract class LambdaFunction
{
    /// <summary>Invokes the function with an event.</summary>
    /// <param name="payload">The event as JSON bytes (valid only until the returned task completes).</param>
    /// <param name="context">The invocation's context.</param>
    /// <param name="cancellationToken">Cancelled when the invocation times out or its caller gives up.</param>
    /// <returns>The response: a success with the result bytes, or a function error.</returns>
    public abstract ValueTask<InvokeResponse> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken);
}
