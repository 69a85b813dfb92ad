using System.Globalization;
using System.Text;
using StreamCore.Encryption;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Hashing;
using StreamCore.Metrics;
using StreamCore.Reading;
using StreamCore.Storage;
using CoreHashKeyRange = StreamCore.HashKeyRange;
using CorePosition = StreamCore.ShardPosition;
using EngineConsumerStatus = StreamCore.Engine.ConsumerStatus;

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
        UInt128 hashKey = request.ExplicitHashKey is { } explicitKey ? ExplicitHashKey(explicitKey) : engine.KeyHashes.Hash(request.PartitionKey!, key[..keyLength]);
        ShardState target = stream.Router!.Route(hashKey);
        Inject("PutRecord", stream.Name, target);
        engine.RequireKeys(stream, activeOnly: true);
        if (engine.Throughput?.AdmitWrite(stream, target, keyLength + data.Length, engine.NowMs) is { } throttled)
        {
            StreamMetrics.Add(engine.Metrics.WriteThrottled, 1, stream, target);
            throw throttled;
        }

        SequenceNumber sequenceNumber = engine.Append(stream, hashKey, key[..keyLength], data, engine.NowMs, out ShardState shard);
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
        var keyLengths = new int[count];
        long totalBytes = 0;
        for (int i = 0; i < count; i++)
        {
            PutRecordsRequestEntry? entry = records![i];
            int dataLength = Bytes(entry?.Data).Length;
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

            keyLengths[i] = Encoding.UTF8.GetByteCount(key!);
            totalBytes += dataLength + keyLengths[i];
        }

        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        if (totalBytes > Constraints.MaxPutRecordsBytes)
        {
            throw new InvalidArgumentException($"Records size exceeds the PutRecords limit: the request's records total {totalBytes.ToString(CultureInfo.InvariantCulture)} bytes (data plus partition keys); at most {Constraints.MaxPutRecordsBytes.ToString(CultureInfo.InvariantCulture)} bytes (10 MiB) are accepted per call.");
        }

        // Every record is checked and routed before anything is written: a bad entry fails the whole call.
        engine.RequireWritable(stream);
        RecordCipher? cipher = stream.ActiveCipher;
        var pending = new PendingRecord[count];
        var hashKeys = new UInt128[count];
        Span<byte> keyBuffer = stackalloc byte[PartitionKeyHash.MaxPartitionKeyBytes];
        for (int i = 0; i < count; i++)
        {
            PutRecordsRequestEntry entry = records![i];
            ReadOnlyMemory<byte> data = Memory(entry.Data!);
            RecordRules.CheckSize(stream, keyLengths[i] + data.Length);
            if (entry.ExplicitHashKey is { } explicitKey)
            {
                hashKeys[i] = ExplicitHashKey(explicitKey);
            }
            else
            {
                int written = Encoding.UTF8.GetBytes(entry.PartitionKey!, keyBuffer);
                hashKeys[i] = engine.KeyHashes.Hash(entry.PartitionKey!, keyBuffer[..written]);
            }

            if (cipher is not null)
            {
                byte[] stored = new byte[data.Length + RecordCipher.Overhead];
                cipher.Encrypt(data.Span, stored);
                data = stored;
            }

            pending[i] = new PendingRecord(entry.PartitionKey!, keyLengths[i], data);
        }

        Inject("PutRecords", stream.Name);
        engine.RequireKeys(stream, activeOnly: true);
        var results = new PutRecordsResultEntry[count];
        var write = new int[count];
        int writing = 0, injected = 0;
        long now = engine.NowMs;
        bool perRecordFaults = engine.Faults.HasPerRecordRules;
        for (int i = 0; i < count; i++)
        {
            // Per-record faults and throttling fail single records, in request order; the others are stored.
            ShardState? target = perRecordFaults || engine.Throughput is not null ? stream.Router!.Route(hashKeys[i]) : null;
            KinesisException? refusal = perRecordFaults ? engine.Faults.CheckRecord(stream.Name, target!.Id) : null;
            refusal ??= engine.Throughput?.AdmitWrite(stream, target!, pending[i].PartitionKeyUtf8Length + pending[i].Data.Length, now);
            if (refusal is not null)
            {
                results[i] = FailedEntry(refusal);
                injected++;
                if (refusal is ProvisionedThroughputExceededException && target is not null)
                {
                    StreamMetrics.Add(engine.Metrics.WriteThrottled, 1, stream, target);
                }
            }
            else
            {
                write[writing++] = i;
            }
        }

        int failed = injected + AppendRouted(stream, pending, hashKeys, write, writing, results, cipher?.RecordKind ?? 1, now);
        return new PutRecordsResponse
        {
            FailedRecordCount = failed,
            Records = new List<PutRecordsResultEntry>(results),
            EncryptionType = EncryptionOf(stream),
        };
    });

    /// <summary>
    /// Appends records to the shards that own their hash keys, one batch reservation per shard, keeping request
    /// order within each shard; fills <paramref name="results"/> in request order and returns the failure count. A
    /// shard closed by a concurrent reshard sends its records through the new router.
    /// </summary>
    private int AppendRouted(StreamState stream, PendingRecord[] pending, UInt128[] hashKeys, int[] order, int remaining, PutRecordsResultEntry[] results, int kind, long now)
    {
        int failed = 0;
        int[] shardOf = new int[remaining];
        ShardState[] byIndex;

        while (remaining > 0)
        {
            // Route the records still to write, then group them by shard, keeping request order within a group.
            HashKeyRouter<ShardState> router = stream.Router!;
            byIndex = stream.Shards;
            for (int i = 0; i < remaining; i++)
            {
                shardOf[i] = router.Route(hashKeys[order[i]]).Id.Index;
            }

            Array.Sort(shardOf, order, 0, remaining);
            int retry = 0;
            var batch = new PendingRecord[remaining];
            for (int start = 0; start < remaining;)
            {
                int end = start;
                while (end < remaining && shardOf[end] == shardOf[start])
                {
                    end++;
                }

                Array.Sort(order, start, end - start); // request order within the shard
                ShardState shard = byIndex[shardOf[start]];
                int n = end - start;
                for (int j = 0; j < n; j++)
                {
                    batch[j] = pending[order[start + j]];
                }

                AppendStatus status = shard.Log.AppendBatch(batch.AsSpan(0, n), now, out long first, kind);
                if (status == AppendStatus.Closed && stream.Router != router)
                {
                    for (int j = start; j < end; j++)
                    {
                        order[retry++] = order[j]; // resharded under us: route these again
                    }
                }
                else
                {
                    Exception? error = status == AppendStatus.Appended ? null : engine.AppendFailure(stream, shard, status);
                    if (error is null)
                    {
                        StreamMetrics.Add(engine.Metrics.IncomingRecords, n, stream, shard);
                        if (engine.Metrics.IncomingBytes.Enabled)
                        {
                            long bytes = 0;
                            for (int j = 0; j < n; j++)
                            {
                                bytes += batch[j].PartitionKeyUtf8Length + batch[j].Data.Length;
                            }

                            StreamMetrics.Add(engine.Metrics.IncomingBytes, bytes, stream, shard);
                        }
                    }

                    for (int j = 0; j < n; j++)
                    {
                        results[order[start + j]] = error is null
                            ? new PutRecordsResultEntry { ShardId = shard.IdText, SequenceNumber = shard.SequenceNumberAt(first + j, now).ToString() }
                            : FailedEntry(error);
                    }

                    failed += error is null ? 0 : n;
                }

                start = end;
            }

            remaining = retry;
        }

        return failed;
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
        engine.Throughput?.AdmitGetShardIterator(stream, shard, now);
        long index = ShardPositions.Resolve(engine, stream, shard, ToPosition(stream, shard, type, request.StartingSequenceNumber, request.Timestamp), now);
        return new GetShardIteratorResponse
        {
            ShardIterator = engine.Iterators.Encode(new IteratorPosition(stream.Name, stream.CreatedAt.ToUnixTimeMilliseconds(), shard.Id, index, now)),
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
        IteratorPosition position = engine.Iterators.Decode(request.ShardIterator!, now);
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

        if (stream.CreatedAt.ToUnixTimeMilliseconds() != position.StreamCreatedMs || !stream.TryGetShard(position.Shard, now, out ShardState shard))
        {
            throw ErrorMessages.ShardDoesNotExist(position.Shard, stream.Name, engine.AccountId);
        }

        Inject("GetRecords", stream.Name, shard);
        try
        {
            engine.Throughput?.AdmitGetRecords(stream, shard, now);
        }
        catch (ProvisionedThroughputExceededException)
        {
            StreamMetrics.Add(engine.Metrics.ReadThrottled, 1, stream, shard);
            throw;
        }

        int remaining = request.Limit ?? Constraints.MaxGetRecordsLimit;
        long remainingBytes = Constraints.MaxGetRecordsBytes;
        long cutoff = StreamEngine.ExpiryCutoff(stream, now);
        long next = position.Index;
        var records = new List<Record>(Math.Min(remaining, 256));
        engine.RequireKeys(stream, activeOnly: false); // KMS errors for keys disabled since the records were written
        long millisBehind;
        bool cutByByteLimit;

        // Kinesis callers hold responses as long as they like, so records are copied out under a transient pin:
        // the engine's storage can then be recycled the moment it is trimmed.
        LogPin pin = shard.Log.Pin();
        pin.BeginRead();
        try
        {
            while (remaining > 0 && remainingBytes > 0)
            {
                LogSlice slice = shard.Log.Read(next, remaining, remainingBytes, cutoff);
                next = slice.EndIndex;
                if (slice.Count == 0)
                {
                    break;
                }

                foreach (StreamRecord record in new RecordBatch(shard, slice))
                {
                    records.Add(ToRecord(record, stream));
                    remainingBytes -= record.StoredData.Length + record.PartitionKeyUtf8.Length;
                }

                remaining -= slice.Count;
            }

            millisBehind = ShardPositions.MillisBehindLatest(shard, next, now);
            cutByByteLimit = remaining > 0 && shard.Log.HasRecordAtOrAfter(next); // more was there, but not within 10 MiB
        }
        finally
        {
            pin.EndRead();
            shard.Log.Unpin(pin);
        }

        engine.Throughput?.ChargeRead(shard, Constraints.MaxGetRecordsBytes - remainingBytes, cutByByteLimit, now);
        StreamMetrics.Add(engine.Metrics.OutgoingRecords, records.Count, stream, shard);
        StreamMetrics.Add(engine.Metrics.OutgoingBytes, Constraints.MaxGetRecordsBytes - remainingBytes, stream, shard);
        StreamMetrics.Record(engine.Metrics.IteratorAge, millisBehind, stream, shard);

        // The end of a closed shard: no next iterator, the children to continue with, and nothing behind.
        if (shard.Log.IsClosed && next >= shard.Log.EndIndex && !shard.IsOpen)
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
            NextShardIterator = engine.Iterators.Encode(position with { Index = next, IssuedMs = now }),
            MillisBehindLatest = millisBehind,
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
