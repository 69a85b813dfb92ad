using System.Buffers.Binary;
using System.Net.Http.Headers;
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

            return new SubscribeToShardResponse { EventStream = new EventStream(this, response, stream, cancellationToken), HttpStatusCode = response.StatusCode };
        }
        catch
        {
            response.Dispose();
            throw;
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

    /// <summary>
    /// A subscription's events, enumerable once. Its HTTP response is released when the enumeration ends or is
    /// disposed, when the call's token is cancelled, or when the client is disposed, whichever comes first, so a
    /// subscription that is never enumerated does not hold the server's stream open.
    /// </summary>
    private sealed class EventStream : IAsyncEnumerable<SubscribeToShardEvent>, IAsyncEnumerator<SubscribeToShardEvent>
    {
        private readonly RemoteKinesisClient _owner;
        private readonly HttpResponseMessage _response;
        private readonly Stream _stream;
        private readonly CancellationToken _callToken;
        private readonly CancellationTokenRegistration _onCallCancelled;
        private CancellationTokenSource? _linked;
        private int _enumerated;
        private int _released;

        public EventStream(RemoteKinesisClient owner, HttpResponseMessage response, Stream stream, CancellationToken callToken)
        {
            _owner = owner;
            _response = response;
            _stream = stream;
            _callToken = callToken;
            owner._subscriptions[this] = 0;
            _onCallCancelled = callToken.Register(static state => ((EventStream)state!).Release(), this);
        }

        public SubscribeToShardEvent Current { get; private set; } = null!;

        public IAsyncEnumerator<SubscribeToShardEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            if (Interlocked.Exchange(ref _enumerated, 1) != 0)
            {
                throw new InvalidOperationException("A SubscribeToShard event stream can be enumerated once.");
            }

            _linked = CancellationTokenSource.CreateLinkedTokenSource(_callToken, cancellationToken);
            return this;
        }

        public async ValueTask<bool> MoveNextAsync()
        {
            CancellationToken token = _linked!.Token;
            while (true)
            {
                (Dictionary<string, string> Headers, byte[] Payload)? next;
                try
                {
                    next = await ReadMessageAsync(_stream, token).ConfigureAwait(false);
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                    Release();
                    throw new OperationCanceledException(token);
                }

                if (next is not { } message)
                {
                    Release();
                    return false; // the service completed the subscription
                }

                try
                {
                    _owner.ThrowIfException(message.Headers, message.Payload);
                }
                catch
                {
                    Release();
                    throw;
                }

                if (message.Headers.GetValueOrDefault(KinesisWire.EventTypeHeader) != KinesisWire.SubscribeToShardEventName)
                {
                    continue; // not records (an initial response repeated, or a future event type)
                }

                bool cbor = message.Headers.GetValueOrDefault(KinesisWire.ContentTypeHeader)?.Contains("cbor", StringComparison.OrdinalIgnoreCase) ?? _owner._cbor;
                Current = cbor
                    ? (SubscribeToShardEvent)CborProtocol.Deserialize(message.Payload, KinesisOperations.SubscribeToShardEvent)
                    : (SubscribeToShardEvent?)JsonProtocol.Deserialize(message.Payload, KinesisOperations.SubscribeToShardEvent) ?? new SubscribeToShardEvent();
                return true;
            }
        }

        public ValueTask DisposeAsync()
        {
            Release();
            return ValueTask.CompletedTask;
        }

        /// <summary>Ends the HTTP/2 stream (the server sees the client go) and forgets the subscription.</summary>
        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            _owner._subscriptions.TryRemove(this, out _);
            _onCallCancelled.Dispose();
            _response.Dispose();
            _linked?.Dispose();
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
