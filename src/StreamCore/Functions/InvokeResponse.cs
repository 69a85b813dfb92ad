namespace StreamCore.Functions;

/// <summary>
/// The result of one invocation, as Lambda's Invoke API reports it (<c>Amazon.Lambda.Model.InvokeResponse</c>): the
/// function's result bytes, and <see cref="FunctionError"/> set when the function failed (it threw, timed out, or
/// answered with an error). An invocation that failed in the function still has status code 200, as in Lambda.
/// </summary>
public sealed class InvokeResponse
{
    /// <summary>The <see cref="FunctionError"/> of an error the function did not handle (a thrown exception, a timeout).</summary>
    public const string Unhandled = "Unhandled";

    /// <summary>The version that ran. StreamCore's functions have one version.</summary>
    public const string LatestVersion = "$LATEST";

    /// <summary>Creates a response.</summary>
    /// <param name="payload">The function's result bytes (for an error, Lambda's error document).</param>
    /// <param name="functionError"><see langword="null"/> for a success; otherwise the kind of error (<see cref="Unhandled"/>).</param>
    public InvokeResponse(ReadOnlyMemory<byte> payload, string? functionError = null)
    {
        Payload = payload;
        FunctionError = functionError;
    }

    /// <summary>The HTTP status of the invocation: 200, also for a function error (as Lambda reports it).</summary>
    public int StatusCode { get; init; } = 200;

    /// <summary>
    /// <see langword="null"/> when the function succeeded; otherwise the kind of function error (<see cref="Unhandled"/>, or
    /// what an HTTP function's <c>X-Amz-Function-Error</c> header said).
    /// </summary>
    public string? FunctionError { get; }

    /// <summary>Whether the invocation failed in the function.</summary>
    public bool IsFunctionError => FunctionError is not null;

    /// <summary>The function's result (possibly empty), or for a function error Lambda's error document <c>{"errorMessage":…,"errorType":…}</c>.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The version that ran: <see cref="LatestVersion"/>.</summary>
    public string ExecutedVersion { get; init; } = LatestVersion;

    /// <summary>A successful invocation with <paramref name="payload"/> as its result.</summary>
    /// <param name="payload">The result bytes.</param>
    /// <returns>The response.</returns>
    public static InvokeResponse Success(ReadOnlyMemory<byte> payload) => new(payload);

    /// <summary>A function error with Lambda's error document <c>{"errorMessage":…,"errorType":…}</c>.</summary>
    /// <param name="errorType">The error's type (for a .NET exception, its type name); omitted when null.</param>
    /// <param name="errorMessage">The error's message.</param>
    /// <param name="functionError">The kind of function error; default <see cref="Unhandled"/>.</param>
    /// <returns>The response.</returns>
    public static InvokeResponse Error(string? errorType, string errorMessage, string functionError = Unhandled)
    {
        ArgumentNullException.ThrowIfNull(errorMessage);
        ArgumentNullException.ThrowIfNull(functionError);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("errorMessage", errorMessage);
            if (errorType is not null)
            {
                json.WriteString("errorType", errorType);
            }

            json.WriteEndObject();
        }

        return new InvokeResponse(buffer.WrittenMemory, functionError);
    }
}
