using System.Globalization;
using StreamCore.Errors;
using StreamCore.Kinesis;

namespace StreamCore.Connectors;

/// <summary>How a <see cref="KinesisClientRecordSource"/> reads: polling with GetRecords, or enhanced fan-out.</summary>
internal sealed record KinesisClientSourceOptions
{
    /// <summary>An enhanced fan-out consumer's ARN: shards are read with SubscribeToShard. Null: GetRecords polling.</summary>
    public string? ConsumerArn { get; init; }

    /// <summary>The clock waits are measured on.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The pause before the next GetRecords call once a reader has caught up (the KCL's idleTimeBetweenReadsInMillis,
    /// 1.5 s). A reader that is behind (MillisBehindLatest above 0) calls again at once.
    /// </summary>
    public TimeSpan IdleTimeBetweenReads { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>The first pause after a throttled call (the KCL's taskBackoffTimeMillis, 500 ms); doubled on each repeat.</summary>
    public TimeSpan ThrottleBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest pause after repeated throttling.</summary>
    public TimeSpan MaxThrottleBackoff { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(IdleTimeBetweenReads, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ThrottleBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxThrottleBackoff, ThrottleBackoff);
    }
}

/// <summary>
/// A source over any <see cref="IKinesisClient"/>: the embedded engine, the StreamCore server, Amazon Kinesis. Reads by
/// GetRecords polling (the KCL's idle time once caught up, backoff on throttling, a fresh iterator when one expires), or
/// with a consumer ARN by enhanced fan-out (SubscribeToShard, resubscribing from the ContinuationSequenceNumber each
/// time a subscription ends, every 5 minutes).
/// </summary>
internal sealed partial class KinesisClientRecordSource : RecordSource
{
    private readonly IKinesisClient _client;
    private readonly string _stream;
    private readonly KinesisClientSourceOptions _options;

    /// <summary>Creates a source.</summary>
    /// <param name="client">The Kinesis to read.</param>
    /// <param name="stream">The stream's name, or its ARN.</param>
    /// <param name="options">Polling or fan-out, and the waits; null for polling with the KCL's defaults.</param>
    public KinesisClientRecordSource(IKinesisClient client, string stream, KinesisClientSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(stream);
        options ??= new KinesisClientSourceOptions();
        options.Validate();
        _client = client;
        _stream = stream;
        _options = options;
    }

    public override string StreamName => IsArn(_stream) ? _stream[(_stream.IndexOf('/', StringComparison.Ordinal) + 1)..] : _stream;

    private static bool IsArn(string stream) => stream.StartsWith("arn:", StringComparison.Ordinal);

    private T Addressed<T>(T request)
        where T : StreamAddressedRequest
    {
        if (IsArn(_stream))
        {
            request.StreamARN = _stream;
        }
        else
        {
            request.StreamName = _stream;
        }

        return request;
    }

    public override async Task ValidateAsync(CancellationToken cancellationToken)
    {
        DescribeStreamSummaryResponse summary = await _client.DescribeStreamSummaryAsync(Addressed(new DescribeStreamSummaryRequest()), cancellationToken).ConfigureAwait(false);
        if (_options.ConsumerArn is not { } arn)
        {
            return;
        }

        DescribeStreamConsumerResponse consumer;
        try
        {
            consumer = await _client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = arn }, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException ex)
        {
            throw new ResourceNotFoundException($"The enhanced fan-out consumer {arn} is not registered on stream {StreamName}: {ex.Message}");
        }

        string? streamArn = summary.StreamDescriptionSummary?.StreamARN;
        ConsumerDescription? description = consumer.ConsumerDescription;
        if (streamArn is not null && description?.StreamARN is { } consumerStream && consumerStream != streamArn)
        {
            throw new InvalidArgumentException($"The enhanced fan-out consumer {arn} is registered on stream {consumerStream}, not on {streamArn}.");
        }

        if (description?.ConsumerStatus?.Value is { } status && status != ConsumerStatus.ACTIVE.Value)
        {
            throw new ResourceInUseException($"The enhanced fan-out consumer {arn} is {status}, not ACTIVE: wait until it is ACTIVE (RegisterStreamConsumer takes a few seconds).");
        }
    }

    public override async Task<IReadOnlyList<SourceShard>> ListShardsAsync(CancellationToken cancellationToken)
    {
        var shards = new List<SourceShard>();
        string? token = null;
        do
        {
            ListShardsResponse page = await _client.ListShardsAsync(
                token is null ? Addressed(new ListShardsRequest()) : new ListShardsRequest { NextToken = token },
                cancellationToken).ConfigureAwait(false);
            foreach (Shard shard in page.Shards)
            {
                if (ShardId.TryParse(shard.ShardId, out ShardId id) && TryParseRange(shard.HashKeyRange, out HashKeyRange range)
                    && SequenceNumber.TryParse(shard.SequenceNumberRange?.StartingSequenceNumber, out SequenceNumber starting))
                {
                    shards.Add(new SourceShard(
                        id,
                        ParseShardId(shard.ParentShardId),
                        ParseShardId(shard.AdjacentParentShardId),
                        range,
                        starting,
                        SequenceNumber.TryParse(shard.SequenceNumberRange?.EndingSequenceNumber, out SequenceNumber ending) ? ending : null));
                }
            }

            token = page.NextToken;
        }
        while (token is not null);

        shards.Sort((a, b) => a.ShardId.CompareTo(b.ShardId));
        return shards;
    }

    public override async ValueTask<SourceShardReader> OpenReaderAsync(ShardId shardId, ShardPosition position, int maxRecords, CancellationToken cancellationToken)
    {
        ValidateMaxRecords(maxRecords);
        if (_options.ConsumerArn is { } consumerArn)
        {
            var fanOut = new FanOutReader(this, consumerArn, shardId, position, maxRecords);
            try
            {
                await fanOut.OpenAsync(cancellationToken).ConfigureAwait(false); // a bad shard or position fails here
            }
            catch
            {
                await fanOut.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return fanOut;
        }

        var polling = new PollingReader(this, shardId, position, maxRecords);
        await polling.OpenAsync(cancellationToken).ConfigureAwait(false);
        return polling;
    }

    private static ShardId? ParseShardId(string? text) => ShardId.TryParse(text, out ShardId id) ? id : null;

    private static bool TryParseRange(Kinesis.HashKeyRange? range, out HashKeyRange parsed)
    {
        parsed = default;
        if (range is not null
            && UInt128.TryParse(range.StartingHashKey, NumberStyles.None, CultureInfo.InvariantCulture, out UInt128 start)
            && UInt128.TryParse(range.EndingHashKey, NumberStyles.None, CultureInfo.InvariantCulture, out UInt128 end))
        {
            parsed = new HashKeyRange(start, end);
            return true;
        }

        return false;
    }

    private static List<SourceChildShard> ToChildren(List<ChildShard> children)
    {
        var result = new List<SourceChildShard>(children.Count);
        foreach (ChildShard child in children)
        {
            if (ShardId.TryParse(child.ShardId, out ShardId id) && TryParseRange(child.HashKeyRange, out HashKeyRange range))
            {
                result.Add(new SourceChildShard(id, [.. child.ParentShards.Select(ParseShardId).OfType<ShardId>()], range));
            }
        }

        return result;
    }

    private static (ShardIteratorType Type, string? SequenceNumber, DateTime? Timestamp) Starting(ShardPosition position) => position.Kind switch
    {
        ShardPositionKind.TrimHorizon => (ShardIteratorType.TRIM_HORIZON, null, null),
        ShardPositionKind.Latest => (ShardIteratorType.LATEST, null, null),
        ShardPositionKind.AtSequenceNumber => (ShardIteratorType.AT_SEQUENCE_NUMBER, position.SequenceNumber.ToString(), null),
        ShardPositionKind.AfterSequenceNumber => (ShardIteratorType.AFTER_SEQUENCE_NUMBER, position.SequenceNumber.ToString(), null),
        ShardPositionKind.AtTimestamp => (ShardIteratorType.AT_TIMESTAMP, null, position.Timestamp.UtcDateTime),
        _ => throw new ArgumentOutOfRangeException(nameof(position), position.Kind, "Unknown starting position kind."),
    };

    /// <summary>Says which read of which shard met a deleted stream (the service's exception type, a clearer message).</summary>
    private ResourceNotFoundException Deleted(ShardId shardId, ResourceNotFoundException ex) =>
        new($"Reading shard {shardId} of stream {StreamName} failed: the stream or shard no longer exists ({ex.Message}).");

    private static bool IsThrottling(Exception ex) => ex is ProvisionedThroughputExceededException or KMSThrottlingException or LimitExceededException;

    /// <summary>Exponential backoff on throttling and failed subscriptions: the pause to take now, doubling up to the cap.</summary>
    private struct Backoff(KinesisClientSourceOptions options)
    {
        private TimeSpan _next = options.ThrottleBackoff;

        public TimeSpan Next()
        {
            TimeSpan wait = _next;
            _next = TimeSpan.FromTicks(Math.Min(options.MaxThrottleBackoff.Ticks, Math.Max(1, wait.Ticks) * 2));
            return wait;
        }

        public void Reset() => _next = options.ThrottleBackoff;
    }
}
