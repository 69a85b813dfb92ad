using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamCore.Kinesis;
using StreamCore.Kinesis.Wire;
using StreamCore.Server.Protocol;
using StreamCore.Errors;

namespace StreamCore.Server;

/// <summary>
/// Serves a <see cref="StreamEngine"/> over Kinesis's JSON 1.1 wire protocol (<c>POST /</c> with
/// <c>X-Amz-Target: Kinesis_20131202.&lt;Operation&gt;</c>), so AWS clients reach it with <c>--endpoint-url</c>. Start
/// one in a test or an application with <see cref="StartAsync(StreamEngine, string, CancellationToken)"/>, sharing the engine the code also uses directly.
/// </summary>
public sealed class KinesisEndpoint : IAsyncDisposable
{
    /// <summary>The largest request body accepted: a 10 MiB PutRecords in base64 with room for its JSON.</summary>
    public const long MaxRequestBytes = 16 * 1024 * 1024;

    private const string CborKey = "StreamCore.Cbor";

    private readonly WebApplication _app;
    private readonly KinesisEndpointOptions _options;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IKinesisClient> _accounts = new(StringComparer.Ordinal);
    private long _requestIds;

    private KinesisEndpoint(WebApplication app, StreamEngine engine, Uri url, KinesisEndpointOptions options)
    {
        _app = app;
        Engine = engine;
        Url = url;
        _options = options;
        _accounts[engine.AccountId] = engine.CreateKinesisClient();
    }

    /// <summary>The engine served.</summary>
    public StreamEngine Engine { get; }

    /// <summary>The endpoint's URL (the actual port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>Starts serving <paramref name="engine"/>.</summary>
    /// <param name="engine">The engine to serve.</param>
    /// <param name="url">Where to listen; default <c>http://127.0.0.1:0</c>, a free loopback port.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running endpoint.</returns>
    public static Task<KinesisEndpoint> StartAsync(StreamEngine engine, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default) =>
        StartAsync(engine, new KinesisEndpointOptions { Url = url }, cancellationToken);

    /// <summary>Starts serving <paramref name="engine"/> (and, through the options, other accounts' engines).</summary>
    /// <param name="engine">The engine of the default account.</param>
    /// <param name="options">Where to listen, other accounts, signature verification.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running endpoint.</returns>
    public static async Task<KinesisEndpoint> StartAsync(StreamEngine engine, KinesisEndpointOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        string url = options.Url;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var publicUri = new Uri(url);
        IPEndPoint? http2Listener = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBytes;

            // The public port speaks HTTP/1.1 and hands HTTP/2 prior-knowledge connections to an internal h2c listener.
            IPAddress address = publicUri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(publicUri.Host);
            kestrel.Listen(address, publicUri.Port, listen =>
            {
                listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1;
                listen.Use(PriorKnowledgeHttp2.Middleware(() => http2Listener));
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
        });
        WebApplication app = builder.Build();
        KinesisEndpoint? endpoint = null;
        app.Run(context => endpoint!.HandleAsync(context));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string[] addresses = [.. app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses];
        var bound = addresses.Select(a => new Uri(a)).ToArray();
        Uri http2 = bound[1];
        http2Listener = new IPEndPoint(IPAddress.Loopback, http2.Port);
        endpoint = new KinesisEndpoint(app, engine, bound[0], options);
        return endpoint;
    }

    /// <summary>Stops serving (the engine is not disposed).</summary>
    /// <param name="cancellationToken">Ends a graceful stop early.</param>
    /// <returns>A task that completes when stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Stops serving and releases the server.</summary>
    /// <returns>A task that completes when released.</returns>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.Headers[KinesisWire.RequestIdHeader] = Interlocked.Increment(ref _requestIds).ToString("x16", CultureInfo.InvariantCulture);
        string? target = context.Request.Headers[KinesisWire.TargetHeader];
        string? operationName = KinesisWire.OperationName(target);
        KinesisOperation? operation = null;
        if (!HttpMethods.IsPost(context.Request.Method) || operationName is null || !KinesisOperations.ByName.TryGetValue(operationName, out operation))
        {
            await WriteErrorAsync(response, HttpStatusCode.BadRequest, "UnknownOperationException", target is null ? "Missing X-Amz-Target header." : $"Unknown operation {target}.").ConfigureAwait(false);
            return;
        }

        bool subscribe = operation == KinesisOperations.SubscribeToShard;
        string contentType = context.Request.ContentType ?? JsonProtocol.ContentType;
        if (contentType.StartsWith(CborProtocol.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            context.Items[CborKey] = true;
        }
        else if (!contentType.StartsWith("application/x-amz-json-1.", StringComparison.OrdinalIgnoreCase) && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await WriteErrorAsync(response, HttpStatusCode.BadRequest, KinesisWire.SerializationException, $"Content type {contentType} is not served; use {JsonProtocol.ContentType} or {CborProtocol.ContentType}.").ConfigureAwait(false);
            return;
        }

        bool cbor = context.Items.ContainsKey(CborKey);

        if (context.Request.ContentLength > MaxRequestBytes)
        {
            // Answered before the body is read, so a client that sent Expect: 100-continue never has to send it.
            await WriteErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "SerializationException", $"Request body of {context.Request.ContentLength} bytes exceeds the {MaxRequestBytes} bytes accepted.").ConfigureAwait(false);
            return;
        }

        object? request;
        IKinesisClient client;
        try
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
            if (!Authenticate(context.Request, body.GetBuffer().AsSpan(0, (int)body.Length), out client, out (string Type, string Message)? refusal))
            {
                await WriteErrorAsync(response, HttpStatusCode.BadRequest, refusal!.Value.Type, refusal.Value.Message).ConfigureAwait(false);
                return;
            }

            request = body.Length == 0
                ? null
                : cbor
                    ? CborProtocol.Deserialize(body.GetBuffer().AsMemory(0, (int)body.Length), operation.Request)
                    : JsonProtocol.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), operation.Request);
            request ??= operation.Request.CreateObject!();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await WriteErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "SerializationException", $"Request body exceeds {MaxRequestBytes} bytes.").ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException or NotSupportedException or System.Formats.Cbor.CborContentException or ArgumentException)
        {
            await WriteErrorAsync(response, HttpStatusCode.BadRequest, "SerializationException", $"The body is not a valid {target} request: {ex.Message}").ConfigureAwait(false);
            return;
        }

        try
        {
            if (subscribe)
            {
                SubscribeToShardResponse subscription = await client.SubscribeToShardAsync((SubscribeToShardRequest)request!, context.RequestAborted).ConfigureAwait(false);
                await StreamEventsAsync(response, subscription, cbor, context.RequestAborted).ConfigureAwait(false);
                return;
            }

            object result = await operation.InvokeAsync(client, request!, context.RequestAborted).ConfigureAwait(false);
            response.StatusCode = StatusCodes.Status200OK;
            if (cbor)
            {
                response.ContentType = CborProtocol.ContentType;
                byte[] encoded = CborProtocol.Serialize(result, operation.Response!);
                response.ContentLength = encoded.Length;
                await response.Body.WriteAsync(encoded, context.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                response.ContentType = JsonProtocol.ContentType;
                await System.Text.Json.JsonSerializer.SerializeAsync(response.Body, result, operation.Response!, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (KinesisException ex)
        {
            HttpStatusCode status = ex is InternalFailureException ? HttpStatusCode.InternalServerError : HttpStatusCode.BadRequest;
            await WriteErrorAsync(response, status, ex.ErrorCode, ex.Message).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // An endpoint answers every failure in Kinesis's shape and never leaks a stack trace.
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
#pragma warning restore CA1031
        {
            await WriteErrorAsync(response, HttpStatusCode.InternalServerError, "InternalFailure", "Internal Service Failure").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Picks the account's client from the access key id (a 12-digit key id names an account) and, when credentials
    /// are configured, checks the request's SigV4 signature with AWS's errors.
    /// </summary>
    private bool Authenticate(HttpRequest request, ReadOnlySpan<byte> body, out IKinesisClient client, out (string Type, string Message)? refusal)
    {
        client = _accounts[Engine.AccountId];
        refusal = null;
        SigV4? signature = SigV4.Parse(request.Headers.Authorization.ToString());
        if (_options.Credentials is { } credentials)
        {
            if (signature is null)
            {
                refusal = ("MissingAuthenticationTokenException", "Missing Authentication Token");
                return false;
            }

            if (!credentials.TryGetValue(signature.AccessKeyId, out string? secret))
            {
                refusal = ("UnrecognizedClientException", "The security token included in the request is invalid.");
                return false;
            }

            if (!signature.Verify(request, body, secret))
            {
                refusal = ("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
                return false;
            }
        }

        string? account = signature?.AccessKeyId;
        if (account is { Length: 12 } && account.All(char.IsAsciiDigit) && _options.CreateAccountEngine is { } create)
        {
            client = _accounts.GetOrAdd(account, id => create(id).CreateKinesisClient());
        }

        return true;
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

    private static Task WriteErrorAsync(HttpResponse response, HttpStatusCode status, string type, string message)
    {
        response.StatusCode = (int)status;
        if (response.HttpContext.Items.ContainsKey(CborKey))
        {
            response.ContentType = CborProtocol.ContentType;
            return response.Body.WriteAsync(CborProtocol.SerializeError(type, message)).AsTask();
        }

        response.ContentType = JsonProtocol.ContentType;
        return response.Body.WriteAsync(JsonProtocol.SerializeError(type, message)).AsTask();
    }
}
