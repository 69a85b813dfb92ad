using System.Text;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Reading;
using CoreHashKeyRange = StreamCore.HashKeyRange;
using CorePosition = StreamCore.ShardPosition;
using EngineConsumerStatus = StreamCore.Engine.ConsumerStatus;

namespace StreamCore.Kinesis;

internal sealed partial class KinesisClient
{
    // ------------------------------------------------------------------ streams

    public Task<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        StreamCapacityMode mode = request.StreamModeDetails?.StreamMode?.Value == "ON_DEMAND" ? StreamCapacityMode.OnDemand : StreamCapacityMode.Provisioned;
        var errors = default(ValidationErrors);
        StreamEngine.CreateStreamShape(ref errors, request.StreamName, request.ShardCount, mode, request.MaxRecordSizeInKiB);
        TagRules.Shape(ref errors, request.Tags);
        if (request.StreamModeDetails is { } modeDetails)
        {
            errors.Required(modeDetails.StreamMode?.Value, "streamModeDetails.streamMode");
            errors.Enum(modeDetails.StreamMode?.Value, "streamModeDetails.streamMode", StreamModes);
        }

        errors.ThrowIfAny();
        Inject("CreateStream", request.StreamName);
        engine.CreateStreamCore(request.StreamName!, request.ShardCount, mode, request.Tags is { Count: > 0 } tags ? tags : null, request.MaxRecordSizeInKiB);
        return new CreateStreamResponse();
    });

    public Task<DeleteStreamResponse> DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        errors.ThrowIfAny();
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
        Constraints.ShardIdMember(ref errors, request.ExclusiveStartShardId, "exclusiveStartShardId", required: false);
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
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
        var errors = default(ValidationErrors);
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        errors.ThrowIfAny();
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
        Constraints.ShardIdMember(ref errors, request.ExclusiveStartShardId, "exclusiveStartShardId", required: false);
        errors.Range(request.MaxResults, "maxResults", 1, 10_000);
        errors.Length(request.NextToken, "nextToken", 1, 1_048_576);
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        if (request.ShardFilter is { } f)
        {
            errors.Required(f.Type?.Value, "shardFilter.type");
            errors.Enum(f.Type?.Value, "shardFilter.type", FilterTypes);
            Constraints.ShardIdMember(ref errors, f.ShardId, "shardFilter.shardId", required: false);
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
        TagRules.Shape(ref errors, request.Tags);
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
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
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
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
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
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
        int hours = RequiredRetention(request, request.RetentionPeriodHours);
        StreamState stream = Resolve(request);
        Inject("IncreaseStreamRetentionPeriod", stream.Name);
        engine.ChangeRetention(stream, hours, increase: true);
        return new IncreaseStreamRetentionPeriodResponse();
    });

    public Task<DecreaseStreamRetentionPeriodResponse> DecreaseStreamRetentionPeriodAsync(DecreaseStreamRetentionPeriodRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        int hours = RequiredRetention(request, request.RetentionPeriodHours);
        StreamState stream = Resolve(request);
        Inject("DecreaseStreamRetentionPeriod", stream.Name);
        engine.ChangeRetention(stream, hours, increase: false);
        return new DecreaseStreamRetentionPeriodResponse();
    });

    private static int RequiredRetention(StreamAddressedRequest request, int? hours)
    {
        var errors = default(ValidationErrors);
        errors.Required(hours, "retentionPeriodHours");
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
        errors.ThrowIfAny();
        return hours!.Value;
    }

    public Task<StartStreamEncryptionResponse> StartStreamEncryptionAsync(StartStreamEncryptionRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        string keyId = ValidateEncryption(request, request.EncryptionType, request.KeyId);
        StreamState stream = Resolve(request);
        Inject("StartStreamEncryption", stream.Name);
        engine.StartEncryption(stream, keyId);
        return new StartStreamEncryptionResponse();
    });

    public Task<StopStreamEncryptionResponse> StopStreamEncryptionAsync(StopStreamEncryptionRequest request, CancellationToken cancellationToken = default) => Run(cancellationToken, () =>
    {
        ArgumentNullException.ThrowIfNull(request);
        string keyId = ValidateEncryption(request, request.EncryptionType, request.KeyId);
        StreamState stream = Resolve(request);
        Inject("StopStreamEncryption", stream.Name);
        engine.StopEncryption(stream, keyId);
        return new StopStreamEncryptionResponse();
    });

    private static string ValidateEncryption(StreamAddressedRequest request, EncryptionType? type, string? keyId)
    {
        var errors = default(ValidationErrors);
        errors.Required(type?.Value, "encryptionType");
        errors.Enum(type?.Value, "encryptionType", EncryptionTypes);
        errors.Required(keyId, "keyId");
        errors.Length(keyId, "keyId", 1, 2048);
        Constraints.StreamAddress(ref errors, request.StreamName, request.StreamARN);
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
        Constraints.StreamArnMember(ref errors, request.StreamARN);
        errors.ThrowIfAny();
        StreamState stream = engine.Resolve(null, request.StreamARN);
        Inject("UpdateMaxRecordSize", stream.Name);
        engine.UpdateMaxRecordSize(stream, request.MaxRecordSizeInKiB!.Value);
        return new UpdateMaxRecordSizeResponse();
    });
}
