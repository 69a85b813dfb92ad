namespace StreamCore.Functions;

/// <summary>
/// The base of every error StreamCore raises for a Lambda condition (function look-up, event source mappings).
/// <see cref="ErrorCode"/> is Lambda's error name (the wire's <c>X-Amzn-ErrorType</c>), <see cref="StatusCode"/> the HTTP
/// status Lambda answers with, and the message is Lambda's text where it is known.
/// </summary>
/// <remarks>
/// These are Lambda's exceptions, as <c>Amazon.Lambda.Model</c> has them; some share a name with a Kinesis exception of
/// <c>StreamCore.Errors</c> (as <c>Amazon.Lambda.Model</c> and <c>Amazon.Kinesis.Model</c> do), so code that uses both
/// namespaces qualifies or aliases one.
/// </remarks>
public abstract class LambdaException : Exception
{
    /// <summary>Creates the exception with Lambda's message text.</summary>
    /// <param name="message">What was wrong and what was expected.</param>
    /// <param name="statusCode">The HTTP status Lambda answers this error with.</param>
    protected LambdaException(string message, int statusCode)
        : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>Lambda's error name, as the wire's <c>X-Amzn-ErrorType</c> header carries it.</summary>
    public virtual string ErrorCode => GetType().Name;

    /// <summary>The HTTP status code Lambda answers this error with.</summary>
    public int StatusCode { get; }
}

/// <summary>The function or event source mapping named by the request does not exist (HTTP 404).</summary>
/// <param name="message">Lambda's text, e.g. <c>Function not found: arn:aws:lambda:us-east-1:000000000000:function:f</c>.</param>
public sealed class ResourceNotFoundException(string message) : LambdaException(message, 404);

/// <summary>A parameter of the request is not acceptable (HTTP 400).</summary>
/// <param name="message">What was wrong and what was expected.</param>
public sealed class InvalidParameterValueException(string message) : LambdaException(message, 400);

/// <summary>
/// A request member breaks a constraint of Lambda's model (length, range, pattern, enum), reported in AWS's
/// <c>1 validation error detected: Value '…' at '…' failed to satisfy constraint: …</c> form (HTTP 400).
/// </summary>
/// <param name="message">The constraint failures.</param>
public sealed class ValidationException(string message) : LambdaException(message, 400);

/// <summary>The resource already exists, or is being changed by another request (HTTP 409).</summary>
/// <param name="message">What conflicts.</param>
public sealed class ResourceConflictException(string message) : LambdaException(message, 409);

/// <summary>The resource is in use or in a state that does not allow the operation (HTTP 400).</summary>
/// <param name="message">What is in use.</param>
public sealed class ResourceInUseException(string message) : LambdaException(message, 400);

/// <summary>Lambda had an internal error (HTTP 500).</summary>
/// <param name="message">What failed.</param>
public sealed class ServiceException(string message) : LambdaException(message, 500);

/// <summary>The request rate is too high (HTTP 429).</summary>
/// <param name="message">Which limit.</param>
public sealed class TooManyRequestsException(string message) : LambdaException(message, 429);
