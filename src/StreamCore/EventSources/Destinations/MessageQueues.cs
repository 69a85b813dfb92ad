using System.Collections.Concurrent;
using System.Threading.Channels;

namespace StreamCore.EventSources;

/// <summary>
/// The in-process SQS queues that on-failure destinations <c>arn:aws:sqs:REGION:ACCOUNT:QUEUE</c> write to, by queue
/// name: the host reads the failure records here. Queues need no creation. Thread-safe.
/// </summary>
/// <remarks>
/// Set <see cref="Persist"/> to also keep each message elsewhere (the standalone server writes one file per message); it
/// runs before the message is visible, and when it throws the send fails, so the mapping keeps the failure record and
/// retries rather than losing it.
/// </remarks>
public sealed class MessageQueues
{
    private readonly ConcurrentDictionary<string, Queue> _queues = new(StringComparer.Ordinal);

    /// <summary>
    /// Called for each message before it becomes visible, with the queue's name, the message's sequence in that queue
    /// (1, 2, ...: a listing by sequence is the delivery order) and its body. An exception fails the send.
    /// </summary>
    public Func<string, long, string, CancellationToken, ValueTask>? Persist { get; set; }

    /// <summary>The names of the queues that have received a message, in ordinal order.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<string> ListQueues() => [.. _queues.Keys.Order(StringComparer.Ordinal)];

    /// <summary>How many messages wait in <paramref name="queueName"/>.</summary>
    /// <param name="queueName">The queue's name (not its ARN).</param>
    /// <returns>The number of messages not yet received.</returns>
    public int ApproximateNumberOfMessages(string queueName)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        return _queues.TryGetValue(queueName, out Queue? queue) ? queue.Messages.Reader.Count : 0;
    }

    /// <summary>Takes the oldest message of <paramref name="queueName"/>, if there is one.</summary>
    /// <param name="queueName">The queue's name.</param>
    /// <param name="body">The message's body.</param>
    /// <returns>Whether a message was taken.</returns>
    public bool TryReceiveMessage(string queueName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? body)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        body = null;
        return _queues.TryGetValue(queueName, out Queue? queue) && queue.Messages.Reader.TryRead(out body);
    }

    /// <summary>Takes the oldest message of <paramref name="queueName"/>, waiting for one.</summary>
    /// <param name="queueName">The queue's name.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The message's body.</returns>
    public ValueTask<string> ReceiveMessageAsync(string queueName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queueName);
        return Get(queueName).Messages.Reader.ReadAsync(cancellationToken);
    }

    /// <summary>Sends a message: persisted first (see <see cref="Persist"/>), then visible. Throws when it could not be persisted.</summary>
    internal async ValueTask SendMessageAsync(string queueName, string body, CancellationToken cancellationToken)
    {
        Queue queue = Get(queueName);
        await queue.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long sequence = queue.Sent + 1;
            if (Persist is { } persist)
            {
                await persist(queueName, sequence, body, cancellationToken).ConfigureAwait(false);
            }

            queue.Sent = sequence;
            queue.Messages.Writer.TryWrite(body);
        }
        finally
        {
            queue.Gate.Release();
        }
    }

    private Queue Get(string queueName) => _queues.GetOrAdd(queueName, static _ => new Queue());

    private sealed class Queue
    {
        public Channel<string> Messages { get; } = Channel.CreateUnbounded<string>();

        /// <summary>Serialises sends, so sequence order is visible order.</summary>
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public long Sent { get; set; }
    }
}
