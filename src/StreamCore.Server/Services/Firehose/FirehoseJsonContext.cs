using System.Text.Json.Serialization;
using StreamCore.Delivery;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Server.Services.Firehose;

/// <summary>
/// Firehose's JSON 1.1 contracts, generated at compile time (trim- and AOT-safe): members by their API names, absent
/// members omitted, blobs as base64, timestamps as epoch seconds, constants as strings.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(BlobJsonConverter), typeof(EpochSecondsJsonConverter), typeof(DeliveryStreamTypeJsonConverter), typeof(DeliveryStreamStatusJsonConverter), typeof(CompressionFormatJsonConverter), typeof(NoEncryptionConfigJsonConverter), typeof(KeyTypeJsonConverter), typeof(DeliveryStreamEncryptionStatusJsonConverter), typeof(S3BackupModeJsonConverter), typeof(ProcessorTypeJsonConverter), typeof(ProcessorParameterNameJsonConverter), typeof(ElasticsearchIndexRotationPeriodJsonConverter), typeof(ElasticsearchS3BackupModeJsonConverter), typeof(DefaultDocumentIdFormatJsonConverter)])]
[JsonSerializable(typeof(CreateDeliveryStreamRequest))]
[JsonSerializable(typeof(CreateDeliveryStreamResponse))]
[JsonSerializable(typeof(DeleteDeliveryStreamRequest))]
[JsonSerializable(typeof(DeleteDeliveryStreamResponse))]
[JsonSerializable(typeof(DescribeDeliveryStreamRequest))]
[JsonSerializable(typeof(DescribeDeliveryStreamResponse))]
[JsonSerializable(typeof(ListDeliveryStreamsRequest))]
[JsonSerializable(typeof(ListDeliveryStreamsResponse))]
[JsonSerializable(typeof(ListTagsForDeliveryStreamRequest))]
[JsonSerializable(typeof(ListTagsForDeliveryStreamResponse))]
[JsonSerializable(typeof(TagDeliveryStreamRequest))]
[JsonSerializable(typeof(TagDeliveryStreamResponse))]
[JsonSerializable(typeof(UntagDeliveryStreamRequest))]
[JsonSerializable(typeof(UntagDeliveryStreamResponse))]
[JsonSerializable(typeof(StartDeliveryStreamEncryptionRequest))]
[JsonSerializable(typeof(StartDeliveryStreamEncryptionResponse))]
[JsonSerializable(typeof(StopDeliveryStreamEncryptionRequest))]
[JsonSerializable(typeof(StopDeliveryStreamEncryptionResponse))]
[JsonSerializable(typeof(UpdateDestinationRequest))]
[JsonSerializable(typeof(UpdateDestinationResponse))]
[JsonSerializable(typeof(PutRecordRequest))]
[JsonSerializable(typeof(PutRecordResponse))]
[JsonSerializable(typeof(PutRecordBatchRequest))]
[JsonSerializable(typeof(PutRecordBatchResponse))]
internal sealed partial class FirehoseJsonContext : JsonSerializerContext;
