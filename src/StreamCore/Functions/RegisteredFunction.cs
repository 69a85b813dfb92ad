using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StreamCore.Functions;

/// <summary>
/// A function of a <see cref="FunctionRegistry"/>: its name, ARN and timeout, and the one home of the invocation
/// contract. An invocation that throws, times out or answers with an error is a function error
/// (<see cref="InvokeResponse.FunctionError"/>, <see cref="InvokeResponse.Unhandled"/> for the first two), never an exception;
/// only the caller's own cancellation is an exception.
/// </summary>
public sealed class RegisteredFunction
{
    private readonly FunctionRegistry _registry;

    internal RegisteredFunction(FunctionRegistry registry, string functionName, LambdaFunction function, TimeSpan timeout)
    {
        _registry = registry;
        FunctionName = functionName;
        FunctionArn = registry.FunctionArn(functionName);
        Function = function;
        Timeout = timeout;
    }

    /// <summary>The function's name.</summary>
    public string FunctionName { get; }

    /// <summary>The function's ARN, <c>arn:aws:lambda:{region}:{account}:function:{name}</c>.</summary>
    public string FunctionArn { get; }

    /// <summary>How long an invocation may take before it is a function error.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The function's code.</summary>
    internal LambdaFunction Function { get; }

    /// <summary>Invokes the function with an event's JSON bytes.</summary>
    /// <param name="payload">The event's JSON bytes.</param>
    /// <param name="cancellationToken">Gives up the invocation (an <see cref="OperationCanceledException"/>, not a function error).</param>
    /// <returns>The response: the result bytes, or a function error.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<InvokeResponse> InvokeAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var invocation = new Invocation(this, _registry.TimeProvider, cancellationToken);
        try
        {
            return await invocation.Run(Function.InvokeAsync(payload, invocation, invocation.CancellationToken)).ConfigureAwait(false);
        }
        catch (Exception error) when (invocation.ToFunctionError(error) is { } response)
        {
            return response;
        }
    }

    /// <summary>
    /// Invokes the function with an event object: directly when the function is typed for <typeparamref name="TEvent"/>
    /// and <typeparamref name="TResult"/>, otherwise through JSON (<paramref name="eventJson"/> writes the event,
    /// <paramref name="parse"/> reads the result bytes, and a result it cannot read, by throwing, is a function error).
    /// </summary>
    internal async ValueTask<FunctionOutcome<TResult>> InvokeAsync<TEvent, TResult>(TEvent evnt, JsonTypeInfo<TEvent> eventJson, Func<ReadOnlyMemory<byte>, TResult> parse, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var invocation = new Invocation(this, _registry.TimeProvider, cancellationToken);
        try
        {
            if (Function is TypedFunction<TEvent, TResult> typed)
            {
                return new FunctionOutcome<TResult>(await invocation.Run(typed.Handler(evnt, invocation)).ConfigureAwait(false), null);
            }

            byte[] payload = JsonSerializer.SerializeToUtf8Bytes(evnt, eventJson);
            InvokeResponse response = await invocation.Run(Function.InvokeAsync(payload, invocation, invocation.CancellationToken)).ConfigureAwait(false);
            if (response.IsFunctionError)
            {
                return new FunctionOutcome<TResult>(default, response);
            }

            TResult result;
            try
            {
                result = parse(response.Payload);
            }
            catch (Exception malformed) when (malformed is JsonException or FormatException or InvalidOperationException or NotSupportedException)
            {
                return new FunctionOutcome<TResult>(default, InvokeResponse.Error("InvalidResponse", "The function's response is not valid: " + malformed.Message));
            }

            return new FunctionOutcome<TResult>(result, null);
        }
        catch (Exception error) when (invocation.ToFunctionError(error) is { } response)
        {
            return new FunctionOutcome<TResult>(default, response);
        }
    }

    /// <summary>One invocation: its request id, deadline and cancellation (the caller's, linked with the timeout's).</summary>
    private sealed class Invocation : ILambdaContext, IDisposable
    {
        private readonly RegisteredFunction _function;
        private readonly TimeProvider _time;
        private readonly CancellationToken _caller;
        private readonly CancellationTokenSource _timeout;
        private readonly CancellationTokenSource? _linked;
        private readonly long _started;

        public Invocation(RegisteredFunction function, TimeProvider time, CancellationToken caller)
        {
            _function = function;
            _time = time;
            _caller = caller;
            _started = time.GetTimestamp();
            _timeout = new CancellationTokenSource(function.Timeout, time);
            _linked = caller.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(caller, _timeout.Token) : null;
            CancellationToken = (_linked ?? _timeout).Token;
        }

        public string AwsRequestId { get; } = Guid.NewGuid().ToString();

        public string FunctionName => _function.FunctionName;

        public string FunctionVersion => InvokeResponse.LatestVersion;

        public string InvokedFunctionArn => _function.FunctionArn;

        public TimeSpan RemainingTime
        {
            get
            {
                TimeSpan left = _function.Timeout - _time.GetElapsedTime(_started);
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }

        public CancellationToken CancellationToken { get; }

        /// <summary>Awaits the function's task, but no longer than the timeout: a function that ignores its token still times out.</summary>
        public async ValueTask<T> Run<T>(ValueTask<T> call)
        {
            if (call.IsCompletedSuccessfully)
            {
                return call.Result;
            }

            Task<T> task = call.AsTask();
            try
            {
                return await task.WaitAsync(CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!task.IsCompleted)
            {
                // The function runs on, unobserved: observe its eventual fault so it is not reported as unobserved.
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw;
            }
        }

        /// <summary>The function error an exception of the call stands for; null for the caller's own cancellation (rethrown).</summary>
        public InvokeResponse? ToFunctionError(Exception error)
        {
            if (_caller.IsCancellationRequested && error is OperationCanceledException)
            {
                return null;
            }

            if (_timeout.IsCancellationRequested && error is OperationCanceledException)
            {
                // Lambda's text: "<timestamp> <request id> Task timed out after 3.00 seconds".
                string at = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                string seconds = _function.Timeout.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
                return InvokeResponse.Error(null, $"{at} {AwsRequestId} Task timed out after {seconds} seconds");
            }

            return InvokeResponse.Error(error.GetType().Name, error.Message);
        }

        public void Dispose()
        {
            _linked?.Dispose();
            _timeout.Dispose();
        }
    }
}

/// <summary>The outcome of a typed invocation: the result, or the function error.</summary>
internal readonly record struct FunctionOutcome<TResult>(TResult? Result, InvokeResponse? Error)
{
    public bool Succeeded => Error is null;
}
