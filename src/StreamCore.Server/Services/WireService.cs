using Microsoft.AspNetCore.Http;

namespace StreamCore.Server.Services;

/// <summary>
/// One AWS service on the endpoint's port: its own protocol translation (request bodies to the library's faces and
/// back) and its own error shape. The host picks the service (by <c>X-Amz-Target</c> prefix or REST path), bounds the
/// request, reads the body and resolves the account; the service does the rest. Adding a service touches no other.
/// </summary>
internal abstract class WireService
{
    /// <summary>Answers the request; <paramref name="request"/> holds its body and account.</summary>
    public abstract Task HandleAsync(HttpContext context, ServiceRequest request);

    /// <summary>Answers an error in this service's shape (json 1.1 <c>__type</c>/<c>message</c>, Lambda's rest-json, ...).</summary>
    public abstract Task WriteErrorAsync(HttpContext context, int status, string type, string message);

    /// <summary>The throttling error an overloaded endpoint answers with (HTTP 503), which every AWS SDK retries.</summary>
    public virtual string ThrottlingError => "ThrottlingException";
}

/// <summary>A request the host has bounded, read and attributed to an account.</summary>
/// <param name="Body">The whole body.</param>
/// <param name="Account">The account's engine (from the access key id, or the default one).</param>
/// <param name="Operation">The operation the <c>X-Amz-Target</c> names after its prefix, if any.</param>
internal sealed record ServiceRequest(ReadOnlyMemory<byte> Body, StreamEngine Account, string? Operation);
