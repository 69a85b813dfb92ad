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

/// <summary>
/// The Kinesis-shaped face over an engine: validates request shapes (ValidationException texts), translates to
/// engine calls, and builds responses. No storage logic lives here.
/// </summary>
internal sealed class KinesisClient(StreamEngine engine) : IKinesisClient
{
    private static readonly string[] StreamModes = ["PROVISIONED", "ON_DEMAND"];
    private static readonly string[] IteratorTypes = ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];
    private static readonly string[] EncryptionTypes = ["NONE", "KMS"];
    private static readonly string[] ScalingTypes = ["UNIFORM_SCALING"];
    private static readonly string[] FilterTypes = ["AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"];

    private readonly PageTokens _pages = new(engine.Tokens);

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

    /// <summary>
    /// Admits a call after validation and before any change: raises an injected fault if a rule fires, then holds
    /// control operations to their calls per second when throughput limits are on.
    /// </summary>
    private void Inject(string operation, string? streamName, ShardState? shard = null)
    {
        if (engine.Faults.Check(operation, streamName, shard?.Id) is { } error)
        {
            throw error;
        }

        engine.Throughput?.AdmitControl(operation, streamName, engine.NowMs);
    }

    // ------------------------------------------------------------------ streams

    public Task<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Enum(request.StreamModeDetails?.StreamMode?.Value, "streamModeDetails.streamMode", StreamModes);
        errors.ThrowIfAny();
        StreamCapacityMode mode = request.StreamModeDetails?.StreamMode?.Value == "ON_DEMAND" ? StreamCapacityMode.OnDemand : StreamCapacityMode.Provisioned;
        Inject("CreateStream", request.StreamName);
        engine.CreateStreamCore(request.StreamName!, request.ShardCount, mode, request.Tags is { Count: > 0 } tags ? tags : null, request.MaxRecordSizeInKiB);
        return new CreateStreamResponse();
    });

    public Task<DeleteStreamResponse> DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        StreamState stream = Resolve(request);
        Inject("DeleteStream", stream.Name);
        engine.DeleteStreamCore(stream, request.EnforceConsumerDeletion ?? false);
        return new DeleteStreamResponse();
    });

    public Task<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Range(request.Limit, "limit", 1, 10_000);
        ShardIdMember(ref errors, request.ExclusiveStartShardId, "exclusiveStartShardId", required: false);
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        int limit = Math.Min(request.Limit ?? 100, 100);
        Inject("DescribeStream", stream.Name);
        ShardState[] shards = stream.Status == DataStreamStatus.Creating ? [] : [.. stream.LiveShards(engine.NowMs)];
        IEnumerable<ShardState> after = shards;
        if (request.ExclusiveStartShardId is { } start)
        {
            after = shards.Where(s => string.CompareOrdinal(s.IdText, start) > 0);
        }

        ShardState[] page = [.. after.Take(limit + 1)];
        return new DescribeStreamResponse
        {
            StreamDescription = new StreamDescription
            {
                StreamName = stream.Name,
                StreamARN = stream.Arn,
                StreamStatus = StreamStatus.From(stream.Status),
                StreamModeDetails = ModeOf(stream),
                Shards = [.. page.Take(limit).Select(ToShard)],
                HasMoreShards = page.Length > limit,
                RetentionPeriodHours = stream.RetentionHours,
                StreamCreationTimestamp = stream.CreatedAt.UtcDateTime,
                EnhancedMonitoring = [new EnhancedMetrics { ShardLevelMetrics = [.. stream.ShardLevelMetrics] }],
                EncryptionType = EncryptionOf(stream),
                KeyId = stream.KeyId,
            },
        };
    });

    public Task<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        StreamState stream = Resolve(request);
        Inject("DescribeStreamSummary", stream.Name);
        return new DescribeStreamSummaryResponse
        {
            StreamDescriptionSummary = new StreamDescriptionSummary
            {
                StreamName = stream.Name,
                StreamARN = stream.Arn,
                StreamStatus = StreamStatus.From(stream.Status),
                StreamModeDetails = ModeOf(stream),
                RetentionPeriodHours = stream.RetentionHours,
                StreamCreationTimestamp = stream.CreatedAt.UtcDateTime,
                EnhancedMonitoring = [new EnhancedMetrics { ShardLevelMetrics = [.. stream.ShardLevelMetrics] }],
                EncryptionType = EncryptionOf(stream),
                KeyId = stream.KeyId,
                OpenShardCount = stream.Status == DataStreamStatus.Creating ? 0 : stream.OpenShardCount,
                ConsumerCount = engine.ConsumersOf(stream).Count,
                MaxRecordSizeInKiB = stream.MaxRecordSizeKiB,
            },
        };
    });

    public Task<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Range(request.Limit, "limit", 1, 10_000);
        Constraints.StreamName(ref errors, request.ExclusiveStartStreamName, "exclusiveStartStreamName");
        errors.Length(request.NextToken, "nextToken", 1, 1_048_576);
        errors.ThrowIfAny();
        if (request.NextToken is not null && request.ExclusiveStartStreamName is not null)
        {
            throw new InvalidArgumentException("NextToken and ExclusiveStartStreamName cannot be provided together.");
        }

        Inject("ListStreams", null);

        string? after = request.NextToken is { } token ? _pages.OpenListStreams(token, engine.NowMs) : request.ExclusiveStartStreamName;
        int limit = Math.Min(request.Limit ?? 100, 100);
        StreamState[] page = [.. engine.StreamsSnapshot().Where(s => after is null || string.CompareOrdinal(s.Name, after) > 0).Take(limit + 1)];
        StreamState[] shown = [.. page.Take(limit)];
        bool more = page.Length > limit;
        return new ListStreamsResponse
        {
            StreamNames = [.. shown.Select(s => s.Name)],
            HasMoreStreams = more,
            NextToken = more ? _pages.SealListStreams(shown[^1].Name, engine.NowMs) : null,
            StreamSummaries = [.. shown.Select(s => new StreamSummary
            {
                StreamName = s.Name,
                StreamARN = s.Arn,
                StreamStatus = StreamStatus.From(s.Status),
                StreamModeDetails = ModeOf(s),
                StreamCreationTimestamp = s.CreatedAt.UtcDateTime,
            })],
        };
    });

    public Task<ListShardsResponse> ListShardsAsync(ListShardsRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Range(request.MaxResults, "maxResults", 1, 10_000);
        errors.Length(request.NextToken, "nextToken", 1, 1_048_576);
        ShardIdMember(ref errors, request.ExclusiveStartShardId, "exclusiveStartShardId", required: false);
        if (request.ShardFilter is { } f)
        {
            errors.Required(f.Type?.Value, "shardFilter.type");
            errors.Enum(f.Type?.Value, "shardFilter.type", FilterTypes);
        }

        errors.ThrowIfAny();
        long now = engine.NowMs;
        int limit = Math.Min(request.MaxResults ?? 1000, 1000);
        ShardListCursor cursor;
        StreamState stream;
        if (request.NextToken is { } token)
        {
            if (request.StreamName is not null || request.StreamARN is not null)
            {
                throw new InvalidArgumentException("NextToken and StreamName cannot be provided together.");
            }

            if (request.ExclusiveStartShardId is not null || request.StreamCreationTimestamp is not null)
            {
                throw new InvalidArgumentException("NextToken cannot be provided together with ExclusiveStartShardId or StreamCreationTimestamp.");
            }

            cursor = _pages.OpenListShards(token, now);
            stream = engine.Resolve(cursor.StreamName, null);
            if (stream.CreatedAt.ToUnixTimeMilliseconds() != cursor.StreamCreatedMs)
            {
                throw new ExpiredNextTokenException("The NextToken names a stream that has since been deleted and recreated; list again from the start.");
            }
        }
        else
        {
            if (request.StreamName is null && request.StreamARN is null)
            {
                throw new InvalidArgumentException("Either NextToken or StreamName should be provided.");
            }

            stream = Resolve(request);
            if (request.StreamCreationTimestamp is { } created && Utc(created) != stream.CreatedAt.ToUnixTimeMilliseconds())
            {
                throw ErrorMessages.StreamNotFound(stream.Name, engine.AccountId);
            }

            cursor = new ShardListCursor(stream.Name, stream.CreatedAt.ToUnixTimeMilliseconds(), ParseExclusiveStart(request.ExclusiveStartShardId), ShardListFilter.From(request.ShardFilter, FilterShardIndex(request.ShardFilter, stream)));
        }

        if (stream.Status == DataStreamStatus.Creating)
        {
            throw ErrorMessages.StreamNotActive(stream.Name, engine.AccountId, "CREATING");
        }

        Inject("ListShards", stream.Name);

        ShardState[] page = [.. stream.LiveShards(now).Where(s => s.Id.Index > cursor.AfterShardIndex && cursor.Filter.Matches(s, stream, now)).Take(limit + 1)];
        ShardState[] shown = [.. page.Take(limit)];
        return new ListShardsResponse
        {
            Shards = [.. shown.Select(ToShard)],
            NextToken = page.Length > limit ? _pages.SealListShards(cursor with { AfterShardIndex = shown[^1].Id.Index }, now) : null,
        };
    });

    private static int ParseExclusiveStart(string? shardId) =>
        shardId is null ? -1 : ShardId.TryParse(shardId, out ShardId id) ? id.Index : -1;

    private int FilterShardIndex(ShardFilter? filter, StreamState stream)
    {
        if (filter?.Type?.Value != "AFTER_SHARD_ID")
        {
            return -1;
        }

        if (filter.ShardId is null)
        {
            throw new InvalidArgumentException("ShardId must be provided when ShardFilter Type is AFTER_SHARD_ID.");
        }

        return ShardId.TryParse(filter.ShardId, out ShardId id)
            ? id.Index
            : throw ErrorMessages.ShardNotFound(filter.ShardId, stream.Name, engine.AccountId);
    }

    // ------------------------------------------------------------------ tags, retention, encryption, limits

    public Task<AddTagsToStreamResponse> AddTagsToStreamAsync(AddTagsToStreamRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Size(request.Tags, "tags", 1, 200);
        errors.ThrowIfAny();
        StreamState tagged = Resolve(request);
        Inject("AddTagsToStream", tagged.Name);
        engine.AddTags(tagged, request.Tags!);
        return new AddTagsToStreamResponse();
    });

    public Task<RemoveTagsFromStreamResponse> RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Size(request.TagKeys, "tagKeys", 1, 50);
        errors.ThrowIfAny();
        StreamState untagged = Resolve(request);
        Inject("RemoveTagsFromStream", untagged.Name);
        engine.RemoveTags(untagged, request.TagKeys!);
        return new RemoveTagsFromStreamResponse();
    });

    public Task<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Range(request.Limit, "limit", 1, 50);
        errors.Length(request.ExclusiveStartTagKey, "exclusiveStartTagKey", 1, 128);
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        Inject("ListTagsForStream", stream.Name);
        int limit = request.Limit ?? 50;
        KeyValuePair<string, string>[] tags = [.. engine.TagsOf(stream).Where(t => request.ExclusiveStartTagKey is null || string.CompareOrdinal(t.Key, request.ExclusiveStartTagKey) > 0)];
        return new ListTagsForStreamResponse
        {
            Tags = [.. tags.Take(limit).Select(t => new Tag { Key = t.Key, Value = t.Value })],
            HasMoreTags = tags.Length > limit,
        };
    });

    public Task<IncreaseStreamRetentionPeriodResponse> IncreaseStreamRetentionPeriodAsync(IncreaseStreamRetentionPeriodRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        int hours = RequiredRetention(request.RetentionPeriodHours);
        StreamState stream = Resolve(request);
        Inject("IncreaseStreamRetentionPeriod", stream.Name);
        engine.ChangeRetention(stream, hours, increase: true);
        return new IncreaseStreamRetentionPeriodResponse();
    });

    public Task<DecreaseStreamRetentionPeriodResponse> DecreaseStreamRetentionPeriodAsync(DecreaseStreamRetentionPeriodRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        int hours = RequiredRetention(request.RetentionPeriodHours);
        StreamState stream = Resolve(request);
        Inject("DecreaseStreamRetentionPeriod", stream.Name);
        engine.ChangeRetention(stream, hours, increase: false);
        return new DecreaseStreamRetentionPeriodResponse();
    });

    private static int RequiredRetention(int? hours)
    {
        var errors = default(ValidationErrors);
        errors.Required(hours, "retentionPeriodHours");
        errors.ThrowIfAny();
        return hours!.Value;
    }

    public Task<StartStreamEncryptionResponse> StartStreamEncryptionAsync(StartStreamEncryptionRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        string keyId = ValidateEncryption(request.EncryptionType, request.KeyId);
        StreamState stream = Resolve(request);
        Inject("StartStreamEncryption", stream.Name);
        engine.StartEncryption(stream, keyId);
        return new StartStreamEncryptionResponse();
    });

    public Task<StopStreamEncryptionResponse> StopStreamEncryptionAsync(StopStreamEncryptionRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        string keyId = ValidateEncryption(request.EncryptionType, request.KeyId);
        StreamState stream = Resolve(request);
        Inject("StopStreamEncryption", stream.Name);
        engine.StopEncryption(stream, keyId);
        return new StopStreamEncryptionResponse();
    });

    private static string ValidateEncryption(EncryptionType? type, string? keyId)
    {
        var errors = default(ValidationErrors);
        errors.Required(type?.Value, "encryptionType");
        errors.Enum(type?.Value, "encryptionType", EncryptionTypes);
        errors.Required(keyId, "keyId");
        errors.Length(keyId, "keyId", 1, 2048);
        errors.ThrowIfAny();
        if (type!.Value != "KMS")
        {
            throw new InvalidArgumentException($"EncryptionType must be KMS; {type.Value} is not a valid encryption type for this operation.");
        }

        return keyId!;
    }

    public Task<DescribeLimitsResponse> DescribeLimitsAsync(DescribeLimitsRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        Inject("DescribeLimits", null);
        return new DescribeLimitsResponse
        {
            ShardLimit = engine.Options.ShardLimit,
            OpenShardCount = engine.OpenShardCount(),
            OnDemandStreamCount = engine.OnDemandStreamCount(),
            OnDemandStreamCountLimit = engine.Options.OnDemandStreamCountLimit,
        };
    });

    public Task<UpdateMaxRecordSizeResponse> UpdateMaxRecordSizeAsync(UpdateMaxRecordSizeRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.MaxRecordSizeInKiB, "maxRecordSizeInKiB");
        errors.Range(request.MaxRecordSizeInKiB, "maxRecordSizeInKiB", Constraints.MinMaxRecordSizeKiB, Constraints.MaxMaxRecordSizeKiB);
        errors.ThrowIfAny();
        StreamState stream = engine.Resolve(null, request.StreamARN);
        Inject("UpdateMaxRecordSize", stream.Name);
        engine.UpdateMaxRecordSize(stream, request.MaxRecordSizeInKiB!.Value);
        return new UpdateMaxRecordSizeResponse();
    });

    // ------------------------------------------------------------------ records

    public Task<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.Data, "data");
        ReadOnlySpan<byte> data = Bytes(request.Data);
        DataSize(ref errors, request.Data, data.Length, "data");
        Constraints.PartitionKey(ref errors, request.PartitionKey, "partitionKey");
        Constraints.ExplicitHashKey(ref errors, request.ExplicitHashKey, "explicitHashKey");
        errors.Pattern(request.SequenceNumberForOrdering, "sequenceNumberForOrdering", Constraints.IsSequenceNumberText, Constraints.SequenceNumberPattern);
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
        errors.ThrowIfAny();

        // Shape checks first, for every entry; member paths are only built for entries that fail.
        int count = records!.Count;
        var keyLengths = new int[count];
        long totalBytes = 0;
        for (int i = 0; i < count; i++)
        {
            PutRecordsRequestEntry? entry = records[i];
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
            PutRecordsRequestEntry entry = records[i];
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
        ShardIdMember(ref errors, request.ShardId, "shardId");
        errors.Required(request.ShardIteratorType?.Value, "shardIteratorType");
        errors.Enum(request.ShardIteratorType?.Value, "shardIteratorType", IteratorTypes);
        errors.Pattern(request.StartingSequenceNumber, "startingSequenceNumber", Constraints.IsSequenceNumberText, Constraints.SequenceNumberPattern);
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        string type = request.ShardIteratorType!.Value;
        CheckPositionArguments(type, request.StartingSequenceNumber, request.Timestamp);

        ShardState shard = ShardId.TryParse(request.ShardId, out ShardId shardId)
            ? RecordRules.ReadableShard(engine, stream, shardId, request.ShardId!)
            : throw ErrorMessages.ShardNotFound(request.ShardId!, stream.Name, engine.AccountId);
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
        errors.Required(request.ShardIterator, "shardIterator");
        errors.Length(request.ShardIterator, "shardIterator", 1, 512);
        errors.Range(request.Limit, "limit", 1, Constraints.MaxGetRecordsLimit);
        Constraints.StreamArnMember(ref errors, request.StreamARN);
        errors.ThrowIfAny();
        long now = engine.NowMs;
        IteratorPosition position = engine.Iterators.Decode(request.ShardIterator!, now);
        StreamState stream = engine.Resolve(position.StreamName, null);
        if (request.StreamARN is { } arn && arn != stream.Arn)
        {
            throw new InvalidArgumentException($"StreamARN {arn} does not match the stream {stream.Arn} the ShardIterator belongs to.");
        }

        if (stream.CreatedAt.ToUnixTimeMilliseconds() != position.StreamCreatedMs || !stream.TryGetShard(position.Shard, now, out ShardState shard))
        {
            throw ErrorMessages.ShardNotFound(position.Shard.ToString(), stream.Name, engine.AccountId);
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

    // ------------------------------------------------------------------ enhanced fan-out

    public Task<RegisterStreamConsumerResponse> RegisterStreamConsumerAsync(RegisterStreamConsumerRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.StreamARN, "streamARN");
        Constraints.StreamArnMember(ref errors, request.StreamARN);
        ConsumerNameMember(ref errors, request.ConsumerName, required: true);
        errors.ThrowIfAny();
        StreamState stream = engine.Resolve(null, request.StreamARN);
        Inject("RegisterStreamConsumer", stream.Name);
        ConsumerState consumer = engine.RegisterConsumer(stream, request.ConsumerName!);
        return new RegisterStreamConsumerResponse { Consumer = ToConsumer(consumer) };
    });

    public Task<DeregisterStreamConsumerResponse> DeregisterStreamConsumerAsync(DeregisterStreamConsumerRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        ConsumerState consumer = ResolveConsumer(request.ConsumerARN, request.StreamARN, request.ConsumerName);
        Inject("DeregisterStreamConsumer", consumer.Stream.Name);
        engine.DeregisterConsumer(consumer);
        return new DeregisterStreamConsumerResponse();
    });

    public Task<DescribeStreamConsumerResponse> DescribeStreamConsumerAsync(DescribeStreamConsumerRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        ConsumerState consumer = ResolveConsumer(request.ConsumerARN, request.StreamARN, request.ConsumerName);
        Inject("DescribeStreamConsumer", consumer.Stream.Name);
        return new DescribeStreamConsumerResponse
        {
            ConsumerDescription = new ConsumerDescription
            {
                ConsumerName = consumer.Name,
                ConsumerARN = consumer.Arn,
                ConsumerStatus = StatusOf(consumer),
                ConsumerCreationTimestamp = consumer.CreatedAt.UtcDateTime,
                StreamARN = consumer.Stream.Arn,
            },
        };
    });

    public Task<ListStreamConsumersResponse> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.StreamARN, "streamARN");
        Constraints.StreamArnMember(ref errors, request.StreamARN);
        errors.Range(request.MaxResults, "maxResults", 1, 10_000);
        errors.Length(request.NextToken, "nextToken", 1, 1_048_576);
        errors.ThrowIfAny();
        StreamState stream = engine.Resolve(null, request.StreamARN);
        if (request.StreamCreationTimestamp is { } created && Utc(created) != stream.CreatedAt.ToUnixTimeMilliseconds())
        {
            throw ErrorMessages.StreamNotFound(stream.Name, engine.AccountId);
        }

        Inject("ListStreamConsumers", stream.Name);
        long now = engine.NowMs;
        int skip = request.NextToken is { } token ? _pages.OpenListConsumers(token, stream.Name, now) : 0;
        int limit = Math.Min(request.MaxResults ?? 100, 100);
        IReadOnlyList<ConsumerState> all = engine.ConsumersOf(stream);
        ConsumerState[] page = [.. all.Skip(skip).Take(limit)];
        return new ListStreamConsumersResponse
        {
            Consumers = [.. page.Select(ToConsumer)],
            NextToken = skip + page.Length < all.Count ? _pages.SealListConsumers(stream.Name, skip + page.Length, now) : null,
        };
    });

    public Task<SubscribeToShardResponse> SubscribeToShardAsync(SubscribeToShardRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.ConsumerARN, "consumerARN");
        errors.Length(request.ConsumerARN, "consumerARN", 1, 2048);
        ShardIdMember(ref errors, request.ShardId, "shardId");
        errors.Required(request.StartingPosition, "startingPosition");
        errors.Required(request.StartingPosition?.Type?.Value, "startingPosition.type");
        errors.Enum(request.StartingPosition?.Type?.Value, "startingPosition.type", IteratorTypes);
        errors.Pattern(request.StartingPosition?.SequenceNumber, "startingPosition.sequenceNumber", Constraints.IsSequenceNumberText, Constraints.SequenceNumberPattern);
        errors.ThrowIfAny();
        ConsumerState consumer = ResolveConsumer(request.ConsumerARN, null, null);
        StreamState stream = consumer.Stream;
        string type = request.StartingPosition!.Type!.Value;
        CheckPositionArguments(type, request.StartingPosition.SequenceNumber, request.StartingPosition.Timestamp);
        ShardState shard = ShardId.TryParse(request.ShardId, out ShardId shardId)
            ? RecordRules.ReadableShard(engine, stream, shardId, request.ShardId!)
            : throw ErrorMessages.ShardNotFound(request.ShardId!, stream.Name, engine.AccountId);
        long start = ShardPositions.Resolve(engine, stream, shard, ToPosition(stream, shard, type, request.StartingPosition.SequenceNumber, request.StartingPosition.Timestamp), engine.NowMs);
        Inject("SubscribeToShard", stream.Name, shard);
        SubscriptionState subscription;
        try
        {
            subscription = engine.Subscribe(consumer, shard);
        }
        catch (ResourceInUseException)
        {
            StreamMetrics.Add(engine.Metrics.SubscribeRateExceeded, 1, stream, shard);
            throw;
        }

        StreamMetrics.Add(engine.Metrics.SubscribeSuccess, 1, stream, shard);
        return new SubscribeToShardResponse { EventStream = Events(stream, shard, subscription, start, cancellationToken) };
    });

    private async IAsyncEnumerable<SubscribeToShardEvent> Events(StreamState stream, ShardState shard, SubscriptionState subscription, long start, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (SubscriptionEvent e in ShardSubscription.RunAsync(engine, stream, shard, subscription, start, cancellationToken).ConfigureAwait(false))
        {
            // Records are copied before the subscription reads on: an event outlives the storage it came from.
            var records = new List<Record>(e.Records.Count);
            long bytes = 0;
            foreach (StreamRecord record in e.Records)
            {
                records.Add(ToRecord(record, stream));
                bytes += record.Data.Length + record.PartitionKeyUtf8.Length;
            }

            StreamMetrics.Add(engine.Metrics.EventRecords, records.Count, stream, shard);
            StreamMetrics.Add(engine.Metrics.EventBytes, bytes, stream, shard);
            StreamMetrics.Record(engine.Metrics.EventMillisBehindLatest, e.MillisBehindLatest, stream, shard);

            yield return new SubscribeToShardEvent
            {
                Records = records,
                ContinuationSequenceNumber = e.Continuation.ToString(),
                MillisBehindLatest = e.MillisBehindLatest,
                ChildShards = e.Children is { } children ? ToChildShards(children) : [],
            };
        }
    }

    private ConsumerState ResolveConsumer(string? consumerArn, string? streamArn, string? consumerName)
    {
        var errors = default(ValidationErrors);
        errors.Length(consumerArn, "consumerARN", 1, 2048);
        Constraints.StreamArnMember(ref errors, streamArn);
        ConsumerNameMember(ref errors, consumerName, required: false);
        errors.ThrowIfAny();
        return engine.ResolveConsumer(consumerArn, streamArn, consumerName);
    }

    private static void ConsumerNameMember(ref ValidationErrors errors, string? value, bool required)
    {
        if (required)
        {
            errors.Required(value, "consumerName");
        }

        errors.Length(value, "consumerName", 1, 128);
        errors.Pattern(value, "consumerName", Constraints.IsName, Constraints.NamePattern);
    }

    private static Consumer ToConsumer(ConsumerState consumer) => new()
    {
        ConsumerName = consumer.Name,
        ConsumerARN = consumer.Arn,
        ConsumerStatus = StatusOf(consumer),
        ConsumerCreationTimestamp = consumer.CreatedAt.UtcDateTime,
    };

    private static ConsumerStatus StatusOf(ConsumerState consumer) => consumer.Status switch
    {
        EngineConsumerStatus.Creating => ConsumerStatus.CREATING,
        EngineConsumerStatus.Active => ConsumerStatus.ACTIVE,
        _ => ConsumerStatus.DELETING,
    };

    // ------------------------------------------------------------------ enhanced monitoring

    private static readonly string[] MetricNames = [.. StreamMetrics.ShardLevelMetricNames, "ALL"];

    public Task<EnableEnhancedMonitoringResponse> EnableEnhancedMonitoringAsync(EnableEnhancedMonitoringRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        (StreamState stream, string[] before, string[] after) = SetMetrics(request, request.ShardLevelMetrics, enable: true, "EnableEnhancedMonitoring");
        return new EnableEnhancedMonitoringResponse { StreamName = stream.Name, StreamARN = stream.Arn, CurrentShardLevelMetrics = [.. before], DesiredShardLevelMetrics = [.. after] };
    });

    public Task<DisableEnhancedMonitoringResponse> DisableEnhancedMonitoringAsync(DisableEnhancedMonitoringRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        (StreamState stream, string[] before, string[] after) = SetMetrics(request, request.ShardLevelMetrics, enable: false, "DisableEnhancedMonitoring");
        return new DisableEnhancedMonitoringResponse { StreamName = stream.Name, StreamARN = stream.Arn, CurrentShardLevelMetrics = [.. before], DesiredShardLevelMetrics = [.. after] };
    });

    private (StreamState Stream, string[] Before, string[] After) SetMetrics(StreamAddressedRequest request, List<string>? metrics, bool enable, string operation)
    {
        var errors = default(ValidationErrors);
        errors.Size(metrics, "shardLevelMetrics", 1, 7);
        if (metrics is { Count: >= 1 and <= 7 })
        {
            for (int i = 0; i < metrics.Count; i++)
            {
                errors.Enum(metrics[i], string.Create(CultureInfo.InvariantCulture, $"shardLevelMetrics.{i + 1}.member"), MetricNames);
            }
        }

        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        Inject(operation, stream.Name);
        (string[] before, string[] after) = engine.SetShardLevelMetrics(stream, metrics!, enable);
        return (stream, before, after);
    }

    // ------------------------------------------------------------------ resharding

    public Task<SplitShardResponse> SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        ShardIdMember(ref errors, request.ShardToSplit, "shardToSplit");
        errors.Required(request.NewStartingHashKey, "newStartingHashKey");
        Constraints.ExplicitHashKey(ref errors, request.NewStartingHashKey, "newStartingHashKey");
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        if (PartitionKeyHash.TryParseExplicitHashKey(request.NewStartingHashKey, out UInt128 key) != ExplicitHashKeyParse.Ok)
        {
            throw new InvalidArgumentException($"NewStartingHashKey {request.NewStartingHashKey} used in SplitShard() on shard {request.ShardToSplit} in stream {stream.Name} under account {engine.AccountId} is not in the range [0, 2^128-1].");
        }

        Inject("SplitShard", stream.Name);
        engine.SplitShard(stream, request.ShardToSplit!, key, request.NewStartingHashKey!);
        return new SplitShardResponse();
    });

    public Task<MergeShardsResponse> MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        ShardIdMember(ref errors, request.ShardToMerge, "shardToMerge");
        ShardIdMember(ref errors, request.AdjacentShardToMerge, "adjacentShardToMerge");
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        Inject("MergeShards", stream.Name);
        engine.MergeShards(stream, request.ShardToMerge!, request.AdjacentShardToMerge!);
        return new MergeShardsResponse();
    });

    public Task<UpdateShardCountResponse> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.TargetShardCount, "targetShardCount");
        errors.Range(request.TargetShardCount, "targetShardCount", 1, 100_000);
        errors.Required(request.ScalingType?.Value, "scalingType");
        errors.Enum(request.ScalingType?.Value, "scalingType", ScalingTypes);
        errors.ThrowIfAny();
        StreamState stream = Resolve(request);
        Inject("UpdateShardCount", stream.Name);
        int before = engine.UpdateShardCount(stream, request.TargetShardCount!.Value);
        return new UpdateShardCountResponse
        {
            StreamName = stream.Name,
            StreamARN = stream.Arn,
            CurrentShardCount = before,
            TargetShardCount = request.TargetShardCount,
        };
    });

    public Task<UpdateStreamModeResponse> UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Required(request.StreamARN, "streamARN");
        Constraints.StreamArnMember(ref errors, request.StreamARN);
        errors.Required(request.StreamModeDetails?.StreamMode?.Value, "streamModeDetails.streamMode");
        errors.Enum(request.StreamModeDetails?.StreamMode?.Value, "streamModeDetails.streamMode", StreamModes);
        errors.ThrowIfAny();
        StreamCapacityMode mode = request.StreamModeDetails!.StreamMode!.Value == "ON_DEMAND" ? StreamCapacityMode.OnDemand : StreamCapacityMode.Provisioned;
        StreamState moded = engine.Resolve(null, request.StreamARN);
        Inject("UpdateStreamMode", moded.Name);
        engine.UpdateStreamMode(moded, mode);
        return new UpdateStreamModeResponse();
    });

    private static void ShardIdMember(ref ValidationErrors errors, string? value, string path, bool required = true)
    {
        if (required)
        {
            errors.Required(value, path);
        }

        errors.Length(value, path, 1, 128);
        errors.Pattern(value, path, Constraints.IsName, Constraints.NamePattern);
    }

    // ------------------------------------------------------------------ shapes

    /// <summary>
    /// A copy of a stored record in the AWS shape (responses outlive the storage they came from), decrypted when it
    /// was stored encrypted; its EncryptionType says how it was stored.
    /// </summary>
    private static Record ToRecord(StreamRecord record, StreamState stream)
    {
        byte[] data;
        if (record.NeedsDecryption)
        {
            ReadOnlySpan<byte> stored = record.StoredData.Span;
            data = new byte[stored.Length - RecordCipher.Overhead];
            RecordCipher.For(stream.Ciphers, record.Kind)!.Decrypt(stored, data);
        }
        else
        {
            data = record.Data.ToArray();
        }

        return new Record
        {
            SequenceNumber = record.SequenceNumber.ToString(),
            ApproximateArrivalTimestamp = record.ApproximateArrivalTimestamp.UtcDateTime,
            Data = new MemoryStream(data, writable: false),
            PartitionKey = record.PartitionKey,
            EncryptionType = record.Kind >= 2 ? EncryptionType.KMS : EncryptionType.NONE,
        };
    }

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
