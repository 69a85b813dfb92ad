using Microsoft.AspNetCore.Http;

namespace StreamCore.Server.Services.Firehose;

/// <summary>
/// Firehose (json 1.1, <c>X-Amz-Target: Firehose_20150804.&lt;Op&gt;</c>). No operation is served yet (the Firehose
/// issue adds them here): every target answers Firehose's unknown-operation error.
/// </summary>
internal sealed class FirehoseService : WireService
{
    public const string TargetPrefix = "Firehose_20150804";

    public override Task HandleAsync(HttpContext context, ServiceRequest request) =>
        JsonErrors.UnknownOperationAsync(context, context.Request.Headers["X-Amz-Target"]);

    public override Task WriteErrorAsync(HttpContext context, int status, string type, string message) => JsonErrors.WriteAsync(context, status, type, message);
}
