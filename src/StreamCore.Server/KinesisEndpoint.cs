using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using StreamCore.Server.Hosting;
using StreamCore.Server.Services;
using StreamCore.Server.Services.Firehose;
using StreamCore.Server.Services.Kinesis;
using StreamCore.Server.Services.KinesisAnalytics;
using StreamCore.Server.Services.Lambda;

namespace StreamCore.Server;

/// <summary>
/// Serves a <see cref="StreamEngine"/> on one port over the AWS services' own wire protocols: Kinesis (JSON 1.1 and
/// CBOR 1.1, <c>X-Amz-Target: Kinesis_20131202.&lt;Operation&gt;</c>), and the selectors of Firehose, Kinesis Analytics
/// v2 and Lambda, so AWS clients reach it with <c>--endpoint-url</c>. Start one in a test or an application with
/// <see cref="StartAsync(StreamEngine, string, CancellationToken)"/>, sharing the engine the code also uses directly.
/// </summary>
public sealed class KinesisEndpoint : IAsyncDisposable
{
    /// <summary>The largest request body accepted: a 10 MiB PutRecords in base64 with room for its JSON.</summary>
    public const long MaxRequestBytes = 16 * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly KinesisEndpointOptions _options;
    private readonly Accounts _accounts;
    private readonly KinesisService _kinesis = new();
    private readonly FirehoseService _firehose;
    private readonly KinesisAnalyticsService _analytics = new();
    private readonly LambdaService _lambda = new();
    private readonly HttpFunctions _functions;
    private long _requestIds;
    private int _inFlight;

    private KinesisEndpoint(WebApplication app, StreamEngine engine, Uri url, KinesisEndpointOptions options)
    {
        _app = app;
        Engine = engine;
        Url = url;
        _options = options;
        _accounts = new Accounts(engine, options);
        _functions = new HttpFunctions(options.Functions, options.FunctionTimeout);
        _functions.RegisterIn(engine);
        _firehose = new FirehoseService(options.Buckets, options.SearchDomains);
    }

    /// <summary>The engine served.</summary>
    public StreamEngine Engine { get; }

    /// <summary>The endpoint's URL (the actual port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>Where the endpoint's services write S3 objects.</summary>
    public Buckets.BucketStore Buckets => _options.Buckets;

    /// <summary>The Firehose the endpoint serves for <paramref name="account"/> (default: the endpoint's engine), delivering into <see cref="Buckets"/>.</summary>
    /// <param name="account">An account's engine.</param>
    /// <returns>The account's in-process Firehose, the one the wire's Firehose_20150804 operations reach.</returns>
    public Delivery.Firehose GetFirehose(StreamEngine? account = null) => _firehose.For(account ?? Engine);

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
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentRequests, 1);
        HttpFunctions.Validate(options);
        string url = options.Url;
        // The empty builder: no configuration sources, logging or hosting defaults. The slim builder's defaults cost
        // start-up for nothing the endpoint uses; above all its appsettings.json reload watches the content root (the
        // current directory) recursively, one inotify watch per directory, which took seconds in a repository with
        // node_modules. Kestrel is configured in code below; the server's own settings come from ServerCommandLine.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        var publicUri = new Uri(url);
        IPEndPoint? http2Listener = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel refuses a longer body while reading it (413), so nothing beyond the limit is ever buffered.
            kestrel.Limits.MaxRequestBodySize = MaxRequestBytes;
            kestrel.AddServerHeader = false;

            // The public port speaks HTTP/1.1 and hands HTTP/2 prior-knowledge connections to an internal h2c listener.
            IPAddress address = publicUri.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(publicUri.Host.Trim('[', ']'));
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
        await _firehose.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _functions.Dispose();
    }

    /// <summary>The service a request is for: by <c>X-Amz-Target</c> prefix, else by REST path; Kinesis answers the rest.</summary>
    private WireService Select(HttpRequest request, out string? operation)
    {
        string? target = request.Headers["X-Amz-Target"];
        operation = null;
        if (target is null)
        {
            return request.Path.StartsWithSegments(LambdaService.PathPrefix.TrimEnd('/'), StringComparison.Ordinal) ? _lambda : _kinesis;
        }

        int dot = target.IndexOf('.', StringComparison.Ordinal);
        operation = dot < 0 ? null : target[(dot + 1)..];
        return (dot < 0 ? target : target[..dot]) switch
        {
            FirehoseService.TargetPrefix => _firehose,
            KinesisAnalyticsService.TargetPrefix => _analytics,
            _ => _kinesis,
        };
    }

    private async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers["x-amzn-RequestId"] = Interlocked.Increment(ref _requestIds).ToString("x16", CultureInfo.InvariantCulture);
        WireService service = Select(context.Request, out string? operation);
        if (Interlocked.Increment(ref _inFlight) > _options.MaxConcurrentRequests)
        {
            // Overload: answered at once, without reading the body, in the service's shape; every SDK retries it.
            Interlocked.Decrement(ref _inFlight);
            context.Response.Headers.Connection = "close";
            await service.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, service.ThrottlingError, "Rate exceeded").ConfigureAwait(false);
            return;
        }

        try
        {
            if (context.Request.ContentLength > MaxRequestBytes)
            {
                // Answered before the body is read, so a client that sent Expect: 100-continue never has to send it.
                context.Response.Headers.Connection = "close";
                await service.WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "SerializationException", $"Request body of {context.Request.ContentLength} bytes exceeds the {MaxRequestBytes} bytes accepted.").ConfigureAwait(false);
                return;
            }

            byte[] body;
            try
            {
                using var buffer = new MemoryStream(context.Request.ContentLength is { } length ? (int)length : 0);
                await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                body = buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await service.WriteErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "SerializationException", $"Request body exceeds {MaxRequestBytes} bytes.").ConfigureAwait(false);
                return;
            }

            if (!_accounts.Authenticate(context.Request, body, out StreamEngine account, out (string Type, string Message)? refusal))
            {
                await service.WriteErrorAsync(context, StatusCodes.Status400BadRequest, refusal!.Value.Type, refusal.Value.Message).ConfigureAwait(false);
                return;
            }

            _functions.RegisterIn(account);
            await service.HandleAsync(context, new ServiceRequest(body, account, operation)).ConfigureAwait(false);
        }
        catch (BadHttpRequestException) when (!context.Response.HasStarted)
        {
            await service.WriteErrorAsync(context, StatusCodes.Status400BadRequest, "SerializationException", "The request could not be read.").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
