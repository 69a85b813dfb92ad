using Microsoft.AspNetCore.Http;

namespace StreamCore.Server.Services.KinesisAnalytics;

/// <summary>
/// Kinesis Analytics v2 (json 1.1, <c>X-Amz-Target: KinesisAnalytics_20180523.&lt;Op&gt;</c>; its error shapes spell
/// the member <c>Message</c>). No operation is served yet (the Analytics issue adds them here): every target answers
/// the unknown-operation error.
/// </summary>
internal sealed class KinesisAnalyticsService : WireService
{
    public const string TargetPrefix = "KinesisAnalytics_20180523";

    public override Task HandleAsync(HttpContext context, ServiceRequest request) =>
        JsonErrors.UnknownOperationAsync(context, context.Request.Headers["X-Amz-Target"], "Message");

    public override Task WriteErrorAsync(HttpContext context, int status, string type, string message) => JsonErrors.WriteAsync(context, status, type, message, "Message");
}
