using System.Collections.Concurrent;
using System.Text.Json.Serialization.Metadata;

namespace StreamCore.Functions;

/// <summary>
/// The functions of one account in one region, by name, with Lambda's ARNs
/// (<c>arn:aws:lambda:{region}:{account}:function:{name}</c>). Event source mappings and Firehose transformations find
/// their function here, by name, partial ARN or full ARN as Lambda accepts, and invoke it through
/// <see cref="RegisteredFunction.InvokeAsync(ReadOnlyMemory{byte}, CancellationToken)"/>. Thread-safe.
/// </summary>
/// <remarks>
/// An engine has one registry (<see cref="FunctionsEngineExtensions.GetFunctionRegistry"/>); a registry can also stand
/// alone. A function is either JSON in, JSON out (a delegate or a <see cref="LambdaFunction"/>), or typed
/// (<see cref="Register{TEvent, TResult}"/>): a typed function is called with the event object by callers that have one
/// (an event source mapping calls a Kinesis handler without JSON) and through JSON by everyone else.
/// </remarks>
public sealed class FunctionRegistry
{
    /// <summary>Lambda's default function timeout: three seconds.</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Lambda's longest function timeout: fifteen minutes.</summary>
    public static readonly TimeSpan MaxFunctionTimeout = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, RegisteredFunction> _functions = new(StringComparer.Ordinal);

    /// <summary>Creates an empty registry.</summary>
    /// <param name="accountId">The 12-digit account in the functions' ARNs.</param>
    /// <param name="region">The region in the functions' ARNs.</param>
    /// <param name="timeProvider">The clock of timeouts and of <see cref="ILambdaContext.RemainingTime"/>; default the system clock.</param>
    /// <param name="partition">The ARN partition; default <c>aws</c>.</param>
    /// <exception cref="ArgumentException">The account is not 12 digits, or the region or partition is blank.</exception>
    public FunctionRegistry(string accountId, string region, TimeProvider? timeProvider = null, string partition = "aws")
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(partition);
        if (accountId.Length != 12 || accountId.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw new ArgumentException($"The account id '{accountId}' must be 12 digits.", nameof(accountId));
        }

        AccountId = accountId;
        Region = region;
        Partition = partition;
        TimeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The account in the functions' ARNs.</summary>
    public string AccountId { get; }

    /// <summary>The region in the functions' ARNs.</summary>
    public string Region { get; }

    /// <summary>The ARN partition.</summary>
    public string Partition { get; }

    /// <summary>The clock of timeouts.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The ARN of the function <paramref name="functionName"/> (registered or not).</summary>
    /// <param name="functionName">A function name.</param>
    /// <returns><c>arn:{partition}:lambda:{region}:{account}:function:{name}</c>.</returns>
    public string FunctionArn(string functionName)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        return $"arn:{Partition}:lambda:{Region}:{AccountId}:function:{functionName}";
    }

    /// <summary>Registers a function given as a <see cref="LambdaFunction"/> (JSON in, JSON out).</summary>
    /// <param name="functionName">The name: 1 to 64 of <c>a-z A-Z 0-9 - _</c>.</param>
    /// <param name="function">The function's code.</param>
    /// <param name="timeout">How long an invocation may take before it is a function error; default <see cref="DefaultFunctionTimeout"/>, at most <see cref="MaxFunctionTimeout"/>.</param>
    /// <returns>The registered function.</returns>
    /// <exception cref="ArgumentException">The name or timeout is not valid.</exception>
    /// <exception cref="ResourceConflictException">A function of that name is registered already (nothing changes).</exception>
    public RegisteredFunction Register(string functionName, LambdaFunction function, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Add(functionName, function, timeout);
    }

    /// <summary>Registers a delegate that takes the event's JSON bytes and returns the result's bytes; an exception it throws is a function error.</summary>
    /// <param name="functionName">The name: 1 to 64 of <c>a-z A-Z 0-9 - _</c>.</param>
    /// <param name="handler">The function's code.</param>
    /// <param name="timeout">How long an invocation may take; default <see cref="DefaultFunctionTimeout"/>.</param>
    /// <returns>The registered function.</returns>
    /// <exception cref="ArgumentException">The name or timeout is not valid.</exception>
    /// <exception cref="ResourceConflictException">A function of that name is registered already.</exception>
    public RegisteredFunction Register(string functionName, Func<ReadOnlyMemory<byte>, ILambdaContext, ValueTask<ReadOnlyMemory<byte>>> handler, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(functionName, new JsonDelegateFunction(handler), timeout);
    }

    /// <summary>
    /// Registers a typed handler: callers that hold a <typeparamref name="TEvent"/> call it directly, everyone else through
    /// JSON (the event is read with <paramref name="eventJson"/>, the result written with <paramref name="resultJson"/>).
    /// An exception the handler throws is a function error.
    /// </summary>
    /// <typeparam name="TEvent">The event type (for example <c>KinesisEvent</c>).</typeparam>
    /// <typeparam name="TResult">The result type (for example <c>StreamsEventResponse</c>).</typeparam>
    /// <param name="functionName">The name: 1 to 64 of <c>a-z A-Z 0-9 - _</c>.</param>
    /// <param name="handler">The function's code.</param>
    /// <param name="eventJson">How the event reads from JSON.</param>
    /// <param name="resultJson">How the result writes as JSON.</param>
    /// <param name="timeout">How long an invocation may take; default <see cref="DefaultFunctionTimeout"/>.</param>
    /// <returns>The registered function.</returns>
    /// <exception cref="ArgumentException">The name or timeout is not valid.</exception>
    /// <exception cref="ResourceConflictException">A function of that name is registered already.</exception>
    public RegisteredFunction Register<TEvent, TResult>(
        string functionName,
        Func<TEvent, ILambdaContext, ValueTask<TResult>> handler,
        JsonTypeInfo<TEvent> eventJson,
        JsonTypeInfo<TResult> resultJson,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(eventJson);
        ArgumentNullException.ThrowIfNull(resultJson);
        return Add(functionName, new TypedFunction<TEvent, TResult>(handler, eventJson, resultJson), timeout);
    }

    /// <summary>Removes a function. Event source mappings of it then fail their invocations (the function is not found).</summary>
    /// <param name="functionName">The name, partial ARN or full ARN.</param>
    /// <returns>Whether a function was removed.</returns>
    public bool Remove(string functionName)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        return TryGetFunction(functionName, out RegisteredFunction? function) && _functions.TryRemove(new KeyValuePair<string, RegisteredFunction>(function.FunctionName, function));
    }

    /// <summary>Finds a function by name, partial ARN or full ARN, as Lambda accepts a <c>FunctionName</c>.</summary>
    /// <param name="functionName">The name, partial ARN or full ARN (the qualifier, if any, must be <c>$LATEST</c>).</param>
    /// <returns>The function.</returns>
    /// <exception cref="ValidationException">The value does not match Lambda's FunctionName pattern or is longer than 256.</exception>
    /// <exception cref="ResourceNotFoundException">No such function: <c>Function not found: &lt;arn&gt;</c>.</exception>
    public RegisteredFunction GetFunction(string functionName)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        if (!FunctionName.TryParse(functionName, out FunctionName parsed) || functionName.Length > FunctionName.MaxLength)
        {
            throw new ValidationException(InvalidFunctionNameMessage(functionName));
        }

        return Find(parsed) ?? throw new ResourceNotFoundException(NotFoundMessage(parsed));
    }

    /// <summary>Finds a function by name, partial ARN or full ARN, without throwing.</summary>
    /// <param name="functionName">The name, partial ARN or full ARN.</param>
    /// <param name="function">The function, or <see langword="null"/>.</param>
    /// <returns>Whether it was found.</returns>
    public bool TryGetFunction(string functionName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RegisteredFunction? function)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        function = FunctionName.TryParse(functionName, out FunctionName parsed) && functionName.Length <= FunctionName.MaxLength ? Find(parsed) : null;
        return function is not null;
    }

    /// <summary>The registered functions, in ordinal order of their names.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<RegisteredFunction> ListFunctions() => [.. _functions.Values.OrderBy(f => f.FunctionName, StringComparer.Ordinal)];

    /// <summary>Finds a function and invokes it with JSON event bytes (see <see cref="RegisteredFunction.InvokeAsync(ReadOnlyMemory{byte}, CancellationToken)"/>).</summary>
    /// <param name="functionName">The name, partial ARN or full ARN.</param>
    /// <param name="payload">The event's JSON bytes.</param>
    /// <param name="cancellationToken">Gives up the invocation (an <see cref="OperationCanceledException"/>, not a function error).</param>
    /// <returns>The response: the result bytes, or a function error.</returns>
    /// <exception cref="ValidationException">The function name is malformed.</exception>
    /// <exception cref="ResourceNotFoundException">No such function.</exception>
    public ValueTask<InvokeResponse> InvokeAsync(string functionName, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        GetFunction(functionName).InvokeAsync(payload, cancellationToken);

    /// <summary>The text of <see cref="ValidationException"/> for a malformed FunctionName member.</summary>
    internal static string InvalidFunctionNameMessage(string value, string path = "functionName") =>
        value.Length > FunctionName.MaxLength
            ? $"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {FunctionName.MaxLength}"
            : $"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {FunctionName.Pattern}";

    /// <summary>Lambda's not-found text: the ARN the request named, completed with the registry's account and region.</summary>
    internal string NotFoundMessage(FunctionName name)
    {
        string arn = $"arn:{name.Partition ?? Partition}:lambda:{name.Region ?? Region}:{name.AccountId ?? AccountId}:function:{name.Name}";
        return "Function not found: " + (name.Qualifier is null ? arn : arn + ":" + name.Qualifier);
    }

    internal RegisteredFunction? Find(FunctionName name)
    {
        bool ours = (name.Partition is null || name.Partition == Partition)
            && (name.Region is null || name.Region == Region)
            && (name.AccountId is null || name.AccountId == AccountId)
            && (name.Qualifier is null || name.Qualifier == InvokeResponse.LatestVersion);
        return ours && _functions.TryGetValue(name.Name, out RegisteredFunction? function) ? function : null;
    }

    private RegisteredFunction Add(string functionName, LambdaFunction function, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(functionName);
        if (!FunctionName.IsRegistrableName(functionName))
        {
            throw new ArgumentException($"The function name '{functionName}' must be 1 to {FunctionName.MaxNameLength} letters, digits, hyphens or underscores.", nameof(functionName));
        }

        TimeSpan limit = timeout ?? DefaultFunctionTimeout;
        if (limit <= TimeSpan.Zero || limit > MaxFunctionTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), limit, $"The timeout must be greater than 00:00:00 and at most {MaxFunctionTimeout}.");
        }

        var registered = new RegisteredFunction(this, functionName, function, limit);
        if (!_functions.TryAdd(functionName, registered))
        {
            throw new ResourceConflictException($"Function already exist: {functionName}");
        }

        return registered;
    }
}
