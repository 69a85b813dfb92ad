using StreamCore.Delivery;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Server.Services.Firehose;

internal sealed class DeliveryStreamTypeJsonConverter() : ConstantJsonConverter<DeliveryStreamType>(v => new(v));

internal sealed class DeliveryStreamStatusJsonConverter() : ConstantJsonConverter<DeliveryStreamStatus>(v => new(v));

internal sealed class CompressionFormatJsonConverter() : ConstantJsonConverter<CompressionFormat>(v => new(v));

internal sealed class NoEncryptionConfigJsonConverter() : ConstantJsonConverter<NoEncryptionConfig>(v => new(v));

internal sealed class KeyTypeJsonConverter() : ConstantJsonConverter<KeyType>(v => new(v));

internal sealed class DeliveryStreamEncryptionStatusJsonConverter() : ConstantJsonConverter<DeliveryStreamEncryptionStatus>(v => new(v));

internal sealed class S3BackupModeJsonConverter() : ConstantJsonConverter<S3BackupMode>(v => new(v));

internal sealed class ProcessorTypeJsonConverter() : ConstantJsonConverter<ProcessorType>(v => new(v));

internal sealed class ProcessorParameterNameJsonConverter() : ConstantJsonConverter<ProcessorParameterName>(v => new(v));

internal sealed class ElasticsearchIndexRotationPeriodJsonConverter() : ConstantJsonConverter<ElasticsearchIndexRotationPeriod>(v => new(v));

internal sealed class ElasticsearchS3BackupModeJsonConverter() : ConstantJsonConverter<ElasticsearchS3BackupMode>(v => new(v));

internal sealed class DefaultDocumentIdFormatJsonConverter() : ConstantJsonConverter<DefaultDocumentIdFormat>(v => new(v));
