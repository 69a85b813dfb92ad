using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StreamCore.Server.Services;

/// <summary>The json 1.1 error shape shared by Firehose and Kinesis Analytics v2: HTTP status, <c>{"__type", "message"}</c>.</summary>
internal static class JsonErrors
{
    public const string ContentType = "application/x-amz-json-1.1";

    public static Task WriteAsync(HttpContext context, int status, string type, string message, string messageMember = "message")
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("__type", type);
            writer.WriteString(messageMember, message);
            writer.WriteEndObject();
        }

        return response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }

    /// <summary>The unknown-operation answer of a json 1.1 service that does not serve <paramref name="target"/>.</summary>
    public static Task UnknownOperationAsync(HttpContext context, string? target, string messageMember = "message") =>
        WriteAsync(context, StatusCodes.Status400BadRequest, "UnknownOperationException", target is null ? "Missing X-Amz-Target header." : $"Unknown operation {target}.", messageMember);

    internal static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
