using System.Text.Json.Serialization.Metadata;

namespace StreamCore.Kinesis.Wire;

/// <summary>One Kinesis operation on the wire: its name, its request and response contracts, and how a client runs it.</summary>
internal abstract class KinesisOperation(string name, JsonTypeInfo request, JsonTypeInfo? response)
{
    /// <summary>The name that follows <see cref="KinesisWire.TargetPrefix"/> in <c>X-Amz-Target</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The full <c>X-Amz-Target</c> value.</summary>
    public string Target { get; } = KinesisWire.TargetPrefix + name;

    public JsonTypeInfo Request { get; } = request;

    /// <summary>The response contract; null for SubscribeToShard, whose answer is an event stream.</summary>
    public JsonTypeInfo? Response { get; } = response;

    /// <summary>Runs the operation on a client.</summary>
    public abstract Task<object> InvokeAsync(IKinesisClient client, object request, CancellationToken cancellationToken);
}

/// <summary>A Kinesis operation with its request and response types.</summary>
internal sealed class KinesisOperation<TRequest, TResponse>(string name, Func<IKinesisClient, TRequest, CancellationToken, Task<TResponse>> call, bool eventStream = false)
    : KinesisOperation(name, JsonProtocol.Contract<TRequest>(), eventStream ? null : JsonProtocol.Contract<TResponse>())
    where TRequest : KinesisRequest
    where TResponse : KinesisResponse
{
    public new JsonTypeInfo<TRequest> Request => (JsonTypeInfo<TRequest>)base.Request;

    public new JsonTypeInfo<TResponse> Response => (JsonTypeInfo<TResponse>)base.Response!;

    public override async Task<object> InvokeAsync(IKinesisClient client, object request, CancellationToken cancellationToken) =>
        await call(client, (TRequest)request, cancellationToken).ConfigureAwait(false);
}

/// <summary>Every operation of <see cref="IKinesisClient"/>, by wire name: what the server serves and the remote client sends.</summary>
internal static class KinesisOperations
{
    public static readonly KinesisOperation<CreateStreamRequest, CreateStreamResponse> CreateStream = new("CreateStream", (c, r, t) => c.CreateStreamAsync(r, t));
    public static readonly KinesisOperation<DeleteStreamRequest, DeleteStreamResponse> DeleteStream = new("DeleteStream", (c, r, t) => c.DeleteStreamAsync(r, t));
    public static readonly KinesisOperation<DescribeStreamRequest, DescribeStreamResponse> DescribeStream = new("DescribeStream", (c, r, t) => c.DescribeStreamAsync(r, t));
    public static readonly KinesisOperation<DescribeStreamSummaryRequest, DescribeStreamSummaryResponse> DescribeStreamSummary = new("DescribeStreamSummary", (c, r, t) => c.DescribeStreamSummaryAsync(r, t));
    public static readonly KinesisOperation<ListStreamsRequest, ListStreamsResponse> ListStreams = new("ListStreams", (c, r, t) => c.ListStreamsAsync(r, t));
    public static readonly KinesisOperation<ListShardsRequest, ListShardsResponse> ListShards = new("ListShards", (c, r, t) => c.ListShardsAsync(r, t));
    public static readonly KinesisOperation<AddTagsToStreamRequest, AddTagsToStreamResponse> AddTagsToStream = new("AddTagsToStream", (c, r, t) => c.AddTagsToStreamAsync(r, t));
    public static readonly KinesisOperation<RemoveTagsFromStreamRequest, RemoveTagsFromStreamResponse> RemoveTagsFromStream = new("RemoveTagsFromStream", (c, r, t) => c.RemoveTagsFromStreamAsync(r, t));
    public static readonly KinesisOperation<ListTagsForStreamRequest, ListTagsForStreamResponse> ListTagsForStream = new("ListTagsForStream", (c, r, t) => c.ListTagsForStreamAsync(r, t));
    public static readonly KinesisOperation<IncreaseStreamRetentionPeriodRequest, IncreaseStreamRetentionPeriodResponse> IncreaseStreamRetentionPeriod = new("IncreaseStreamRetentionPeriod", (c, r, t) => c.IncreaseStreamRetentionPeriodAsync(r, t));
    public static readonly KinesisOperation<DecreaseStreamRetentionPeriodRequest, DecreaseStreamRetentionPeriodResponse> DecreaseStreamRetentionPeriod = new("DecreaseStreamRetentionPeriod", (c, r, t) => c.DecreaseStreamRetentionPeriodAsync(r, t));
    public static readonly KinesisOperation<StartStreamEncryptionRequest, StartStreamEncryptionResponse> StartStreamEncryption = new("StartStreamEncryption", (c, r, t) => c.StartStreamEncryptionAsync(r, t));
    public static readonly KinesisOperation<StopStreamEncryptionRequest, StopStreamEncryptionResponse> StopStreamEncryption = new("StopStreamEncryption", (c, r, t) => c.StopStreamEncryptionAsync(r, t));
    public static readonly KinesisOperation<DescribeLimitsRequest, DescribeLimitsResponse> DescribeLimits = new("DescribeLimits", (c, r, t) => c.DescribeLimitsAsync(r, t));
    public static readonly KinesisOperation<UpdateMaxRecordSizeRequest, UpdateMaxRecordSizeResponse> UpdateMaxRecordSize = new("UpdateMaxRecordSize", (c, r, t) => c.UpdateMaxRecordSizeAsync(r, t));
    public static readonly KinesisOperation<PutRecordRequest, PutRecordResponse> PutRecord = new("PutRecord", (c, r, t) => c.PutRecordAsync(r, t));
    public static readonly KinesisOperation<PutRecordsRequest, PutRecordsResponse> PutRecords = new("PutRecords", (c, r, t) => c.PutRecordsAsync(r, t));
    public static readonly KinesisOperation<GetShardIteratorRequest, GetShardIteratorResponse> GetShardIterator = new("GetShardIterator", (c, r, t) => c.GetShardIteratorAsync(r, t));
    public static readonly KinesisOperation<GetRecordsRequest, GetRecordsResponse> GetRecords = new("GetRecords", (c, r, t) => c.GetRecordsAsync(r, t));
    public static readonly KinesisOperation<SplitShardRequest, SplitShardResponse> SplitShard = new("SplitShard", (c, r, t) => c.SplitShardAsync(r, t));
    public static readonly KinesisOperation<MergeShardsRequest, MergeShardsResponse> MergeShards = new("MergeShards", (c, r, t) => c.MergeShardsAsync(r, t));
    public static readonly KinesisOperation<UpdateShardCountRequest, UpdateShardCountResponse> UpdateShardCount = new("UpdateShardCount", (c, r, t) => c.UpdateShardCountAsync(r, t));
    public static readonly KinesisOperation<UpdateStreamModeRequest, UpdateStreamModeResponse> UpdateStreamMode = new("UpdateStreamMode", (c, r, t) => c.UpdateStreamModeAsync(r, t));
    public static readonly KinesisOperation<RegisterStreamConsumerRequest, RegisterStreamConsumerResponse> RegisterStreamConsumer = new("RegisterStreamConsumer", (c, r, t) => c.RegisterStreamConsumerAsync(r, t));
    public static readonly KinesisOperation<DeregisterStreamConsumerRequest, DeregisterStreamConsumerResponse> DeregisterStreamConsumer = new("DeregisterStreamConsumer", (c, r, t) => c.DeregisterStreamConsumerAsync(r, t));
    public static readonly KinesisOperation<DescribeStreamConsumerRequest, DescribeStreamConsumerResponse> DescribeStreamConsumer = new("DescribeStreamConsumer", (c, r, t) => c.DescribeStreamConsumerAsync(r, t));
    public static readonly KinesisOperation<ListStreamConsumersRequest, ListStreamConsumersResponse> ListStreamConsumers = new("ListStreamConsumers", (c, r, t) => c.ListStreamConsumersAsync(r, t));
    public static readonly KinesisOperation<EnableEnhancedMonitoringRequest, EnableEnhancedMonitoringResponse> EnableEnhancedMonitoring = new("EnableEnhancedMonitoring", (c, r, t) => c.EnableEnhancedMonitoringAsync(r, t));
    public static readonly KinesisOperation<DisableEnhancedMonitoringRequest, DisableEnhancedMonitoringResponse> DisableEnhancedMonitoring = new("DisableEnhancedMonitoring", (c, r, t) => c.DisableEnhancedMonitoringAsync(r, t));

    /// <summary>SubscribeToShard: its request is read like any other; its answer is an event stream of <see cref="SubscribeToShardEvent"/>.</summary>
    public static readonly KinesisOperation<SubscribeToShardRequest, SubscribeToShardResponse> SubscribeToShard = new("SubscribeToShard", (c, r, t) => c.SubscribeToShardAsync(r, t), eventStream: true);

    /// <summary>The contract of an event's payload.</summary>
    public static readonly JsonTypeInfo<SubscribeToShardEvent> SubscribeToShardEvent = JsonProtocol.Contract<SubscribeToShardEvent>();

    /// <summary>Every operation (SubscribeToShard included) by wire name.</summary>
    public static readonly IReadOnlyDictionary<string, KinesisOperation> ByName = new KinesisOperation[]
    {
        CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary, ListStreams, ListShards, AddTagsToStream,
        RemoveTagsFromStream, ListTagsForStream, IncreaseStreamRetentionPeriod, DecreaseStreamRetentionPeriod,
        StartStreamEncryption, StopStreamEncryption, DescribeLimits, UpdateMaxRecordSize, PutRecord, PutRecords,
        GetShardIterator, GetRecords, SplitShard, MergeShards, UpdateShardCount, UpdateStreamMode, RegisterStreamConsumer,
        DeregisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers, SubscribeToShard, EnableEnhancedMonitoring,
        DisableEnhancedMonitoring,
    }.ToDictionary(o => o.Name, StringComparer.Ordinal);
}
