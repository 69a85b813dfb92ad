using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StreamCore.Server.Services.Lambda;

/// <summary>
/// Lambda's event source mappings and function look-up (rest-json under <c>/2015-03-31/</c>). No operation is served
/// yet (the Lambda issue adds them here): every path answers Lambda's unknown-operation error. Lambda's error shape:
/// the status, header <c>X-Amzn-ErrorType</c>, body <c>{"Type":"User","message":...}</c>.
/// </summary>
internal sealed class LambdaService : WireService
{
    public const string PathPrefix = "/2015-03-31/";

    public override string ThrottlingError => "TooManyRequestsException";

    public override Task HandleAsync(HttpContext context, ServiceRequest request) =>
        WriteErrorAsync(context, StatusCodes.Status404NotFound, "UnknownOperationException", $"Unknown operation {context.Request.Method} {context.Request.Path}.");

    public override Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.Headers["X-Amzn-ErrorType"] = type;
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("Type", "User");
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        return response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }
}
