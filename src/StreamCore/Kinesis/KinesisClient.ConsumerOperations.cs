using System.Text;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Reading;
using CorePosition = StreamCore.ShardPosition;
using EngineConsumerStatus = StreamCore.Engine.ConsumerStatus;

namespace StreamCore.Kinesis;

internal sealed partial class KinesisClient
{
    // ------------------------------------------------------------------ enhanced fan-out

    public Task<RegisterStreamConsumerResponse> RegisterStreamConsumerAsync(RegisterStreamConsumerRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.StreamARN, "streamARN");
        Constraints.StreamArnMember(ref errors, request.StreamARN);
        Constraints.ConsumerName(ref errors, request.ConsumerName, required: true);
        errors.ThrowIfAny();
        StreamState stream = engine.Resolve(null, request.StreamARN);
        Inject("RegisterStreamConsumer", stream.Name);
        ConsumerState consumer = engine.RegisterConsumer(stream, request.ConsumerName!);
        return new RegisterStreamConsumerResponse { Consumer = ToConsumer(consumer) };
    });

    public Task<DeregisterStreamConsumerResponse> DeregisterStreamConsumerAsync(DeregisterStreamConsumerRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        ConsumerState consumer = ResolveConsumer(request.ConsumerARN, request.StreamARN, request.ConsumerName);
        Inject("DeregisterStreamConsumer", consumer.Stream.Name);
        engine.DeregisterConsumer(consumer);
        return new DeregisterStreamConsumerResponse();
    });

    public Task<DescribeStreamConsumerResponse> DescribeStreamConsumerAsync(DescribeStreamConsumerRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        ConsumerState consumer = ResolveConsumer(request.ConsumerARN, request.StreamARN, request.ConsumerName);
        Inject("DescribeStreamConsumer", consumer.Stream.Name);
        return new DescribeStreamConsumerResponse
        {
            ConsumerDescription = new ConsumerDescription
            {
                ConsumerName = consumer.Name,
                ConsumerARN = consumer.Arn,
                ConsumerStatus = StatusOf(consumer),
                ConsumerCreationTimestamp = consumer.CreatedAt.UtcDateTime,
                StreamARN = consumer.Stream.Arn,
            },
        };
    });

    public Task<ListStreamConsumersResponse> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.StreamARN, "streamARN");
        Constraints.StreamArnMember(ref errors, request.StreamARN);
        errors.Range(request.MaxResults, "maxResults", 1, 10_000);
        errors.Length(request.NextToken, "nextToken", 1, 1_048_576);
        errors.ThrowIfAny();
        StreamState stream = engine.Resolve(null, request.StreamARN);
        if (request.StreamCreationTimestamp is { } created && Utc(created) != stream.CreatedAt.ToUnixTimeMilliseconds())
        {
            throw ErrorMessages.StreamNotFound(stream.Name, engine.AccountId);
        }

        Inject("ListStreamConsumers", stream.Name);
        long now = engine.NowMs;
        int skip = request.NextToken is { } token ? _pages.OpenListConsumers(token, stream.Name, now) : 0;
        int limit = Math.Min(request.MaxResults ?? 100, 100);
        IReadOnlyList<ConsumerState> all = engine.ConsumersOf(stream);
        ConsumerState[] page = [.. all.Skip(skip).Take(limit)];
        return new ListStreamConsumersResponse
        {
            Consumers = [.. page.Select(ToConsumer)],
            NextToken = skip + page.Length < all.Count ? _pages.SealListConsumers(stream.Name, skip + page.Length, now) : null,
        };
    });

    public Task<SubscribeToShardResponse> SubscribeToShardAsync(SubscribeToShardRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.ConsumerARN, "consumerARN");
        Constraints.ConsumerArnMember(ref errors, request.ConsumerARN);
        Constraints.ShardIdMember(ref errors, request.ShardId, "shardId");
        errors.Required(request.StartingPosition, "startingPosition");
        errors.Required(request.StartingPosition?.Type?.Value, "startingPosition.type");
        errors.Enum(request.StartingPosition?.Type?.Value, "startingPosition.type", IteratorTypes);
        Constraints.SequenceNumberMember(ref errors, request.StartingPosition?.SequenceNumber, "startingPosition.sequenceNumber");
        errors.ThrowIfAny();
        ConsumerState consumer = ResolveConsumer(request.ConsumerARN, null, null);
        StreamState stream = consumer.Stream;
        string type = request.StartingPosition!.Type!.Value;
        CheckPositionArguments(type, request.StartingPosition.SequenceNumber, request.StartingPosition.Timestamp);
        ShardState shard = ShardId.TryParse(request.ShardId, out ShardId shardId)
            ? RecordRules.ReadableShard(engine, stream, shardId)
            : throw ErrorMessages.ShardNotFound(request.ShardId!, stream.Name, engine.AccountId);
        long start = ShardPositions.Resolve(engine, stream, shard, ToPosition(stream, shard, type, request.StartingPosition.SequenceNumber, request.StartingPosition.Timestamp), engine.NowMs);
        Inject("SubscribeToShard", stream.Name, shard);
        SubscriptionState subscription = engine.OpenSubscription(stream, consumer, shard);
        return new SubscribeToShardResponse { EventStream = Events(stream, shard, subscription, start, cancellationToken) };
    });

    private async IAsyncEnumerable<SubscribeToShardEvent> Events(StreamState stream, ShardState shard, SubscriptionState subscription, long start, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (SubscriptionEvent e in ShardSubscription.RunAsync(engine, stream, shard, subscription, start, cancellationToken).ConfigureAwait(false))
        {
            // Records are copied before the subscription reads on: an event outlives the storage it came from.
            var records = new List<Record>(e.Records.Count);
            long bytes = 0;
            foreach (StreamRecord record in e.Records)
            {
                records.Add(ToRecord(record));
                bytes += record.Data.Length + record.PartitionKeyUtf8.Length;
            }

            engine.MeasureSubscriptionEvent(stream, shard, records.Count, bytes, e.MillisBehindLatest);

            yield return new SubscribeToShardEvent
            {
                Records = records,
                ContinuationSequenceNumber = e.Continuation.ToString(),
                MillisBehindLatest = e.MillisBehindLatest,
                ChildShards = e.Children is { } children ? ToChildShards(children) : [],
            };
        }
    }

    private ConsumerState ResolveConsumer(string? consumerArn, string? streamArn, string? consumerName)
    {
        var errors = default(ValidationErrors);
        Constraints.ConsumerArnMember(ref errors, consumerArn);
        Constraints.StreamArnMember(ref errors, streamArn);
        Constraints.ConsumerName(ref errors, consumerName, required: false);
        errors.ThrowIfAny();
        return engine.ResolveConsumer(consumerArn, streamArn, consumerName);
    }

    private static Consumer ToConsumer(ConsumerState consumer) => new()
    {
        ConsumerName = consumer.Name,
        ConsumerARN = consumer.Arn,
        ConsumerStatus = StatusOf(consumer),
        ConsumerCreationTimestamp = consumer.CreatedAt.UtcDateTime,
    };

    private static ConsumerStatus StatusOf(ConsumerState consumer) => consumer.Status switch
    {
        EngineConsumerStatus.Creating => ConsumerStatus.CREATING,
        EngineConsumerStatus.Active => ConsumerStatus.ACTIVE,
        _ => ConsumerStatus.DELETING,
    };
}
