using StreamCore.Kinesis;

namespace StreamCore.Server.Protocol;

/// <summary>One Kinesis operation on the wire: its request type and how the client runs it.</summary>
internal sealed record Operation(Type RequestType, Func<IKinesisClient, object, CancellationToken, Task<object>> Invoke);

/// <summary>The operations served, by the name that follows <c>Kinesis_20131202.</c> in <c>X-Amz-Target</c>.</summary>
internal static class Operations
{
    public const string TargetPrefix = "Kinesis_20131202.";

    public static readonly IReadOnlyDictionary<string, Operation> ByName = new Dictionary<string, Operation>(StringComparer.Ordinal)
    {
        ["CreateStream"] = Op<CreateStreamRequest, CreateStreamResponse>((c, r, t) => c.CreateStreamAsync(r, t)),
        ["DeleteStream"] = Op<DeleteStreamRequest, DeleteStreamResponse>((c, r, t) => c.DeleteStreamAsync(r, t)),
        ["DescribeStream"] = Op<DescribeStreamRequest, DescribeStreamResponse>((c, r, t) => c.DescribeStreamAsync(r, t)),
        ["DescribeStreamSummary"] = Op<DescribeStreamSummaryRequest, DescribeStreamSummaryResponse>((c, r, t) => c.DescribeStreamSummaryAsync(r, t)),
        ["ListStreams"] = Op<ListStreamsRequest, ListStreamsResponse>((c, r, t) => c.ListStreamsAsync(r, t)),
        ["ListShards"] = Op<ListShardsRequest, ListShardsResponse>((c, r, t) => c.ListShardsAsync(r, t)),
        ["AddTagsToStream"] = Op<AddTagsToStreamRequest, AddTagsToStreamResponse>((c, r, t) => c.AddTagsToStreamAsync(r, t)),
        ["RemoveTagsFromStream"] = Op<RemoveTagsFromStreamRequest, RemoveTagsFromStreamResponse>((c, r, t) => c.RemoveTagsFromStreamAsync(r, t)),
        ["ListTagsForStream"] = Op<ListTagsForStreamRequest, ListTagsForStreamResponse>((c, r, t) => c.ListTagsForStreamAsync(r, t)),
        ["IncreaseStreamRetentionPeriod"] = Op<IncreaseStreamRetentionPeriodRequest, IncreaseStreamRetentionPeriodResponse>((c, r, t) => c.IncreaseStreamRetentionPeriodAsync(r, t)),
        ["DecreaseStreamRetentionPeriod"] = Op<DecreaseStreamRetentionPeriodRequest, DecreaseStreamRetentionPeriodResponse>((c, r, t) => c.DecreaseStreamRetentionPeriodAsync(r, t)),
        ["StartStreamEncryption"] = Op<StartStreamEncryptionRequest, StartStreamEncryptionResponse>((c, r, t) => c.StartStreamEncryptionAsync(r, t)),
        ["StopStreamEncryption"] = Op<StopStreamEncryptionRequest, StopStreamEncryptionResponse>((c, r, t) => c.StopStreamEncryptionAsync(r, t)),
        ["DescribeLimits"] = Op<DescribeLimitsRequest, DescribeLimitsResponse>((c, r, t) => c.DescribeLimitsAsync(r, t)),
        ["UpdateMaxRecordSize"] = Op<UpdateMaxRecordSizeRequest, UpdateMaxRecordSizeResponse>((c, r, t) => c.UpdateMaxRecordSizeAsync(r, t)),
        ["PutRecord"] = Op<PutRecordRequest, PutRecordResponse>((c, r, t) => c.PutRecordAsync(r, t)),
        ["PutRecords"] = Op<PutRecordsRequest, PutRecordsResponse>((c, r, t) => c.PutRecordsAsync(r, t)),
        ["GetShardIterator"] = Op<GetShardIteratorRequest, GetShardIteratorResponse>((c, r, t) => c.GetShardIteratorAsync(r, t)),
        ["GetRecords"] = Op<GetRecordsRequest, GetRecordsResponse>((c, r, t) => c.GetRecordsAsync(r, t)),
        ["SplitShard"] = Op<SplitShardRequest, SplitShardResponse>((c, r, t) => c.SplitShardAsync(r, t)),
        ["MergeShards"] = Op<MergeShardsRequest, MergeShardsResponse>((c, r, t) => c.MergeShardsAsync(r, t)),
        ["UpdateShardCount"] = Op<UpdateShardCountRequest, UpdateShardCountResponse>((c, r, t) => c.UpdateShardCountAsync(r, t)),
        ["UpdateStreamMode"] = Op<UpdateStreamModeRequest, UpdateStreamModeResponse>((c, r, t) => c.UpdateStreamModeAsync(r, t)),
        ["RegisterStreamConsumer"] = Op<RegisterStreamConsumerRequest, RegisterStreamConsumerResponse>((c, r, t) => c.RegisterStreamConsumerAsync(r, t)),
        ["DeregisterStreamConsumer"] = Op<DeregisterStreamConsumerRequest, DeregisterStreamConsumerResponse>((c, r, t) => c.DeregisterStreamConsumerAsync(r, t)),
        ["DescribeStreamConsumer"] = Op<DescribeStreamConsumerRequest, DescribeStreamConsumerResponse>((c, r, t) => c.DescribeStreamConsumerAsync(r, t)),
        ["ListStreamConsumers"] = Op<ListStreamConsumersRequest, ListStreamConsumersResponse>((c, r, t) => c.ListStreamConsumersAsync(r, t)),
        ["EnableEnhancedMonitoring"] = Op<EnableEnhancedMonitoringRequest, EnableEnhancedMonitoringResponse>((c, r, t) => c.EnableEnhancedMonitoringAsync(r, t)),
        ["DisableEnhancedMonitoring"] = Op<DisableEnhancedMonitoringRequest, DisableEnhancedMonitoringResponse>((c, r, t) => c.DisableEnhancedMonitoringAsync(r, t)),
    };

    /// <summary>SubscribeToShard: its request is read like any other; its answer is an event stream.</summary>
    public static readonly Operation Subscribe = Op<SubscribeToShardRequest, SubscribeToShardResponse>((c, r, t) => c.SubscribeToShardAsync(r, t));

    private static Operation Op<TRequest, TResponse>(Func<IKinesisClient, TRequest, CancellationToken, Task<TResponse>> call)
        where TResponse : class =>
        new(typeof(TRequest), async (client, request, token) => await call(client, (TRequest)request, token).ConfigureAwait(false));
}
