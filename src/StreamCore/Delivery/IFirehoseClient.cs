namespace StreamCore.Delivery;

/// <summary>
/// Firehose's API (the AWS SDK for .NET's <c>IAmazonKinesisFirehose</c> names, requests and responses): delivery streams
/// and their records. <see cref="Firehose"/> implements it in process over a <see cref="StreamEngine"/>; the
/// StreamCore server serves it as <c>Firehose_20150804</c>. Errors are the exceptions of <see cref="Errors"/> named as
/// Firehose names them (ResourceNotFoundException, InvalidArgumentException, ConcurrentModificationException, ...).
/// </summary>
public interface IFirehoseClient
{
    /// <summary>Creates a delivery stream (CREATING, then ACTIVE after the engine's status delay).</summary>
    /// <param name="request">The name, source and exactly one destination.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The delivery stream's ARN.</returns>
    Task<CreateDeliveryStreamResponse> CreateDeliveryStreamAsync(CreateDeliveryStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes a delivery stream: it stops taking records, delivers what it holds, and disappears.</summary>
    /// <param name="request">The delivery stream.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    Task<DeleteDeliveryStreamResponse> DeleteDeliveryStreamAsync(DeleteDeliveryStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Describes a delivery stream with its defaults materialised as Firehose returns them.</summary>
    /// <param name="request">The delivery stream.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The description.</returns>
    Task<DescribeDeliveryStreamResponse> DescribeDeliveryStreamAsync(DescribeDeliveryStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists delivery stream names in order, a page at a time.</summary>
    /// <param name="request">The page and type filter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The names.</returns>
    Task<ListDeliveryStreamsResponse> ListDeliveryStreamsAsync(ListDeliveryStreamsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists a delivery stream's tags by key.</summary>
    /// <param name="request">The delivery stream and page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tags.</returns>
    Task<ListTagsForDeliveryStreamResponse> ListTagsForDeliveryStreamAsync(ListTagsForDeliveryStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Adds or replaces tags (at most 50 in all).</summary>
    /// <param name="request">The delivery stream and tags.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    Task<TagDeliveryStreamResponse> TagDeliveryStreamAsync(TagDeliveryStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Removes tags by key.</summary>
    /// <param name="request">The delivery stream and keys.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    Task<UntagDeliveryStreamResponse> UntagDeliveryStreamAsync(UntagDeliveryStreamRequest request, CancellationToken cancellationToken = default);

    /// <summary>Turns server-side encryption on (ENABLING, then ENABLED).</summary>
    /// <param name="request">The delivery stream and key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    Task<StartDeliveryStreamEncryptionResponse> StartDeliveryStreamEncryptionAsync(StartDeliveryStreamEncryptionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Turns server-side encryption off (DISABLING, then DISABLED).</summary>
    /// <param name="request">The delivery stream.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    Task<StopDeliveryStreamEncryptionResponse> StopDeliveryStreamEncryptionAsync(StopDeliveryStreamEncryptionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes the destination when the version id is current; the version then increases by one.</summary>
    /// <param name="request">The delivery stream, its current version, the destination and the changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>An empty response.</returns>
    Task<UpdateDestinationResponse> UpdateDestinationAsync(UpdateDestinationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Puts one record (DirectPut delivery streams only).</summary>
    /// <param name="request">The delivery stream and record.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record's id.</returns>
    Task<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken = default);

    /// <summary>Puts up to 500 records (4 MiB) with one result per record, in order.</summary>
    /// <param name="request">The delivery stream and records.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The results and the failure count.</returns>
    Task<PutRecordBatchResponse> PutRecordBatchAsync(PutRecordBatchRequest request, CancellationToken cancellationToken = default);
}
