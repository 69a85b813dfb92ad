using System.Globalization;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Reading;
using CoreHashKeyRange = StreamCore.HashKeyRange;
using EngineConsumerStatus = StreamCore.Engine.ConsumerStatus;

namespace StreamCore.Kinesis;

/// <summary>
/// The Kinesis-shaped face over an engine: validates request shapes (ValidationException texts), translates to
/// engine calls, and builds responses. No storage logic lives here.
/// </summary>
internal sealed partial class KinesisClient(StreamEngine engine) : IKinesisClient
{
    private static readonly string[] StreamModes = ["PROVISIONED", "ON_DEMAND"];
    // In the order AWS lists them in its ValidationException (recorded by kinesalite's tests).
    private static readonly string[] IteratorTypes = ["AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"];
    private static readonly string[] EncryptionTypes = ["NONE", "KMS"];
    private static readonly string[] ScalingTypes = ["UNIFORM_SCALING"];
    private static readonly string[] FilterTypes = ["AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"];

    private readonly PageTokens _pages = new(engine.Tokens);

    /// <summary>The engine this client is the face of.</summary>
    internal StreamEngine Engine => engine;
    private readonly ShardIteratorCodec _iterators = new(engine.Tokens);

    // The token comes first so every operation reads "Run(token, () => ...)": a guard, then the body.
#pragma warning disable CA1068
    private static Task<T> Run<T>(CancellationToken cancellationToken, Func<T> operation)
#pragma warning restore CA1068
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return Task.FromResult(operation());
        }
        catch (KinesisException ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    private StreamState Resolve(StreamAddressedRequest request) => engine.Resolve(request.StreamName, request.StreamARN);

    /// <summary>Admits a call after validation and before any change (fault rules, control-plane rates).</summary>
    private void Inject(string operation, string? streamName, ShardState? shard = null) => engine.AdmitCall(operation, streamName, shard);

    // ------------------------------------------------------------------ shapes

    /// <summary>
    /// A copy of a record in the AWS shape (responses outlive the storage they came from); the engine's read path has
    /// already decrypted it. Its EncryptionType says how it was stored.
    /// </summary>
    private static Record ToRecord(StreamRecord record) => new()
    {
        SequenceNumber = record.SequenceNumber.ToString(),
        ApproximateArrivalTimestamp = record.ApproximateArrivalTimestamp.UtcDateTime,
        Data = new MemoryStream(record.Data.ToArray(), writable: false),
        PartitionKey = record.PartitionKey,
        EncryptionType = record.WasEncrypted ? EncryptionType.KMS : EncryptionType.NONE,
    };

    private static List<ChildShard> ToChildShards(ShardState[] children) =>
    [
        .. children.Select(child => new ChildShard
        {
            ShardId = child.IdText,
            ParentShards = [.. new[] { child.ParentShardId, child.AdjacentParentShardId }.OfType<ShardId>().Select(p => p.ToString())],
            HashKeyRange = ToRange(child.Range),
        }),
    ];

    private static EncryptionType EncryptionOf(StreamState stream) => stream.EncryptionType == "KMS" ? EncryptionType.KMS : EncryptionType.NONE;

    private static StreamModeDetails ModeOf(StreamState stream) =>
        new() { StreamMode = stream.Mode == StreamCapacityMode.OnDemand ? StreamMode.ON_DEMAND : StreamMode.PROVISIONED };

    private static Shard ToShard(ShardState shard) => new()
    {
        ShardId = shard.IdText,
        ParentShardId = shard.ParentShardId?.ToString(),
        AdjacentParentShardId = shard.AdjacentParentShardId?.ToString(),
        HashKeyRange = ToRange(shard.Range),
        SequenceNumberRange = new SequenceNumberRange
        {
            StartingSequenceNumber = shard.StartingSequenceNumber.ToString(),
            EndingSequenceNumber = shard.EndingSequenceNumber?.ToString(),
        },
    };

    private static HashKeyRange ToRange(CoreHashKeyRange range) => new()
    {
        StartingHashKey = range.StartingHashKey.ToString(CultureInfo.InvariantCulture),
        EndingHashKey = range.EndingHashKey.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Unix milliseconds of a request time; an unspecified kind is taken as UTC.</summary>
    private static long Utc(DateTime time) =>
        new DateTimeOffset(time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
