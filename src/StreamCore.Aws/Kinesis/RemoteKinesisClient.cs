using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using System.Text.Json.Serialization.Metadata;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Aws.Kinesis;

/// <summary>
/// An <see cref="IKinesisClient"/> over Kinesis's wire protocol (JSON 1.1 or CBOR 1.1, SubscribeToShard as an HTTP/2
/// event stream) for Amazon Kinesis or any Kinesis-compatible endpoint: the same requests, responses and exceptions
/// (types, codes and messages) as the in-process client, so code moves between the embedded engine and Amazon Kinesis
/// by changing the registration. Signs with SigV4 and resolves credentials and regions through AWSSDK.Core; retries as
/// the AWS SDKs' standard retry mode. Thread-safe; dispose it when done.
/// </summary>
public sealed partial class RemoteKinesisClient : IKinesisClient, IDisposable
{
    private readonly RemoteKinesisClientOptions _options;
    private readonly AwsSigning _signing;
    private readonly StandardRetry _retry;
    private readonly HttpClient _http;
    private readonly bool _cbor;
    private readonly MediaTypeHeaderValue _contentType;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<EventStream, byte> _subscriptions = new();

    /// <summary>Creates a client.</summary>
    /// <param name="options">Where and how to reach Kinesis.</param>
    public RemoteKinesisClient(RemoteKinesisClientOptions options)
        : this(options, wrapHandler: null)
    {
    }

    /// <summary>Creates a client whose HTTP handler is wrapped (tests count and inspect attempts with it).</summary>
    internal RemoteKinesisClient(RemoteKinesisClientOptions options, Func<HttpMessageHandler, HttpMessageHandler>? wrapHandler)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _signing = new AwsSigning(options);
        _retry = new StandardRetry(options);
        _cbor = options.Protocol == KinesisWireProtocol.Cbor;
        _contentType = new MediaTypeHeaderValue(_cbor ? KinesisWire.CborContentType : KinesisWire.JsonContentType);
        HttpMessageHandler handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        _http = new HttpClient(wrapHandler is null ? handler : wrapHandler(handler), disposeHandler: true)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // per attempt, below, so a retry gets its own budget
        };
    }

    /// <summary>The endpoint called: the explicit ServiceUrl or the region's Amazon Kinesis endpoint.</summary>
    public Uri ServiceUrl => _signing.ServiceUrl;

    /// <summary>The region signed for.</summary>
    public string Region => _signing.Region.SystemName;

    /// <summary>The retry quota's tokens left.</summary>
    internal int RetryQuota => _retry.Quota;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (EventStream subscription in _subscriptions.Keys)
        {
            subscription.Release();
        }

        _http.Dispose();
    }

    private async Task<TResponse> CallAsync<TRequest, TResponse>(KinesisOperation<TRequest, TResponse> operation, TRequest request, CancellationToken cancellationToken)
        where TRequest : KinesisRequest
        where TResponse : KinesisResponse
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[] body = Serialize(request, operation.Request);
        using HttpResponseMessage response = await SendAsync(operation, body, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        byte[] content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        TResponse result = (TResponse)(content.Length == 0
            ? operation.Response.CreateObject!()
            : _cbor
                ? CborProtocol.Deserialize(content, operation.Response)
                : JsonProtocol.Deserialize(content, operation.Response) ?? operation.Response.CreateObject!());
        result.HttpStatusCode = response.StatusCode;
        return result;
    }

    private byte[] Serialize(object request, JsonTypeInfo contract) =>
        _cbor ? CborProtocol.Serialize(request, contract) : JsonProtocol.Serialize(request, contract);

    /// <summary>
    /// Sends one call with the standard retry mode: each attempt signed afresh and bounded by the timeout; a
    /// successful answer is returned (for SubscribeToShard with its body unread), a failed one thrown as its exception.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(KinesisOperation operation, byte[] body, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        bool eventStream = completion == HttpCompletionOption.ResponseHeadersRead;
        int taken = 0;
        for (int attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Exception failure;
            HttpStatusCode? status = null;
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(_options.Timeout);
                HttpResponseMessage? response = null;
                try
                {
                    using HttpRequestMessage message = await CreateMessageAsync(operation, body, eventStream, attemptTimeout.Token).ConfigureAwait(false);
                    response = await _http.SendAsync(message, completion, attemptTimeout.Token).ConfigureAwait(false);
                    status = response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        if (!eventStream)
                        {
                            await response.Content.LoadIntoBufferAsync(attemptTimeout.Token).ConfigureAwait(false);
                        }

                        _retry.OnSuccess(taken);
                        return response;
                    }

                    byte[] error = await response.Content.ReadAsByteArrayAsync(attemptTimeout.Token).ConfigureAwait(false);
                    failure = ErrorFrom(response, error);
                    response.Dispose();
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    response?.Dispose();
                    throw;
                }
                catch (OperationCanceledException ex)
                {
                    response?.Dispose();
                    failure = new TimeoutException($"{operation.Name} did not complete within {_options.Timeout.TotalSeconds:0.###} s (attempt {attempt} of {_options.MaxAttempts}) at {ServiceUrl}.", ex);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    response?.Dispose();
                    failure = ex;
                }
            }

            if (!_retry.TryRetry(failure, status, attempt, ref taken, out TimeSpan delay))
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<HttpRequestMessage> CreateMessageAsync(KinesisOperation operation, byte[] body, bool eventStream, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, ServiceUrl)
        {
            Content = new ByteArrayContent(body),
            Version = eventStream ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = eventStream ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
        };
        message.Content.Headers.ContentType = _contentType;
        IDictionary<string, string>? signed = await _signing.SignAsync(operation.Target, _contentType.MediaType!, body, cancellationToken).ConfigureAwait(false);
        if (signed is null)
        {
            message.Headers.TryAddWithoutValidation(KinesisWire.TargetHeader, operation.Target);
            return message;
        }

        foreach ((string name, string value) in signed)
        {
            if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    /// <summary>
    /// The exception of an error answer: Kinesis's modelled errors as the in-process client's types, with the
    /// service's message unchanged; anything else as <see cref="RemoteKinesisException"/>.
    /// </summary>
    private static KinesisException ErrorFrom(HttpResponseMessage response, byte[] body)
    {
        bool cbor = response.Content.Headers.ContentType?.MediaType?.Contains("cbor", StringComparison.OrdinalIgnoreCase) == true;
        (string? type, string? message) = WireErrorReader.Read(body, cbor);
        if (type is null && response.Headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? header))
        {
            type = header.FirstOrDefault();
        }

        string code = type is null
            ? (int)response.StatusCode >= 500 ? "InternalFailure" : $"Http{(int)response.StatusCode}"
            : KinesisWire.ErrorCode(type);
        message ??= $"{(int)response.StatusCode} {response.ReasonPhrase}";
        return KinesisErrors.Create(code, message) ?? new RemoteKinesisException(code, message, response.StatusCode);
    }
}
