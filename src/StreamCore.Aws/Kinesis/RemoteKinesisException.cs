using System.Net;
using StreamCore.Errors;

namespace StreamCore.Aws.Kinesis;

/// <summary>
/// An error from a remote endpoint that is not one of Kinesis's modelled exceptions (those come back as the same types
/// the in-process client throws): a signature or credentials error (<c>InvalidSignatureException</c>,
/// <c>UnrecognizedClientException</c>), a <c>SerializationException</c>, an unknown operation, or a bare HTTP failure.
/// </summary>
public sealed class RemoteKinesisException : KinesisException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The service's error code.</param>
    /// <param name="message">The service's message.</param>
    /// <param name="statusCode">The HTTP status of the answer.</param>
    public RemoteKinesisException(string errorCode, string message, HttpStatusCode statusCode)
        : base(message)
    {
        ErrorCode = errorCode;
        StatusCode = statusCode;
    }

    /// <inheritdoc />
    public override string ErrorCode { get; }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }
}
