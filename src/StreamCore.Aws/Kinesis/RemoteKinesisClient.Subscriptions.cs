using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using StreamCore.Errors;
using StreamCore.Kinesis;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Aws.Kinesis;

/// <summary>SubscribeToShard: an HTTP/2 POST answered with an <c>application/vnd.amazon.eventstream</c> body.</summary>
public sealed partial class RemoteKinesisClient
{
    /// <summary>
    /// Subscribes over HTTP/2 (prior knowledge on http, ALPN on https). Errors of the call itself (a consumer not
    /// ACTIVE, a subscription taken within 5 s) are thrown here, after the initial response; errors in the stream
    /// (a takeover, a deregistered consumer) are thrown by the enumeration, as the in-process client does. The stream
    /// ends when the service completes it (after 5 minutes, or at a closed shard's end).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call and ends the event stream.</param>
    /// <returns>The event stream.</returns>
    public async Task<SubscribeToShardResponse> SubscribeToShardAsync(SubscribeToShardRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[] body = Serialize(request, KinesisOperations.SubscribeToShard.Request);
        HttpResponseMessage response = await SendAsync(KinesisOperations.SubscribeToShard, body, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using (var initial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                initial.CancelAfter(_options.Timeout);
                (Dictionary<string, string> Headers, byte[] Payload)? first = await ReadMessageAsync(stream, initial.Token).ConfigureAwait(false);
                if (first is not { } message)
                {
                    throw new InternalFailureException("The SubscribeToShard event stream ended before its initial response.");
                }

                ThrowIfException(message.Headers, message.Payload);
            }

            return new SubscribeToShardResponse { EventStream = ReadEventsAsync(response, stream, cancellationToken), HttpStatusCode = response.StatusCode };
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async IAsyncEnumerable<SubscribeToShardEvent> ReadEventsAsync(HttpResponseMessage response, Stream stream, CancellationToken callToken, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using (response)
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(callToken, cancellationToken))
        {
            while (await ReadMessageAsync(stream, linked.Token).ConfigureAwait(false) is { } message)
            {
                ThrowIfException(message.Headers, message.Payload);
                if (message.Headers.GetValueOrDefault(KinesisWire.EventTypeHeader) != KinesisWire.SubscribeToShardEventName)
                {
                    continue; // initial-response repeats or future event types are not records
                }

                bool cbor = message.Headers.GetValueOrDefault(KinesisWire.ContentTypeHeader)?.Contains("cbor", StringComparison.OrdinalIgnoreCase) ?? _cbor;
                yield return cbor
                    ? (SubscribeToShardEvent)CborProtocol.Deserialize(message.Payload, KinesisOperations.SubscribeToShardEvent)
                    : (SubscribeToShardEvent?)JsonProtocol.Deserialize(message.Payload, KinesisOperations.SubscribeToShardEvent) ?? new SubscribeToShardEvent();
            }
        }
    }

    /// <summary>An in-stream exception message as the exception the in-process client throws.</summary>
    private void ThrowIfException(Dictionary<string, string> headers, byte[] payload)
    {
        string? kind = headers.GetValueOrDefault(KinesisWire.MessageTypeHeader);
        if (kind == "exception")
        {
            string code = KinesisWire.ErrorCode(headers.GetValueOrDefault(KinesisWire.ExceptionTypeHeader) ?? "InternalFailure");
            bool cbor = headers.GetValueOrDefault(KinesisWire.ContentTypeHeader)?.Contains("cbor", StringComparison.OrdinalIgnoreCase) ?? _cbor;
            string message = WireErrorReader.Read(payload, cbor).Message ?? code;
            throw KinesisErrors.Create(code, message) ?? new RemoteKinesisException(code, message, System.Net.HttpStatusCode.OK);
        }

        if (kind == "error")
        {
            string code = headers.GetValueOrDefault(":error-code") ?? "InternalFailure";
            string message = headers.GetValueOrDefault(":error-message") ?? code;
            throw KinesisErrors.Create(code, message) ?? new RemoteKinesisException(code, message, System.Net.HttpStatusCode.OK);
        }
    }

    /// <summary>One event-stream message (CRCs checked), or null at a clean end of the body.</summary>
    private static async Task<(Dictionary<string, string> Headers, byte[] Payload)?> ReadMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] prelude = new byte[12];
        int read = await stream.ReadAtLeastAsync(prelude, prelude.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < prelude.Length)
        {
            throw new IOException("The event stream ended inside a message prelude.");
        }

        int total = BinaryPrimitives.ReadInt32BigEndian(prelude);
        if (total < 16 || total > 32 * 1024 * 1024)
        {
            throw new InvalidDataException($"Event stream message length {total} is out of range.");
        }

        byte[] message = new byte[total];
        prelude.CopyTo(message, 0);
        await stream.ReadExactlyAsync(message.AsMemory(prelude.Length), cancellationToken).ConfigureAwait(false);
        return EventStreamMessage.Decode(message);
    }
}
