using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using StreamCore.Buckets;
using StreamCore.Delivery;
using StreamCore.Errors;

namespace StreamCore.Server.Services.Firehose;

/// <summary>
/// Firehose (json 1.1, <c>X-Amz-Target: Firehose_20150804.&lt;Op&gt;</c>): the twelve operations of the model, each
/// translated to the account's in-process <see cref="Delivery.Firehose"/> (created on first use, delivering into the
/// endpoint's bucket store). Errors answer in the json 1.1 shape with Firehose's exception names; a member the
/// library does not serve (another destination type) is refused, never silently ignored.
/// </summary>
internal sealed class FirehoseService(BucketStore buckets, SearchDomains searchDomains) : WireService, IAsyncDisposable
{
    public const string TargetPrefix = "Firehose_20150804";

    private static readonly string[] UnsupportedMembers =
    [
        "RedshiftDestinationConfiguration", "SplunkDestinationConfiguration", "HttpEndpointDestinationConfiguration",
        "AmazonOpenSearchServerlessDestinationConfiguration", "SnowflakeDestinationConfiguration", "IcebergDestinationConfiguration",
        "MSKSourceConfiguration", "DatabaseSourceConfiguration", "RedshiftDestinationUpdate", "SplunkDestinationUpdate",
        "HttpEndpointDestinationUpdate", "AmazonOpenSearchServerlessDestinationUpdate", "SnowflakeDestinationUpdate", "IcebergDestinationUpdate",
    ];

    private readonly ConcurrentDictionary<StreamEngine, Delivery.Firehose> _accounts = new();

    private static readonly Dictionary<string, Operation> Operations = new Operation[]
    {
        Op(FirehoseJsonContext.Default.CreateDeliveryStreamRequest, FirehoseJsonContext.Default.CreateDeliveryStreamResponse, (f, r, t) => f.CreateDeliveryStreamAsync(r, t)),
        Op(FirehoseJsonContext.Default.DeleteDeliveryStreamRequest, FirehoseJsonContext.Default.DeleteDeliveryStreamResponse, (f, r, t) => f.DeleteDeliveryStreamAsync(r, t)),
        Op(FirehoseJsonContext.Default.DescribeDeliveryStreamRequest, FirehoseJsonContext.Default.DescribeDeliveryStreamResponse, (f, r, t) => f.DescribeDeliveryStreamAsync(r, t)),
        Op(FirehoseJsonContext.Default.ListDeliveryStreamsRequest, FirehoseJsonContext.Default.ListDeliveryStreamsResponse, (f, r, t) => f.ListDeliveryStreamsAsync(r, t)),
        Op(FirehoseJsonContext.Default.ListTagsForDeliveryStreamRequest, FirehoseJsonContext.Default.ListTagsForDeliveryStreamResponse, (f, r, t) => f.ListTagsForDeliveryStreamAsync(r, t)),
        Op(FirehoseJsonContext.Default.TagDeliveryStreamRequest, FirehoseJsonContext.Default.TagDeliveryStreamResponse, (f, r, t) => f.TagDeliveryStreamAsync(r, t)),
        Op(FirehoseJsonContext.Default.UntagDeliveryStreamRequest, FirehoseJsonContext.Default.UntagDeliveryStreamResponse, (f, r, t) => f.UntagDeliveryStreamAsync(r, t)),
        Op(FirehoseJsonContext.Default.StartDeliveryStreamEncryptionRequest, FirehoseJsonContext.Default.StartDeliveryStreamEncryptionResponse, (f, r, t) => f.StartDeliveryStreamEncryptionAsync(r, t)),
        Op(FirehoseJsonContext.Default.StopDeliveryStreamEncryptionRequest, FirehoseJsonContext.Default.StopDeliveryStreamEncryptionResponse, (f, r, t) => f.StopDeliveryStreamEncryptionAsync(r, t)),
        Op(FirehoseJsonContext.Default.UpdateDestinationRequest, FirehoseJsonContext.Default.UpdateDestinationResponse, (f, r, t) => f.UpdateDestinationAsync(r, t)),
        Op(FirehoseJsonContext.Default.PutRecordRequest, FirehoseJsonContext.Default.PutRecordResponse, (f, r, t) => f.PutRecordAsync(r, t)),
        Op(FirehoseJsonContext.Default.PutRecordBatchRequest, FirehoseJsonContext.Default.PutRecordBatchResponse, (f, r, t) => f.PutRecordBatchAsync(r, t)),
    }.ToDictionary(o => o.Name, StringComparer.Ordinal);

    private static Operation Op<TRequest, TResponse>(JsonTypeInfo<TRequest> request, JsonTypeInfo<TResponse> response, Func<Delivery.Firehose, TRequest, CancellationToken, Task<TResponse>> call)
        where TRequest : FirehoseRequest, new()
        where TResponse : FirehoseResponse =>
        new(typeof(TRequest).Name[..^"Request".Length], async (firehose, body, cancellationToken) =>
        {
            TRequest parsed = body.Length == 0 ? new TRequest() : JsonSerializer.Deserialize(body.Span, request) ?? new TRequest();
            TResponse result = await call(firehose, parsed, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.SerializeToUtf8Bytes(result, response);
        });

    /// <summary>The account's Firehose (created on first use).</summary>
    public Delivery.Firehose For(StreamEngine account) => _accounts.GetOrAdd(account, engine => new Delivery.Firehose(engine, new FirehoseOptions { Buckets = buckets, SearchDomains = searchDomains }));

    public override async Task HandleAsync(HttpContext context, ServiceRequest request)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || request.Operation is null || !Operations.TryGetValue(request.Operation, out Operation? operation))
        {
            await JsonErrors.UnknownOperationAsync(context, context.Request.Headers["X-Amz-Target"]).ConfigureAwait(false);
            return;
        }

        byte[] answer;
        try
        {
            if (UnsupportedMember(request.Body.Span) is { } member)
            {
                throw new InvalidArgumentException($"{member} is not supported by StreamCore's Firehose; supported: S3, ExtendedS3, Elasticsearch and Amazonopensearchservice destinations, DirectPut and KinesisStreamAsSource sources.");
            }

            answer = await operation.Invoke(For(request.Account), request.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "SerializationException", $"The body is not a valid {operation.Name} request: {ex.Message}").ConfigureAwait(false);
            return;
        }
        catch (KinesisException ex)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, ex.ErrorCode, ex.Message).ConfigureAwait(false);
            return;
        }

        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonErrors.ContentType;
        response.ContentLength = answer.Length;
        await response.Body.WriteAsync(answer, context.RequestAborted).ConfigureAwait(false);
    }

    private static string? UnsupportedMember(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            if (UnsupportedMembers.Contains(name, StringComparer.Ordinal))
            {
                return name;
            }

            reader.Read();
            reader.Skip();
        }

        return null;
    }

    public override Task WriteErrorAsync(HttpContext context, int status, string type, string message) => JsonErrors.WriteAsync(context, status, type, message);

    /// <summary>Stops every account's Firehose, delivering what it holds (the server's graceful stop).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (Delivery.Firehose firehose in _accounts.Values)
        {
            await firehose.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed record Operation(string Name, Func<Delivery.Firehose, ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> Invoke);
}
