using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Hashing;
using StreamCore.Reading;
using CorePosition = StreamCore.ShardPosition;

namespace StreamCore.Kinesis;

internal sealed partial class KinesisClient
{
    // ------------------------------------------------------------------ records

    public Task<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        // Members in the order AWS reports them (kinesalite's AWS-recorded tests).
        var errors = default(ValidationErrors);
        ReadOnlySpan<byte> data = Bytes(request.Data);
        Constraints.SequenceNumberMember(ref errors, request.SequenceNumberForOrdering, "sequenceNumberForOrdering");
        Constraints.PartitionKey(ref errors, request.PartitionKey, "partitionKey");
        Constraints.ExplicitHashKey(ref errors, request.ExplicitHashKey, "explicitHashKey");
        errors.Required(request.Data, "data");
        DataSize(ref errors, request.Data, data.Length, "data");
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        if (request.SequenceNumberForOrdering is { } ordering && !SequenceNumber.TryParse(ordering, out _))
        {
            throw ErrorMessages.ExclusiveMinimumSequenceNumberInvalid(ordering, stream.Name, engine.AccountId);
        }

        Span<byte> key = stackalloc byte[RecordRules.MaxUtf8Length(request.PartitionKey)];
        int keyLength = RecordRules.EncodePartitionKey(engine, stream, request.PartitionKey!, data.Length, key, "partitionKey");
        UInt128? explicitHashKey = request.ExplicitHashKey is { } explicitKey ? ExplicitHashKey(explicitKey) : null;
        SequenceNumber sequenceNumber = engine.Append(stream, request.PartitionKey!, explicitHashKey, key[..keyLength], data, "PutRecord", out ShardState shard);
        return new PutRecordResponse
        {
            ShardId = shard.IdText,
            SequenceNumber = sequenceNumber.ToString(),
            EncryptionType = EncryptionOf(stream),
        };
    });

    public Task<PutRecordsResponse> PutRecordsAsync(PutRecordsRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        List<PutRecordsRequestEntry>? records = request.Records;
        var errors = default(ValidationErrors);
        errors.Size(records, "records", 1, Constraints.MaxRecordsPerPutRecords);

        // Shape checks first, for every entry (also when the list is too long: AWS reports both, up to ten
        // failures); member paths are only built for entries that fail.
        int count = records?.Count ?? 0;

        // Each entry's key and payload are read once, into the encoded batch: what is validated is what is stored, even
        // if the request changes meanwhile. An explicit hash key out of range is reported after the shape checks, the
        // stream lookup and the size limit, as AWS orders them.
        AppendBuffer batch = RentBuffer();
        try
        {
            string? outOfRange = null;
            for (int i = 0; i < count; i++)
            {
                PutRecordsRequestEntry? entry = records![i];
                MemoryStream? dataStream = entry?.Data;
                int dataLength = dataStream is null ? 0 : (int)Math.Min(dataStream.Length, int.MaxValue);
                string? key = entry?.PartitionKey;
                bool keyOk = key is { Length: > 0 and <= Constraints.MaxPartitionKeyLength };
                bool hashKeyOk = entry?.ExplicitHashKey is not { } hk || Constraints.IsHashKey(hk);
                if (entry?.Data is null || dataLength > Constraints.MaxMaxRecordSizeKiB * 1024 || !keyOk || !hashKeyOk)
                {
                    string path = string.Create(CultureInfo.InvariantCulture, $"records.{i + 1}.member");
                    errors.Required(entry?.Data, path + ".data");
                    DataSize(ref errors, entry?.Data, dataLength, path + ".data");
                    Constraints.PartitionKey(ref errors, key, path + ".partitionKey");
                    Constraints.ExplicitHashKey(ref errors, entry?.ExplicitHashKey, path + ".explicitHashKey");
                    continue;
                }

                UInt128? explicitHashKey = null;
                if (entry.ExplicitHashKey is { } explicitText)
                {
                    if (PartitionKeyHash.TryParseExplicitHashKey(explicitText, out UInt128 parsed) == ExplicitHashKeyParse.Ok)
                    {
                        explicitHashKey = parsed;
                    }
                    else
                    {
                        outOfRange ??= explicitText;
                    }
                }

                if (dataStream!.TryGetBuffer(out ArraySegment<byte> exposed))
                {
                    batch.AddReference(key!, explicitHashKey, exposed); // read when written, after validation: nothing copied twice
                }
                else
                {
                    batch.Add(key!, explicitHashKey, dataStream); // a stream that hides its buffer (new MemoryStream(bytes)) is copied, not ToArray'd
                }
            }

            Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
            errors.ThrowIfAny();
            StreamState stream = Resolve(request);
            if (batch.PutBytes > Constraints.MaxPutRecordsBytes)
            {
                throw new InvalidArgumentException($"Records size exceeds the PutRecords limit: the request's records total {batch.PutBytes.ToString(CultureInfo.InvariantCulture)} bytes (data plus partition keys); at most {Constraints.MaxPutRecordsBytes.ToString(CultureInfo.InvariantCulture)} bytes (10 MiB) are accepted per call.");
            }

            if (outOfRange is not null)
            {
                throw ErrorMessages.ExplicitHashKeyOutOfRange(outOfRange);
            }

            var results = new List<PutRecordsResultEntry>(count);
            CollectionsMarshal.SetCount(results, count);
            var outcomes = new ResultEntries(results);
            int failed = engine.AppendBatch(stream, batch, "PutRecords", ref outcomes);
            return new PutRecordsResponse
            {
                FailedRecordCount = failed,
                Records = results,
                EncryptionType = EncryptionOf(stream),
            };
        }
        finally
        {
            ReturnBuffer(batch);
        }
    });

    // One encoded batch per thread, reused: PutRecords then allocates nothing per record beyond its response.
    [ThreadStatic]
    private static AppendBuffer? t_buffer;

    private static AppendBuffer RentBuffer()
    {
        AppendBuffer? buffer = t_buffer;
        t_buffer = null; // a nested call on this thread (a fault rule's callback) gets its own
        return buffer ?? new AppendBuffer(512, 64 * 1024);
    }

    private static void ReturnBuffer(AppendBuffer buffer)
    {
        buffer.Clear();
        t_buffer = buffer;
    }

    /// <summary>Writes the engine's outcome of each PutRecords record into its place in the response.</summary>
    /// <remarks>
    /// The engine reports a shard's records one after the other with consecutive sequence numbers, so each number is
    /// formatted from the one before (<see cref="SequenceNumberFormatter"/>).
    /// </remarks>
    private readonly struct ResultEntries(List<PutRecordsResultEntry> results) : IAppendOutcomes
    {
        private readonly SequenceNumberFormatter _formatter = new();

        public void Stored(ReadOnlySpan<int> records, ShardState shard, SequenceNumber first)
        {
            Span<PutRecordsResultEntry> entries = CollectionsMarshal.AsSpan(results);
            SequenceNumber sequenceNumber = first;
            foreach (int index in records)
            {
                entries[index] = new PutRecordsResultEntry { ShardId = shard.IdText, SequenceNumber = _formatter.FormatToString(sequenceNumber) };
                sequenceNumber = sequenceNumber.Advance(1);
            }
        }

        public void Refused(int index, Exception error) => CollectionsMarshal.AsSpan(results)[index] = FailedEntry(error);
    }

    /// <summary>A failed PutRecords entry: Kinesis reports throttling by name and every other failure as InternalFailure.</summary>
    private static PutRecordsResultEntry FailedEntry(Exception error) => error is ProvisionedThroughputExceededException
        ? new PutRecordsResultEntry { ErrorCode = "ProvisionedThroughputExceededException", ErrorMessage = error.Message }
        : new PutRecordsResultEntry { ErrorCode = "InternalFailure", ErrorMessage = error is InternalFailureException ? error.Message : "Internal Service Failure" };

    private static void DataSize(ref ValidationErrors errors, MemoryStream? stream, int length, string path)
    {
        if (stream is not null && length > Constraints.MaxMaxRecordSizeKiB * 1024)
        {
            errors.Add($"java.nio.HeapByteBuffer[pos=0 lim={length} cap={length}]", path, "have length less than or equal to 10485760");
        }
    }

    private static UInt128 ExplicitHashKey(string text) =>
        PartitionKeyHash.TryParseExplicitHashKey(text, out UInt128 value) == ExplicitHashKeyParse.Ok
            ? value
            : throw ErrorMessages.ExplicitHashKeyOutOfRange(text);

    private static ReadOnlySpan<byte> Bytes(MemoryStream? stream) => stream is null ? default : Memory(stream).Span;

    private static ReadOnlyMemory<byte> Memory(MemoryStream stream) =>
        stream.TryGetBuffer(out ArraySegment<byte> buffer) ? buffer : stream.ToArray();

    public Task<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        Constraints.ShardIdMember(ref errors, request.ShardId, "shardId");
        errors.Required(request.ShardIteratorType?.Value, "shardIteratorType");
        errors.Enum(request.ShardIteratorType?.Value, "shardIteratorType", IteratorTypes);
        Constraints.SequenceNumberMember(ref errors, request.StartingSequenceNumber, "startingSequenceNumber");
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        errors.ThrowIfAny();

        // As AWS: a shard id that does not parse is reported as given, before the stream is looked up; a parsed
        // one that names no shard (or a stream that does not exist) is "Shard <normalized id> ... does not exist".
        ShardId shardId = ParseShardOrThrow(request, request.ShardId!);
        StreamState stream = ResolveForShard(request, shardId);
        ShardState shard = RecordRules.ReadableShard(engine, stream, shardId);
        string type = request.ShardIteratorType!.Value;
        CheckPositionArguments(type, request.StartingSequenceNumber, request.Timestamp);
        Inject("GetShardIterator", stream.Name, shard);
        long now = engine.NowMs;
        engine.AdmitGetShardIterator(stream, shard, now);
        long index = ShardPositions.Resolve(engine, stream, shard, ToPosition(stream, shard, type, request.StartingSequenceNumber, request.Timestamp), now);
        return new GetShardIteratorResponse
        {
            ShardIterator = _iterators.Encode(new IteratorPosition(stream.Name, stream.CreatedAt.ToUnixTimeMilliseconds(), stream.Incarnation, shard.Id, index, now)),
        };
    });

    public Task<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Range(request.Limit, "limit", 1, Constraints.MaxGetRecordsLimit);
        errors.Required(request.ShardIterator, "shardIterator");
        errors.Length(request.ShardIterator, "shardIterator", 1, 512);
        Constraints.StreamArnMember(ref errors, request.StreamARN);
        errors.ThrowIfAny();
        long now = engine.NowMs;
        IteratorPosition position = _iterators.Decode(request.ShardIterator!, now);
        StreamState stream;
        try
        {
            stream = engine.Resolve(position.StreamName, null);
        }
        catch (ResourceNotFoundException)
        {
            throw ErrorMessages.ShardDoesNotExist(position.Shard, position.StreamName, engine.AccountId); // deleted since
        }
        if (request.StreamARN is { } arn && arn != stream.Arn)
        {
            throw new InvalidArgumentException($"StreamARN {arn} does not match the stream {stream.Arn} the ShardIterator belongs to.");
        }

        if ((stream.Incarnation != position.StreamIncarnation || stream.CreatedAt.ToUnixTimeMilliseconds() != position.StreamCreatedMs) || !stream.TryGetShard(position.Shard, now, out ShardState shard))
        {
            throw ErrorMessages.ShardDoesNotExist(position.Shard, stream.Name, engine.AccountId);
        }

        // Records are copied out under the engine's pin into one page per response (RecordPage); each Record reads
        // its members from there when first asked.
        RecordPage.Builder page = RecordPage.Builder.Rent();
        List<Record> records;
        GetRecordsResult read;
        try
        {
            read = engine.GetRecords(stream, shard, position.Index, request.Limit ?? Constraints.MaxGetRecordsLimit, now, "GetRecords", page, static (page, record) => page.Add(record));
            records = page.ToRecords(shard);
        }
        finally
        {
            RecordPage.Builder.Return(page);
        }

        if (read.AtShardEnd)
        {
            return new GetRecordsResponse
            {
                Records = records,
                NextShardIterator = null,
                MillisBehindLatest = 0,
                ChildShards = ToChildShards(shard.Children),
            };
        }

        return new GetRecordsResponse
        {
            Records = records,
            NextShardIterator = _iterators.Encode(position with { Index = read.NextIndex, IssuedMs = now }),
            MillisBehindLatest = read.MillisBehindLatest,
        };
    });

    /// <summary>The shard id of a request, or AWS's "Could not find shard" with the id as given when it does not parse.</summary>
    private ShardId ParseShardOrThrow(StreamAddressedRequest request, string shardAsGiven) =>
        ShardId.TryParse(shardAsGiven, out ShardId shardId)
            ? shardId
            : throw ErrorMessages.ShardNotFound(shardAsGiven, NameOf(request), engine.AccountId);

    /// <summary>The request's stream; a stream that does not exist is reported as the shard not existing, as AWS does.</summary>
    private StreamState ResolveForShard(StreamAddressedRequest request, ShardId shardId)
    {
        try
        {
            return Resolve(request);
        }
        catch (ResourceNotFoundException)
        {
            throw ErrorMessages.ShardDoesNotExist(shardId, NameOf(request), engine.AccountId);
        }
    }

    /// <summary>The stream name a request gives, directly or in its ARN, for error texts.</summary>
    private static string NameOf(StreamAddressedRequest request) =>
        request.StreamName ?? (request.StreamARN is { } arn && StreamArn.TryParse(arn, out StreamArn parsed) ? parsed.StreamName : request.StreamARN ?? "");

    private static void CheckPositionArguments(string type, string? sequenceNumber, DateTime? timestamp)
    {
        bool hasSequence = sequenceNumber is not null;
        bool needsSequence = type is "AT_SEQUENCE_NUMBER" or "AFTER_SEQUENCE_NUMBER";
        if (type != "AT_TIMESTAMP" && hasSequence != needsSequence)
        {
            throw ErrorMessages.IteratorTypeNeedsSequenceNumber(type, hasSequence);
        }

        if (type == "AT_TIMESTAMP" && timestamp is null)
        {
            throw ErrorMessages.TimestampMissing();
        }
    }

    private CorePosition ToPosition(StreamState stream, ShardState shard, string type, string? sequenceNumber, DateTime? timestamp) => type switch
    {
        "TRIM_HORIZON" => CorePosition.TrimHorizon,
        "LATEST" => CorePosition.Latest,
        "AT_TIMESTAMP" => CorePosition.AtTimestamp(DateTimeOffset.FromUnixTimeMilliseconds(Utc(timestamp!.Value))),
        "AT_SEQUENCE_NUMBER" => CorePosition.AtSequenceNumber(ShardPositions.ParseFor(engine, stream, shard, sequenceNumber!)),
        _ => CorePosition.AfterSequenceNumber(ShardPositions.ParseFor(engine, stream, shard, sequenceNumber!)),
    };
}
