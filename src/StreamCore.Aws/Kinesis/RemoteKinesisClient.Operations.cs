using StreamCore.Kinesis;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Aws.Kinesis;

/// <summary>Every unary operation: one signed, retried call through the shared operation table.</summary>
public sealed partial class RemoteKinesisClient
{
    /// <inheritdoc />
    public Task<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.CreateStream, request, cancellationToken);

    /// <inheritdoc />
    public Task<DeleteStreamResponse> DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.DeleteStream, request, cancellationToken);

    /// <inheritdoc />
    public Task<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.DescribeStream, request, cancellationToken);

    /// <inheritdoc />
    public Task<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.DescribeStreamSummary, request, cancellationToken);

    /// <inheritdoc />
    public Task<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.ListStreams, request, cancellationToken);

    /// <inheritdoc />
    public Task<ListShardsResponse> ListShardsAsync(ListShardsRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.ListShards, request, cancellationToken);

    /// <inheritdoc />
    public Task<AddTagsToStreamResponse> AddTagsToStreamAsync(AddTagsToStreamRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.AddTagsToStream, request, cancellationToken);

    /// <inheritdoc />
    public Task<RemoveTagsFromStreamResponse> RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.RemoveTagsFromStream, request, cancellationToken);

    /// <inheritdoc />
    public Task<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.ListTagsForStream, request, cancellationToken);

    /// <inheritdoc />
    public Task<IncreaseStreamRetentionPeriodResponse> IncreaseStreamRetentionPeriodAsync(IncreaseStreamRetentionPeriodRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.IncreaseStreamRetentionPeriod, request, cancellationToken);

    /// <inheritdoc />
    public Task<DecreaseStreamRetentionPeriodResponse> DecreaseStreamRetentionPeriodAsync(DecreaseStreamRetentionPeriodRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.DecreaseStreamRetentionPeriod, request, cancellationToken);

    /// <inheritdoc />
    public Task<StartStreamEncryptionResponse> StartStreamEncryptionAsync(StartStreamEncryptionRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.StartStreamEncryption, request, cancellationToken);

    /// <inheritdoc />
    public Task<StopStreamEncryptionResponse> StopStreamEncryptionAsync(StopStreamEncryptionRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.StopStreamEncryption, request, cancellationToken);

    /// <inheritdoc />
    public Task<DescribeLimitsResponse> DescribeLimitsAsync(DescribeLimitsRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.DescribeLimits, request, cancellationToken);

    /// <inheritdoc />
    public Task<UpdateMaxRecordSizeResponse> UpdateMaxRecordSizeAsync(UpdateMaxRecordSizeRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.UpdateMaxRecordSize, request, cancellationToken);

    /// <inheritdoc />
    public Task<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.PutRecord, request, cancellationToken);

    /// <inheritdoc />
    public Task<PutRecordsResponse> PutRecordsAsync(PutRecordsRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.PutRecords, request, cancellationToken);

    /// <inheritdoc />
    public Task<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.GetShardIterator, request, cancellationToken);

    /// <inheritdoc />
    public Task<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.GetRecords, request, cancellationToken);

    /// <inheritdoc />
    public Task<SplitShardResponse> SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.SplitShard, request, cancellationToken);

    /// <inheritdoc />
    public Task<MergeShardsResponse> MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.MergeShards, request, cancellationToken);

    /// <inheritdoc />
    public Task<UpdateShardCountResponse> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.UpdateShardCount, request, cancellationToken);

    /// <inheritdoc />
    public Task<UpdateStreamModeResponse> UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.UpdateStreamMode, request, cancellationToken);

    /// <inheritdoc />
    public Task<RegisterStreamConsumerResponse> RegisterStreamConsumerAsync(RegisterStreamConsumerRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.RegisterStreamConsumer, request, cancellationToken);

    /// <inheritdoc />
    public Task<DeregisterStreamConsumerResponse> DeregisterStreamConsumerAsync(DeregisterStreamConsumerRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.DeregisterStreamConsumer, request, cancellationToken);

    /// <inheritdoc />
    public Task<DescribeStreamConsumerResponse> DescribeStreamConsumerAsync(DescribeStreamConsumerRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.DescribeStreamConsumer, request, cancellationToken);

    /// <inheritdoc />
    public Task<ListStreamConsumersResponse> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.ListStreamConsumers, request, cancellationToken);

    /// <inheritdoc />
    public Task<EnableEnhancedMonitoringResponse> EnableEnhancedMonitoringAsync(EnableEnhancedMonitoringRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.EnableEnhancedMonitoring, request, cancellationToken);

    /// <inheritdoc />
    public Task<DisableEnhancedMonitoringResponse> DisableEnhancedMonitoringAsync(DisableEnhancedMonitoringRequest request, CancellationToken cancellationToken = default) =>
        CallAsync(KinesisOperations.DisableEnhancedMonitoring, request, cancellationToken);
}
