using StreamCore.Kinesis;

namespace StreamCore.Delivery;

/// <summary>A delivery stream's source: DirectPut, KinesisStreamAsSource (MSKAsSource and DatabaseAsSource are refused).</summary>
public sealed class DeliveryStreamType : ConstantClass
{
    /// <summary>The value <c>DirectPut</c>.</summary>
    public static readonly DeliveryStreamType DirectPut = new("DirectPut");

    /// <summary>The value <c>KinesisStreamAsSource</c>.</summary>
    public static readonly DeliveryStreamType KinesisStreamAsSource = new("KinesisStreamAsSource");

    /// <summary>The value <c>MSKAsSource</c>.</summary>
    public static readonly DeliveryStreamType MSKAsSource = new("MSKAsSource");

    /// <summary>The value <c>DatabaseAsSource</c>.</summary>
    public static readonly DeliveryStreamType DatabaseAsSource = new("DatabaseAsSource");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public DeliveryStreamType(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["DirectPut", "KinesisStreamAsSource", "MSKAsSource", "DatabaseAsSource"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator DeliveryStreamType?(string? value) => value is null ? null : new(value);
}

/// <summary>A delivery stream's status.</summary>
public sealed class DeliveryStreamStatus : ConstantClass
{
    /// <summary>The value <c>CREATING</c>.</summary>
    public static readonly DeliveryStreamStatus CREATING = new("CREATING");

    /// <summary>The value <c>CREATING_FAILED</c>.</summary>
    public static readonly DeliveryStreamStatus CREATING_FAILED = new("CREATING_FAILED");

    /// <summary>The value <c>DELETING</c>.</summary>
    public static readonly DeliveryStreamStatus DELETING = new("DELETING");

    /// <summary>The value <c>DELETING_FAILED</c>.</summary>
    public static readonly DeliveryStreamStatus DELETING_FAILED = new("DELETING_FAILED");

    /// <summary>The value <c>ACTIVE</c>.</summary>
    public static readonly DeliveryStreamStatus ACTIVE = new("ACTIVE");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public DeliveryStreamStatus(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["CREATING", "CREATING_FAILED", "DELETING", "DELETING_FAILED", "ACTIVE"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator DeliveryStreamStatus?(string? value) => value is null ? null : new(value);
}

/// <summary>How delivered S3 objects are compressed (case-sensitive values).</summary>
public sealed class CompressionFormat : ConstantClass
{
    /// <summary>The value <c>UNCOMPRESSED</c>.</summary>
    public static readonly CompressionFormat UNCOMPRESSED = new("UNCOMPRESSED");

    /// <summary>The value <c>GZIP</c>.</summary>
    public static readonly CompressionFormat GZIP = new("GZIP");

    /// <summary>The value <c>ZIP</c>.</summary>
    public static readonly CompressionFormat ZIP = new("ZIP");

    /// <summary>The value <c>Snappy</c>.</summary>
    public static readonly CompressionFormat Snappy = new("Snappy");

    /// <summary>The value <c>HADOOP_SNAPPY</c>.</summary>
    public static readonly CompressionFormat HADOOP_SNAPPY = new("HADOOP_SNAPPY");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public CompressionFormat(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator CompressionFormat?(string? value) => value is null ? null : new(value);
}

/// <summary>The value that turns off S3 server-side encryption of delivered objects.</summary>
public sealed class NoEncryptionConfig : ConstantClass
{
    /// <summary>The value <c>NoEncryption</c>.</summary>
    public static readonly NoEncryptionConfig NoEncryption = new("NoEncryption");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public NoEncryptionConfig(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["NoEncryption"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator NoEncryptionConfig?(string? value) => value is null ? null : new(value);
}

/// <summary>The kind of KMS key that encrypts a delivery stream.</summary>
public sealed class KeyType : ConstantClass
{
    /// <summary>The value <c>AWS_OWNED_CMK</c>.</summary>
    public static readonly KeyType AWS_OWNED_CMK = new("AWS_OWNED_CMK");

    /// <summary>The value <c>CUSTOMER_MANAGED_CMK</c>.</summary>
    public static readonly KeyType CUSTOMER_MANAGED_CMK = new("CUSTOMER_MANAGED_CMK");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public KeyType(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator KeyType?(string? value) => value is null ? null : new(value);
}

/// <summary>The status of a delivery stream's server-side encryption.</summary>
public sealed class DeliveryStreamEncryptionStatus : ConstantClass
{
    /// <summary>The value <c>ENABLED</c>.</summary>
    public static readonly DeliveryStreamEncryptionStatus ENABLED = new("ENABLED");

    /// <summary>The value <c>ENABLING</c>.</summary>
    public static readonly DeliveryStreamEncryptionStatus ENABLING = new("ENABLING");

    /// <summary>The value <c>ENABLING_FAILED</c>.</summary>
    public static readonly DeliveryStreamEncryptionStatus ENABLING_FAILED = new("ENABLING_FAILED");

    /// <summary>The value <c>DISABLED</c>.</summary>
    public static readonly DeliveryStreamEncryptionStatus DISABLED = new("DISABLED");

    /// <summary>The value <c>DISABLING</c>.</summary>
    public static readonly DeliveryStreamEncryptionStatus DISABLING = new("DISABLING");

    /// <summary>The value <c>DISABLING_FAILED</c>.</summary>
    public static readonly DeliveryStreamEncryptionStatus DISABLING_FAILED = new("DISABLING_FAILED");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public DeliveryStreamEncryptionStatus(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["ENABLED", "ENABLING", "ENABLING_FAILED", "DISABLED", "DISABLING", "DISABLING_FAILED"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator DeliveryStreamEncryptionStatus?(string? value) => value is null ? null : new(value);
}

/// <summary>Whether an extended S3 destination also backs up the source records.</summary>
public sealed class S3BackupMode : ConstantClass
{
    /// <summary>The value <c>Disabled</c>.</summary>
    public static readonly S3BackupMode Disabled = new("Disabled");

    /// <summary>The value <c>Enabled</c>.</summary>
    public static readonly S3BackupMode Enabled = new("Enabled");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public S3BackupMode(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["Disabled", "Enabled"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator S3BackupMode?(string? value) => value is null ? null : new(value);
}

/// <summary>A record processor of a ProcessingConfiguration.</summary>
public sealed class ProcessorType : ConstantClass
{
    /// <summary>The value <c>RecordDeAggregation</c>.</summary>
    public static readonly ProcessorType RecordDeAggregation = new("RecordDeAggregation");

    /// <summary>The value <c>Decompression</c>.</summary>
    public static readonly ProcessorType Decompression = new("Decompression");

    /// <summary>The value <c>CloudWatchLogProcessing</c>.</summary>
    public static readonly ProcessorType CloudWatchLogProcessing = new("CloudWatchLogProcessing");

    /// <summary>The value <c>Lambda</c>.</summary>
    public static readonly ProcessorType Lambda = new("Lambda");

    /// <summary>The value <c>MetadataExtraction</c>.</summary>
    public static readonly ProcessorType MetadataExtraction = new("MetadataExtraction");

    /// <summary>The value <c>AppendDelimiterToRecord</c>.</summary>
    public static readonly ProcessorType AppendDelimiterToRecord = new("AppendDelimiterToRecord");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public ProcessorType(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["RecordDeAggregation", "Decompression", "CloudWatchLogProcessing", "Lambda", "MetadataExtraction", "AppendDelimiterToRecord"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator ProcessorType?(string? value) => value is null ? null : new(value);
}

/// <summary>A parameter of a record processor.</summary>
public sealed class ProcessorParameterName : ConstantClass
{
    /// <summary>The value <c>LambdaArn</c>.</summary>
    public static readonly ProcessorParameterName LambdaArn = new("LambdaArn");

    /// <summary>The value <c>NumberOfRetries</c>.</summary>
    public static readonly ProcessorParameterName NumberOfRetries = new("NumberOfRetries");

    /// <summary>The value <c>MetadataExtractionQuery</c>.</summary>
    public static readonly ProcessorParameterName MetadataExtractionQuery = new("MetadataExtractionQuery");

    /// <summary>The value <c>JsonParsingEngine</c>.</summary>
    public static readonly ProcessorParameterName JsonParsingEngine = new("JsonParsingEngine");

    /// <summary>The value <c>RoleArn</c>.</summary>
    public static readonly ProcessorParameterName RoleArn = new("RoleArn");

    /// <summary>The value <c>BufferSizeInMBs</c>.</summary>
    public static readonly ProcessorParameterName BufferSizeInMBs = new("BufferSizeInMBs");

    /// <summary>The value <c>BufferIntervalInSeconds</c>.</summary>
    public static readonly ProcessorParameterName BufferIntervalInSeconds = new("BufferIntervalInSeconds");

    /// <summary>The value <c>SubRecordType</c>.</summary>
    public static readonly ProcessorParameterName SubRecordType = new("SubRecordType");

    /// <summary>The value <c>Delimiter</c>.</summary>
    public static readonly ProcessorParameterName Delimiter = new("Delimiter");

    /// <summary>The value <c>CompressionFormat</c>.</summary>
    public static readonly ProcessorParameterName CompressionFormat = new("CompressionFormat");

    /// <summary>The value <c>DataMessageExtraction</c>.</summary>
    public static readonly ProcessorParameterName DataMessageExtraction = new("DataMessageExtraction");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public ProcessorParameterName(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["LambdaArn", "NumberOfRetries", "MetadataExtractionQuery", "JsonParsingEngine", "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds", "SubRecordType", "Delimiter", "CompressionFormat", "DataMessageExtraction"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator ProcessorParameterName?(string? value) => value is null ? null : new(value);
}

/// <summary>How often an OpenSearch/Elasticsearch destination starts a new index.</summary>
public sealed class ElasticsearchIndexRotationPeriod : ConstantClass
{
    /// <summary>The value <c>NoRotation</c>.</summary>
    public static readonly ElasticsearchIndexRotationPeriod NoRotation = new("NoRotation");

    /// <summary>The value <c>OneHour</c>.</summary>
    public static readonly ElasticsearchIndexRotationPeriod OneHour = new("OneHour");

    /// <summary>The value <c>OneDay</c>.</summary>
    public static readonly ElasticsearchIndexRotationPeriod OneDay = new("OneDay");

    /// <summary>The value <c>OneWeek</c>.</summary>
    public static readonly ElasticsearchIndexRotationPeriod OneWeek = new("OneWeek");

    /// <summary>The value <c>OneMonth</c>.</summary>
    public static readonly ElasticsearchIndexRotationPeriod OneMonth = new("OneMonth");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public ElasticsearchIndexRotationPeriod(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["NoRotation", "OneHour", "OneDay", "OneWeek", "OneMonth"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator ElasticsearchIndexRotationPeriod?(string? value) => value is null ? null : new(value);
}

/// <summary>Which documents an OpenSearch/Elasticsearch destination also writes to S3.</summary>
public sealed class ElasticsearchS3BackupMode : ConstantClass
{
    /// <summary>The value <c>FailedDocumentsOnly</c>.</summary>
    public static readonly ElasticsearchS3BackupMode FailedDocumentsOnly = new("FailedDocumentsOnly");

    /// <summary>The value <c>AllDocuments</c>.</summary>
    public static readonly ElasticsearchS3BackupMode AllDocuments = new("AllDocuments");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public ElasticsearchS3BackupMode(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["FailedDocumentsOnly", "AllDocuments"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator ElasticsearchS3BackupMode?(string? value) => value is null ? null : new(value);
}

/// <summary>How an OpenSearch/Elasticsearch destination identifies documents.</summary>
public sealed class DefaultDocumentIdFormat : ConstantClass
{
    /// <summary>The value <c>FIREHOSE_DEFAULT</c>.</summary>
    public static readonly DefaultDocumentIdFormat FIREHOSE_DEFAULT = new("FIREHOSE_DEFAULT");

    /// <summary>The value <c>NO_DOCUMENT_ID</c>.</summary>
    public static readonly DefaultDocumentIdFormat NO_DOCUMENT_ID = new("NO_DOCUMENT_ID");

    /// <summary>Creates a constant (use the static members; any other value is refused by validation).</summary>
    /// <param name="value">The wire value.</param>
    public DefaultDocumentIdFormat(string value)
        : base(value)
    {
    }

    /// <summary>Every value the service accepts, in the model's order.</summary>
    internal static readonly string[] Values = ["FIREHOSE_DEFAULT", "NO_DOCUMENT_ID"];

    /// <summary>Converts a wire value.</summary>
    /// <param name="value">The wire value.</param>
    public static implicit operator DefaultDocumentIdFormat?(string? value) => value is null ? null : new(value);
}
