using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using StreamCore.Functions;

namespace StreamCore.Server.Services.Lambda;

/// <summary>
/// Lambda's event source mappings and function look-up (rest-json under <c>/2015-03-31/</c>, method and path select
/// the operation): <c>event-source-mappings[/]</c> (POST create, GET list), <c>event-source-mappings/{UUID}</c> (GET,
/// PUT update, DELETE) and <c>GET functions/{FunctionName}</c>, each account's own. Create, update and delete answer
/// 202 as Lambda does. Errors in Lambda's shape: the status of the error, header <c>X-Amzn-ErrorType</c>, body
/// <c>{"Type":"User","message":...}</c> (<c>Message</c> where Lambda's model spells it so). Anything else answers
/// Lambda's unknown-operation error.
/// </summary>
internal sealed partial class LambdaService : WireService
{
    public const string PathPrefix = "/2015-03-31/";

    private const string MappingsPath = "event-source-mappings";
    private const string FunctionsPath = "functions/";

    public override string ThrottlingError => "TooManyRequestsException";

    public override async Task HandleAsync(HttpContext context, ServiceRequest request)
    {
        HttpRequest http = context.Request;
        string path = http.Path.Value ?? string.Empty;
        string rest = path.StartsWith(PathPrefix, StringComparison.Ordinal) ? path[PathPrefix.Length..] : string.Empty;
        try
        {
            Task? handled = Route(context, request, http.Method, rest);
            if (handled is null)
            {
                await WriteErrorAsync(context, StatusCodes.Status404NotFound, "UnknownOperationException", $"Unknown operation {http.Method} {path}.").ConfigureAwait(false);
                return;
            }

            await handled.ConfigureAwait(false);
        }
        catch (LambdaException ex)
        {
            await WriteErrorAsync(context, ex.StatusCode, ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "InvalidRequestContentException", $"Could not parse request body into json: {ex.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>The operation the method and path name, or null for none.</summary>
    private Task? Route(HttpContext context, ServiceRequest request, string method, string rest)
    {
        if (rest is MappingsPath or MappingsPath + "/")
        {
            return method switch
            {
                "POST" => CreateEventSourceMappingAsync(context, request),
                "GET" => ListEventSourceMappingsAsync(context, request),
                _ => null,
            };
        }

        if (rest.StartsWith(MappingsPath + "/", StringComparison.Ordinal))
        {
            string uuid = rest[(MappingsPath.Length + 1)..];
            if (uuid.Length == 0 || uuid.Contains('/', StringComparison.Ordinal))
            {
                return null;
            }

            return method switch
            {
                "GET" => GetEventSourceMappingAsync(context, request, uuid),
                "PUT" => UpdateEventSourceMappingAsync(context, request, uuid),
                "DELETE" => DeleteEventSourceMappingAsync(context, request, uuid),
                _ => null,
            };
        }

        if (rest.StartsWith(FunctionsPath, StringComparison.Ordinal) && method == "GET")
        {
            string name = rest[FunctionsPath.Length..];
            return name.Length == 0 || name.Contains('/', StringComparison.Ordinal) ? null : GetFunctionAsync(context, request, name);
        }

        return null;
    }

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
            writer.WriteString("Type", status >= 500 ? "Service" : "User");
            writer.WriteString(MessageMember(type), message);
            writer.WriteEndObject();
        }

        return response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }

    /// <summary>Lambda's model spells the member <c>Message</c> for these errors and <c>message</c> for the others.</summary>
    internal static string MessageMember(string type) => type is "ResourceNotFoundException" or "ResourceInUseException" or "ServiceException" ? "Message" : "message";

    private static T Read<T>(ServiceRequest request, JsonTypeInfo<T> type) where T : new() =>
        request.Body.Length == 0 ? new T() : JsonSerializer.Deserialize(request.Body.Span, type) ?? throw new JsonException("The body is JSON null; expected an object.");

    private static async Task WriteAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
