using StreamCore.Engine;
using StreamCore.Errors;

namespace StreamCore;

/// <summary>Enhanced fan-out consumers: registration, statuses, limits, and the subscriptions they own.</summary>
public sealed partial class StreamEngine
{
    private const int MaxConsumersPerStream = 20;
    private const int MaxConsumersCreating = 5;

    internal ConsumerState RegisterConsumer(StreamState stream, string name)
    {
        lock (_control)
        {
            if (stream.Status is DataStreamStatus.Creating or DataStreamStatus.Deleting)
            {
                throw ErrorMessages.StreamNotActive(stream.Name, AccountId, StatusText(stream.Status));
            }

            if (stream.Consumers.ContainsKey(name))
            {
                throw new ResourceInUseException($"Consumer {name} under stream {stream.Name} under account {AccountId} already exists.");
            }

            if (stream.Consumers.Count >= MaxConsumersPerStream)
            {
                throw new LimitExceededException($"Stream {stream.Name} under account {AccountId} already has {MaxConsumersPerStream} registered consumers, the most a stream may have.");
            }

            if (stream.Consumers.Values.Count(c => c.Status == ConsumerStatus.Creating) >= MaxConsumersCreating)
            {
                throw new LimitExceededException($"Stream {stream.Name} under account {AccountId} already has {MaxConsumersCreating} consumers in CREATING state; wait for one to become ACTIVE.");
            }

            DateTimeOffset now = Time.GetUtcNow();
            var consumer = new ConsumerState(stream, name, $"{stream.Arn}/consumer/{name}:{now.ToUnixTimeSeconds()}", now);
            stream.Consumers[name] = consumer;
            ConsumerTransition(consumer, ConsumerStatus.Creating, () => consumer.Status = ConsumerStatus.Active);
            return consumer;
        }
    }

    internal void DeregisterConsumer(ConsumerState consumer)
    {
        lock (_control)
        {
            if (consumer.Status == ConsumerStatus.Deleting)
            {
                return;
            }

            consumer.TransitionTimer?.Dispose();
            ConsumerTransition(consumer, ConsumerStatus.Deleting, () => RemoveConsumerLocked(consumer));
        }
    }

    private static void RemoveConsumerLocked(ConsumerState consumer)
    {
        if (consumer.Stream.Consumers.TryGetValue(consumer.Name, out ConsumerState? current) && current == consumer)
        {
            consumer.Stream.Consumers.Remove(consumer.Name);
        }

        foreach (SubscriptionState subscription in consumer.Subscriptions.Values)
        {
            subscription.End(new ResourceNotFoundException($"Consumer {consumer.Arn} was deregistered."));
        }

        consumer.Subscriptions.Clear();
    }

    private void ConsumerTransition(ConsumerState consumer, ConsumerStatus during, Action complete)
    {
        consumer.Status = during;
        consumer.TransitionTimer = AfterStatusDelay(() => consumer.Status == during, complete);
    }

    /// <summary>
    /// Finds a consumer by ARN, or by stream ARN and name (all three may be given when they agree), as
    /// DescribeStreamConsumer and DeregisterStreamConsumer do.
    /// </summary>
    internal ConsumerState ResolveConsumer(string? consumerArn, string? streamArn, string? consumerName)
    {
        if (consumerArn is null && (streamArn is null || consumerName is null))
        {
            throw new InvalidArgumentException("Either ConsumerARN, or both StreamARN and ConsumerName, must be provided.");
        }

        if (consumerArn is not null)
        {
            int marker = consumerArn.LastIndexOf("/consumer/", StringComparison.Ordinal);
            int colon = consumerArn.LastIndexOf(':');
            if (marker < 0 || colon < marker)
            {
                throw new InvalidArgumentException($"ConsumerARN {consumerArn} is not a consumer ARN: expected <streamARN>/consumer/<name>:<creation epoch seconds>.");
            }

            string ownStreamArn = consumerArn[..marker];
            string name = consumerArn[(marker + "/consumer/".Length)..colon];
            if ((streamArn is not null && streamArn != ownStreamArn) || (consumerName is not null && consumerName != name))
            {
                throw new InvalidArgumentException($"ConsumerARN {consumerArn} does not match the StreamARN or ConsumerName also given.");
            }

            StreamState stream = Resolve(null, ownStreamArn);
            return stream.Consumers.TryGetValue(name, out ConsumerState? consumer) && consumer.Arn == consumerArn
                ? consumer
                : throw new ResourceNotFoundException($"Consumer {consumerArn} under account {AccountId} not found.");
        }

        StreamState byStream = Resolve(null, streamArn);
        return byStream.Consumers.TryGetValue(consumerName!, out ConsumerState? found)
            ? found
            : throw new ResourceNotFoundException($"Consumer {consumerName} under stream {byStream.Name} under account {AccountId} not found.");
    }

    internal IReadOnlyList<ConsumerState> ConsumersOf(StreamState stream)
    {
        lock (_control)
        {
            return [.. stream.Consumers.Values.OrderBy(c => c.CreatedAt).ThenBy(c => c.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Starts a subscription of <paramref name="consumer"/> to <paramref name="shard"/>: a call within five seconds of
    /// the previous successful call for the same consumer and shard is refused, even when that subscription has
    /// already ended (AWS: "within 5 seconds of a successful call"); a later one takes over a live subscription, which
    /// ends with ResourceInUseException.
    /// </summary>
    internal SubscriptionState Subscribe(ConsumerState consumer, ShardState shard)
    {
        lock (_control)
        {
            if (consumer.Status != ConsumerStatus.Active)
            {
                throw new ResourceInUseException($"Consumer {consumer.Arn} under account {AccountId} is not ACTIVE.");
            }

            long now = NowMs;
            if (consumer.LastSubscribedMs.TryGetValue(shard.Id, out long last) && now - last < 5_000)
            {
                throw new ResourceInUseException($"Another subscription was started for consumer {consumer.Arn} on shard {shard.IdText} less than 5 seconds ago; a new subscription may start (and take over) 5 seconds after the previous successful call.");
            }

            consumer.LastSubscribedMs[shard.Id] = now;
            if (consumer.Subscriptions.TryGetValue(shard.Id, out SubscriptionState? existing) && !existing.Ended.IsCancellationRequested)
            {
                existing.End(new ResourceInUseException($"Subscription of consumer {consumer.Arn} to shard {shard.IdText} was taken over by a newer subscription."));
            }

            var subscription = new SubscriptionState(consumer, shard.Id, now);
            consumer.Subscriptions[shard.Id] = subscription;
            return subscription;
        }
    }

    internal void Unsubscribe(SubscriptionState subscription)
    {
        lock (_control)
        {
            if (subscription.Consumer.Subscriptions.TryGetValue(subscription.Shard, out SubscriptionState? current) && current == subscription)
            {
                subscription.Consumer.Subscriptions.Remove(subscription.Shard);
            }

            subscription.Dispose();
        }
    }
}
