using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Server.Services.Kinesis;

/// <summary>
/// Kinesis Data Streams: JSON 1.1 and CBOR 1.1 (<c>X-Amz-Target: Kinesis_20131202.&lt;Op&gt;</c>) through the shared
/// wire translation of <c>StreamCore.Kinesis.Wire</c> to each account's <see cref="IKinesisClient"/>; SubscribeToShard
/// answers as an event stream.
/// </summary>
internal sealed class KinesisService : WireService
{
    public const string TargetPrefix = "Kinesis_20131202";

    private readonly ConcurrentDictionary<StreamEngine, IKinesisClient> _clients = new();

    private static bool IsCbor(HttpRequest request) => request.ContentType?.StartsWith(CborProtocol.ContentType, StringComparison.OrdinalIgnoreCase) == true;

    public override async Task HandleAsync(HttpContext context, ServiceRequest request)
    {
        string? target = context.Request.Headers[KinesisWire.TargetHeader];
        string? operationName = KinesisWire.OperationName(target);
        if (!HttpMethods.IsPost(context.Request.Method) || operationName is null || !KinesisOperations.ByName.TryGetValue(operationName, out KinesisOperation? operation))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "UnknownOperationException", target is null ? "Missing X-Amz-Target header." : $"Unknown operation {target}.").ConfigureAwait(false);
            return;
        }

        string contentType = context.Request.ContentType ?? JsonProtocol.ContentType;
        bool cbor = IsCbor(context.Request);
        if (!cbor && !contentType.StartsWith("application/x-amz-json-1.", StringComparison.OrdinalIgnoreCase) && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, KinesisWire.SerializationException, $"Content type {contentType} is not served; use {JsonProtocol.ContentType} or {CborProtocol.ContentType}.").ConfigureAwait(false);
            return;
        }

        object? body;
        try
        {
            body = request.Body.Length == 0
                ? null
                : cbor
                    ? CborProtocol.Deserialize(request.Body, operation.Request)
                    : JsonProtocol.Deserialize(request.Body.Span, operation.Request);
            body ??= operation.Request.CreateObject!();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException or NotSupportedException or System.Formats.Cbor.CborContentException or ArgumentException or OverflowException)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, KinesisWire.SerializationException, $"The body is not a valid {target} request: {ex.Message}").ConfigureAwait(false);
            return;
        }

        IKinesisClient client = _clients.GetOrAdd(request.Account, engine => engine.CreateKinesisClient());
        HttpResponse response = context.Response;
        try
        {
            if (operation == KinesisOperations.SubscribeToShard)
            {
                SubscribeToShardResponse subscription = await client.SubscribeToShardAsync((SubscribeToShardRequest)body, context.RequestAborted).ConfigureAwait(false);
                await StreamEventsAsync(response, subscription, cbor, context.RequestAborted).ConfigureAwait(false);
                return;
            }

            object result = await operation.InvokeAsync(client, body, context.RequestAborted).ConfigureAwait(false);
            response.StatusCode = StatusCodes.Status200OK;
            if (cbor)
            {
                response.ContentType = CborProtocol.ContentType;
                byte[] encoded = CborProtocol.Serialize(result, operation.Response!);
                response.ContentLength = encoded.Length;
                await response.Body.WriteAsync(encoded, context.RequestAborted).ConfigureAwait(false);
            }
            else if (result is GetRecordsResponse records)
            {
                response.ContentType = JsonProtocol.ContentType;
                await KinesisRecordsJsonWriter.WriteAsync(response.BodyWriter, records, context.RequestAborted).ConfigureAwait(false);
            }
            else if (result is PutRecordsResponse put)
            {
                response.ContentType = JsonProtocol.ContentType;
                KinesisRecordsJsonWriter.Write(response.BodyWriter, put);
            }
            else
            {
                response.ContentType = JsonProtocol.ContentType;
                await System.Text.Json.JsonSerializer.SerializeAsync(response.Body, result, operation.Response!, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (KinesisException ex)
        {
            int status = ex is InternalFailureException ? StatusCodes.Status500InternalServerError : StatusCodes.Status400BadRequest;
            await WriteErrorAsync(context, status, ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // An endpoint answers every failure in Kinesis's shape and never leaks a stack trace.
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested && !response.HasStarted)
#pragma warning restore CA1031
        {
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "InternalFailure", "Internal Service Failure").ConfigureAwait(false);
        }
    }

    public override Task WriteErrorAsync(HttpContext context, int status, string type, string message)
    {
        HttpResponse response = context.Response;
        response.StatusCode = status;
        if (IsCbor(context.Request))
        {
            response.ContentType = CborProtocol.ContentType;
            return response.Body.WriteAsync(CborProtocol.SerializeError(type, message)).AsTask();
        }

        response.ContentType = JsonProtocol.ContentType;
        return response.Body.WriteAsync(JsonProtocol.SerializeError(type, message)).AsTask();
    }

    /// <summary>
    /// Answers SubscribeToShard: an initial-response message, then a SubscribeToShardEvent message per event; an error
    /// after the stream has started (a takeover, a deregistered consumer) goes in-stream as an exception message.
    /// </summary>
    private static async Task StreamEventsAsync(HttpResponse response, SubscribeToShardResponse subscription, bool cbor, CancellationToken cancellationToken)
    {
        string payloadType = cbor ? CborProtocol.ContentType : JsonProtocol.ContentType;
        System.Text.Json.Serialization.Metadata.JsonTypeInfo mapContract = JsonProtocol.Contract<Dictionary<string, string>>();
        byte[] Encode(object value, System.Text.Json.Serialization.Metadata.JsonTypeInfo contract) => cbor ? CborProtocol.Serialize(value, contract) : JsonProtocol.Serialize(value, contract);
        KeyValuePair<string, string>[] Event(string type) => [new(KinesisWire.MessageTypeHeader, "event"), new(KinesisWire.EventTypeHeader, type), new(KinesisWire.ContentTypeHeader, payloadType)];

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = KinesisWire.EventStreamContentType;
        await WriteMessageAsync(response, Event(KinesisWire.InitialResponseEvent), Encode(new Dictionary<string, string>(), mapContract), cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (SubscribeToShardEvent e in subscription.EventStream!.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await WriteMessageAsync(response, Event(KinesisWire.SubscribeToShardEventName), Encode(e, KinesisOperations.SubscribeToShardEvent), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (KinesisException ex)
        {
            KeyValuePair<string, string>[] headers = [new(KinesisWire.MessageTypeHeader, "exception"), new(KinesisWire.ExceptionTypeHeader, ex.ErrorCode), new(KinesisWire.ContentTypeHeader, payloadType)];
            await WriteMessageAsync(response, headers, Encode(new Dictionary<string, string> { [KinesisWire.ErrorMessageMember] = ex.Message }, mapContract), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteMessageAsync(HttpResponse response, KeyValuePair<string, string>[] headers, byte[] payload, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(EventStreamMessage.Encode(headers, payload), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
