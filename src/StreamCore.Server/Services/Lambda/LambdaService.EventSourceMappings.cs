using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using StreamCore.EventSources;
using StreamCore.Functions;

namespace StreamCore.Server.Services.Lambda;

/// <summary>The event source mapping operations: the wire's bodies onto each account's <see cref="ILambdaClient"/> and back.</summary>
internal sealed partial class LambdaService
{
    /// <summary>Members of CreateEventSourceMapping that belong to other event sources (SQS, Kafka, MQ, DocumentDB).</summary>
    private static readonly string[] OtherSourcesMembers =
    [
        "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource", "SelfManagedKafkaEventSourceConfig",
        "AmazonManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig", "ScalingConfig", "ProvisionedPollerConfig",
    ];

    private readonly ConcurrentDictionary<StreamEngine, ILambdaClient> _clients = new();

    private ILambdaClient Client(ServiceRequest request) => _clients.GetOrAdd(request.Account, static engine => engine.CreateLambdaClient());

    private async Task CreateEventSourceMappingAsync(HttpContext context, ServiceRequest request)
    {
        CreateEventSourceMappingRequest create = Read(request, LambdaJsonContext.Default.CreateEventSourceMappingRequest);
        RejectOtherSources(request.Body.Span);
        CreateEventSourceMappingResponse created = await Client(request).CreateEventSourceMappingAsync(create, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status202Accepted, created, LambdaJsonContext.Default.EventSourceMappingDescription).ConfigureAwait(false);
    }

    private async Task GetEventSourceMappingAsync(HttpContext context, ServiceRequest request, string uuid)
    {
        GetEventSourceMappingResponse mapping = await Client(request).GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = uuid }, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status200OK, mapping, LambdaJsonContext.Default.EventSourceMappingDescription).ConfigureAwait(false);
    }

    private async Task UpdateEventSourceMappingAsync(HttpContext context, ServiceRequest request, string uuid)
    {
        UpdateEventSourceMappingRequest update = Read(request, LambdaJsonContext.Default.UpdateEventSourceMappingRequest);
        RejectOtherSources(request.Body.Span);
        update.UUID = uuid;
        UpdateEventSourceMappingResponse updated = await Client(request).UpdateEventSourceMappingAsync(update, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status202Accepted, updated, LambdaJsonContext.Default.EventSourceMappingDescription).ConfigureAwait(false);
    }

    private async Task DeleteEventSourceMappingAsync(HttpContext context, ServiceRequest request, string uuid)
    {
        DeleteEventSourceMappingResponse deleted = await Client(request).DeleteEventSourceMappingAsync(new DeleteEventSourceMappingRequest { UUID = uuid }, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, StatusCodes.Status202Accepted, deleted, LambdaJsonContext.Default.EventSourceMappingDescription).ConfigureAwait(false);
    }

    private async Task ListEventSourceMappingsAsync(HttpContext context, ServiceRequest request)
    {
        IQueryCollection query = context.Request.Query;
        var list = new ListEventSourceMappingsRequest
        {
            FunctionName = Single(query, "FunctionName"),
            EventSourceArn = Single(query, "EventSourceArn"),
            Marker = Single(query, "Marker"),
            MaxItems = Single(query, "MaxItems") is { } text
                ? int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int max)
                    ? max
                    : throw new ValidationException($"1 validation error detected: Value '{text}' at 'maxItems' failed to satisfy constraint: Member must be an integer between 1 and 10000")
                : null,
        };
        ListEventSourceMappingsResponse page = await Client(request).ListEventSourceMappingsAsync(list, context.RequestAborted).ConfigureAwait(false);

        // {"NextMarker":…,"EventSourceMappings":[…]}: each item the model itself (the response's HttpStatusCode is not on the wire).
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (page.NextMarker is { } marker)
            {
                json.WriteString("NextMarker", marker);
            }

            json.WriteStartArray("EventSourceMappings");
            foreach (EventSourceMappingConfiguration mapping in page.EventSourceMappings ?? [])
            {
                JsonSerializer.Serialize(json, mapping, LambdaJsonContext.Default.EventSourceMappingDescription);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out Microsoft.Extensions.Primitives.StringValues values) ? values.ToString() : null;

    /// <summary>Refuses members that belong to other event sources (the model ignores members it does not name).</summary>
    private static void RejectOtherSources(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            foreach (string member in OtherSourcesMembers)
            {
                if (reader.ValueTextEquals(member))
                {
                    throw new InvalidParameterValueException($"{member} is not supported for an event source mapping of a Kinesis stream; it applies to other event sources (Amazon SQS, Apache Kafka, Amazon MQ, Amazon DocumentDB).");
                }
            }

            reader.Read();
            reader.Skip();
        }
    }
}
