namespace StreamCore.Kinesis;

/// <summary>
/// A Kinesis Data Streams client in the shape of the AWS SDK for .NET's <c>IAmazonKinesis</c>: the same method,
/// request, response and member names, and errors as exceptions named as Kinesis names them (for example
/// <see cref="StreamCore.Errors.ResourceNotFoundException"/>). Code written against Kinesis ports by changing the client.
/// Get one from <see cref="KinesisEngineExtensions.CreateKinesisClient"/> or dependency injection. Thread-safe.
/// </summary>
public interface IKinesisClient
{
    /// <summary>Creates a stream (provisioned with ShardCount, or on-demand with 4 shards).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes a stream and its records.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<DeleteStreamResponse> DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Describes a stream with a page of its shards.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The description.</returns>
    Task<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Describes a stream without its shards.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The summary.</returns>
    Task<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists streams in name order, a page at a time.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>A page of streams.</returns>
    Task<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists a stream's shards, a page at a time, optionally filtered.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>A page of shards.</returns>
    Task<ListShardsResponse> ListShardsAsync(ListShardsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Adds or overwrites tags (at most 50 per stream).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<AddTagsToStreamResponse> AddTagsToStreamAsync(AddTagsToStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Removes tags; unknown keys are ignored.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<RemoveTagsFromStreamResponse> RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists tags in key order.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>A page of tags.</returns>
    Task<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Raises the retention period (24-8760 hours).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<IncreaseStreamRetentionPeriodResponse> IncreaseStreamRetentionPeriodAsync(IncreaseStreamRetentionPeriodRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lowers the retention period (24-8760 hours); older records become unreadable at once.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<DecreaseStreamRetentionPeriodResponse> DecreaseStreamRetentionPeriodAsync(DecreaseStreamRetentionPeriodRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts KMS encryption of new records (state and key id).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<StartStreamEncryptionResponse> StartStreamEncryptionAsync(StartStreamEncryptionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Stops encryption of new records.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<StopStreamEncryptionResponse> StopStreamEncryptionAsync(StopStreamEncryptionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reports the account's shard and on-demand stream quotas and usage.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The limits.</returns>
    Task<DescribeLimitsResponse> DescribeLimitsAsync(DescribeLimitsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes the largest record a stream accepts (1024-10240 KiB).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<UpdateMaxRecordSizeResponse> UpdateMaxRecordSizeAsync(UpdateMaxRecordSizeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Writes one record.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The record's shard and sequence number.</returns>
    Task<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken = default);

    /// <summary>Writes up to 500 records; failures are reported per record, in request order.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>One result per record.</returns>
    Task<PutRecordsResponse> PutRecordsAsync(PutRecordsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Returns an iterator that reads a shard from a position.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The iterator.</returns>
    Task<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads records from an iterator's position; returns the available records at once.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The records and the next iterator.</returns>
    Task<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Splits an open shard in two at a hash key (provisioned streams).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<SplitShardResponse> SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken = default);

    /// <summary>Merges two adjacent open shards (provisioned streams).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<MergeShardsResponse> MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Scales a provisioned stream to a number of open shards of even width.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The shard counts before and after.</returns>
    Task<UpdateShardCountResponse> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken = default);

    /// <summary>Switches a stream between PROVISIONED and ON_DEMAND.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<UpdateStreamModeResponse> UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Registers an enhanced fan-out consumer on a stream.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The consumer.</returns>
    Task<RegisterStreamConsumerResponse> RegisterStreamConsumerAsync(RegisterStreamConsumerRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deregisters a consumer; its subscriptions end.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>An empty response.</returns>
    Task<DeregisterStreamConsumerResponse> DeregisterStreamConsumerAsync(DeregisterStreamConsumerRequest request, CancellationToken cancellationToken = default);

    /// <summary>Describes a consumer.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The consumer's description.</returns>
    Task<DescribeStreamConsumerResponse> DescribeStreamConsumerAsync(DescribeStreamConsumerRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists a stream's consumers, a page at a time.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>A page of consumers.</returns>
    Task<ListStreamConsumersResponse> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken = default);

    /// <summary>Subscribes a consumer to a shard: records are pushed as they are appended.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call and ends the event stream.</param>
    /// <returns>The event stream.</returns>
    Task<SubscribeToShardResponse> SubscribeToShardAsync(SubscribeToShardRequest request, CancellationToken cancellationToken = default);

    /// <summary>Turns on shard-level metrics: measurements of those metrics are then tagged with the shard.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The metrics before and after.</returns>
    Task<EnableEnhancedMonitoringResponse> EnableEnhancedMonitoringAsync(EnableEnhancedMonitoringRequest request, CancellationToken cancellationToken = default);

    /// <summary>Turns off shard-level metrics.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels before the call takes effect.</param>
    /// <returns>The metrics before and after.</returns>
    Task<DisableEnhancedMonitoringResponse> DisableEnhancedMonitoringAsync(DisableEnhancedMonitoringRequest request, CancellationToken cancellationToken = default);
}
