using System.Text.Json.Serialization;

namespace StreamCore.Kinesis.Wire;

/// <summary>
/// The Kinesis models' JSON contracts, generated at compile time (trim- and Native-AOT-safe; no reflection): members by
/// their API names, absent members omitted, blobs as base64, timestamps as epoch seconds, constants as strings.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters =
    [
        typeof(BlobJsonConverter), typeof(EpochSecondsJsonConverter), typeof(StreamStatusJsonConverter),
        typeof(StreamModeJsonConverter), typeof(ShardIteratorTypeJsonConverter), typeof(EncryptionTypeJsonConverter),
        typeof(ShardFilterTypeJsonConverter), typeof(ConsumerStatusJsonConverter), typeof(ScalingTypeJsonConverter),
    ])]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(CreateStreamRequest))]
[JsonSerializable(typeof(CreateStreamResponse))]
[JsonSerializable(typeof(DeleteStreamRequest))]
[JsonSerializable(typeof(DeleteStreamResponse))]
[JsonSerializable(typeof(DescribeStreamRequest))]
[JsonSerializable(typeof(DescribeStreamResponse))]
[JsonSerializable(typeof(DescribeStreamSummaryRequest))]
[JsonSerializable(typeof(DescribeStreamSummaryResponse))]
[JsonSerializable(typeof(ListStreamsRequest))]
[JsonSerializable(typeof(ListStreamsResponse))]
[JsonSerializable(typeof(ListShardsRequest))]
[JsonSerializable(typeof(ListShardsResponse))]
[JsonSerializable(typeof(AddTagsToStreamRequest))]
[JsonSerializable(typeof(AddTagsToStreamResponse))]
[JsonSerializable(typeof(RemoveTagsFromStreamRequest))]
[JsonSerializable(typeof(RemoveTagsFromStreamResponse))]
[JsonSerializable(typeof(ListTagsForStreamRequest))]
[JsonSerializable(typeof(ListTagsForStreamResponse))]
[JsonSerializable(typeof(IncreaseStreamRetentionPeriodRequest))]
[JsonSerializable(typeof(IncreaseStreamRetentionPeriodResponse))]
[JsonSerializable(typeof(DecreaseStreamRetentionPeriodRequest))]
[JsonSerializable(typeof(DecreaseStreamRetentionPeriodResponse))]
[JsonSerializable(typeof(StartStreamEncryptionRequest))]
[JsonSerializable(typeof(StartStreamEncryptionResponse))]
[JsonSerializable(typeof(StopStreamEncryptionRequest))]
[JsonSerializable(typeof(StopStreamEncryptionResponse))]
[JsonSerializable(typeof(DescribeLimitsRequest))]
[JsonSerializable(typeof(DescribeLimitsResponse))]
[JsonSerializable(typeof(UpdateMaxRecordSizeRequest))]
[JsonSerializable(typeof(UpdateMaxRecordSizeResponse))]
[JsonSerializable(typeof(PutRecordRequest))]
[JsonSerializable(typeof(PutRecordResponse))]
[JsonSerializable(typeof(PutRecordsRequest))]
[JsonSerializable(typeof(PutRecordsResponse))]
[JsonSerializable(typeof(GetShardIteratorRequest))]
[JsonSerializable(typeof(GetShardIteratorResponse))]
[JsonSerializable(typeof(GetRecordsRequest))]
[JsonSerializable(typeof(GetRecordsResponse))]
[JsonSerializable(typeof(SplitShardRequest))]
[JsonSerializable(typeof(SplitShardResponse))]
[JsonSerializable(typeof(MergeShardsRequest))]
[JsonSerializable(typeof(MergeShardsResponse))]
[JsonSerializable(typeof(UpdateShardCountRequest))]
[JsonSerializable(typeof(UpdateShardCountResponse))]
[JsonSerializable(typeof(UpdateStreamModeRequest))]
[JsonSerializable(typeof(UpdateStreamModeResponse))]
[JsonSerializable(typeof(RegisterStreamConsumerRequest))]
[JsonSerializable(typeof(RegisterStreamConsumerResponse))]
[JsonSerializable(typeof(DeregisterStreamConsumerRequest))]
[JsonSerializable(typeof(DeregisterStreamConsumerResponse))]
[JsonSerializable(typeof(DescribeStreamConsumerRequest))]
[JsonSerializable(typeof(DescribeStreamConsumerResponse))]
[JsonSerializable(typeof(ListStreamConsumersRequest))]
[JsonSerializable(typeof(ListStreamConsumersResponse))]
[JsonSerializable(typeof(SubscribeToShardRequest))]
[JsonSerializable(typeof(SubscribeToShardEvent))]
[JsonSerializable(typeof(EnableEnhancedMonitoringRequest))]
[JsonSerializable(typeof(EnableEnhancedMonitoringResponse))]
[JsonSerializable(typeof(DisableEnhancedMonitoringRequest))]
[JsonSerializable(typeof(DisableEnhancedMonitoringResponse))]
internal sealed partial class KinesisJsonContext : JsonSerializerContext
{
}
