using System.Globalization;
using StreamCore.Delivery.Buffering;
using StreamCore.Delivery.Validation;
using StreamCore.Errors;

namespace StreamCore.Delivery;

public sealed partial class Firehose
{
    private const int DefaultListLimit = 10;

    /// <inheritdoc/>
    public Task<CreateDeliveryStreamResponse> CreateDeliveryStreamAsync(CreateDeliveryStreamRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        e.Enum(request.DeliveryStreamType, "deliveryStreamType", DeliveryStreamType.Values);
        if (request.DirectPutSourceConfiguration is { } direct)
        {
            e.Required(direct.ThroughputHintInMBs, "directPutSourceConfiguration.throughputHintInMBs");
            e.Range(direct.ThroughputHintInMBs, "directPutSourceConfiguration.throughputHintInMBs", 1, 100);
        }

        if (request.KinesisStreamSourceConfiguration is { } kinesis)
        {
            FirehoseConstraints.Arn(ref e, kinesis.KinesisStreamARN, "kinesisStreamSourceConfiguration.kinesisStreamARN", FirehoseConstraints.KinesisStream(), FirehoseConstraints.KinesisStreamPattern, 512, required: true);
            FirehoseConstraints.Arn(ref e, kinesis.RoleARN, "kinesisStreamSourceConfiguration.roleARN", FirehoseConstraints.Role(), FirehoseConstraints.RolePattern, 512, required: true);
        }

        FirehoseConstraints.Encryption(ref e, request.DeliveryStreamEncryptionConfigurationInput, "deliveryStreamEncryptionConfigurationInput");
        S3Fields? s3 = S3Fields.From(request.S3DestinationConfiguration, "s3DestinationConfiguration");
        S3Fields? extended = S3Fields.From(request.ExtendedS3DestinationConfiguration, "extendedS3DestinationConfiguration");
        if (s3 is not null)
        {
            FirehoseConstraints.S3(ref e, s3, update: false);
        }

        if (extended is not null)
        {
            FirehoseConstraints.S3(ref e, extended, update: false);
        }

        (ElasticsearchDestinationConfiguration Config, bool OpenSearch, string Path)? search =
            request.AmazonopensearchserviceDestinationConfiguration is { } os ? (os, true, "amazonopensearchserviceDestinationConfiguration")
            : request.ElasticsearchDestinationConfiguration is { } es ? (es, false, "elasticsearchDestinationConfiguration")
            : null;
        foreach ((ElasticsearchDestinationConfiguration c, string path) in new[] { (request.ElasticsearchDestinationConfiguration, "elasticsearchDestinationConfiguration"), (request.AmazonopensearchserviceDestinationConfiguration, "amazonopensearchserviceDestinationConfiguration") }.Where(x => x.Item1 is not null).Select(x => (x.Item1!, x.Item2)))
        {
            FirehoseConstraints.Search(ref e, path, c.RoleARN, c.DomainARN, c.ClusterEndpoint, c.IndexName, c.TypeName, c.IndexRotationPeriod, c.BufferingHints, c.RetryOptions, c.S3BackupMode,
                S3Fields.From(c.S3Configuration, path + ".s3Configuration"), c.ProcessingConfiguration, c.CloudWatchLoggingOptions, c.DocumentIdOptions, update: false);
        }

        FirehoseConstraints.Tags(ref e, request.Tags, "tags", required: false);
        e.ThrowIfAny();

        // The service's rules, still before anything changes.
        string name = request.DeliveryStreamName!;
        string type = request.DeliveryStreamType?.Value ?? "DirectPut";
        if (type is "MSKAsSource" or "DatabaseAsSource")
        {
            throw new InvalidArgumentException($"DeliveryStreamType {type} is not supported by StreamCore; use DirectPut or KinesisStreamAsSource.");
        }

        int destinations = (s3 is null ? 0 : 1) + (extended is null ? 0 : 1) + (request.ElasticsearchDestinationConfiguration is null ? 0 : 1) + (request.AmazonopensearchserviceDestinationConfiguration is null ? 0 : 1);
        if (destinations != 1)
        {
            throw new InvalidArgumentException($"Exactly one destination configuration is supported for a Firehose; got {destinations}.");
        }

        if (type == "KinesisStreamAsSource" && request.KinesisStreamSourceConfiguration is null)
        {
            throw new InvalidArgumentException("KinesisStreamSourceConfiguration is required for a KinesisStreamAsSource delivery stream.");
        }

        if (type == "DirectPut" && request.KinesisStreamSourceConfiguration is not null)
        {
            throw new InvalidArgumentException("KinesisStreamSourceConfiguration is only allowed for a KinesisStreamAsSource delivery stream.");
        }

        if (type != "DirectPut" && request.DirectPutSourceConfiguration is not null)
        {
            throw new InvalidArgumentException("DirectPutSourceConfiguration is only allowed for a DirectPut delivery stream.");
        }

        if (request.DeliveryStreamEncryptionConfigurationInput is { } encryption)
        {
            if (type != "DirectPut")
            {
                throw new InvalidArgumentException($"Server-side encryption is not supported for delivery streams of type {type}; the source stream's encryption applies.");
            }

            CheckKey(encryption);
        }

        S3Settings settings;
        SearchSettings? searchSettings = null;
        if (search is { } target)
        {
            searchSettings = SearchFrom(target.Config, target.OpenSearch, target.Path);
            S3Fields searchS3 = S3Fields.From(target.Config.S3Configuration, target.Path + ".s3Configuration")!;
            CheckHints(searchS3.BufferingHints, searchS3.Path);
            settings = S3Settings.Merge(null, searchS3).Compile(searchS3.Path);
        }
        else
        {
            S3Fields fields = (s3 ?? extended)!;
            CheckHints(fields.BufferingHints, fields.Path);
            CheckBackup(fields, current: null);
            settings = S3Settings.Merge(null, fields).Compile(fields.Path);
        }

        string? sourceStream = null;
        if (request.KinesisStreamSourceConfiguration is { KinesisStreamARN: { } streamArn })
        {
            sourceStream = streamArn[(streamArn.LastIndexOf('/') + 1)..];
            if (!Engine.ListStreamNames().Contains(sourceStream, StringComparer.Ordinal))
            {
                throw new InvalidArgumentException($"The source Kinesis stream {sourceStream} (from {streamArn}) does not exist under account {Account}.");
            }
        }

        DeliveryStreamState state;
        lock (_control)
        {
            if (_streams.ContainsKey(name))
            {
                throw new ResourceInUseException($"Firehose {name} under accountId {Account} already exists");
            }

            if (_streams.Count >= _limit)
            {
                throw new LimitExceededException($"You have already consumed your firehose quota of {_limit} hoses. Firehose names: {string.Join(", ", _streams.Keys.Order(StringComparer.Ordinal).Take(10))}");
            }

            DateTime now = UtcNow;
            var pipeline = new DeliveryPipeline(_context, name, settings, 1);
            state = new DeliveryStreamState
            {
                Name = name,
                Arn = Arn(name),
                Type = type,
                CreateTimestamp = now,
                ThroughputHintInMBs = request.DirectPutSourceConfiguration?.ThroughputHintInMBs,
                KinesisSource = request.KinesisStreamSourceConfiguration is { } k ? new KinesisStreamSourceConfiguration { KinesisStreamARN = k.KinesisStreamARN, RoleARN = k.RoleARN } : null,
                S3 = settings,
                Search = searchSettings,
                Pipeline = pipeline,
                SearchDelivery = searchSettings is null ? null : new Search.SearchPipeline(_context, name, searchSettings, pipeline, _searchIndex),
            };
            if ((searchSettings is null ? settings.Lambda : searchSettings.Lambda) is { } lambda)
            {
                state.Transformation = new Transformation.LambdaTransformation(_context, state.Target, state.Arn, lambda);
            }

            foreach (Tag tag in request.Tags ?? [])
            {
                state.Tags[tag.Key!] = tag.Value ?? string.Empty;
            }

            if (request.DeliveryStreamEncryptionConfigurationInput is { } input)
            {
                state.EncryptionKeyType = input.KeyType!.Value;
                state.EncryptionKeyArn = input.KeyARN;
                state.EncryptionStatus = "ENABLED";
            }

            _streams[name] = state;
        }

        AfterStatusDelay(state, () =>
        {
            lock (state.Gate)
            {
                if (state.Status == "CREATING")
                {
                    state.Status = "ACTIVE";
                    if (sourceStream is not null && !state.Stopping)
                    {
                        state.DeliveryStartTimestamp = UtcNow;
                        StartKinesisSource(state, sourceStream);
                    }
                }
            }
        });
        return Task.FromResult(new CreateDeliveryStreamResponse { DeliveryStreamARN = state.Arn });
    }

    private static void CheckKey(DeliveryStreamEncryptionConfigurationInput encryption)
    {
        if (encryption.KeyType == KeyType.CUSTOMER_MANAGED_CMK && encryption.KeyARN is null)
        {
            throw new InvalidArgumentException("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.");
        }

        if (encryption.KeyType == KeyType.AWS_OWNED_CMK && encryption.KeyARN is not null)
        {
            throw new InvalidArgumentException("KeyARN must not be given when KeyType is AWS_OWNED_CMK.");
        }
    }

    /// <summary>BufferingHints' documented rule: if you specify a value for one of them, you must also provide a value for the other.</summary>
    private static void CheckHints(BufferingHints? hints, string path)
    {
        if (hints is not null && (hints.SizeInMBs is null) != (hints.IntervalInSeconds is null))
        {
            throw new InvalidArgumentException($"{path}.BufferingHints: if you specify a value for one of SizeInMBs and IntervalInSeconds, you must also provide a value for the other.");
        }
    }

    private static void CheckBackup(S3Fields fields, S3Settings? current)
    {
        string mode = fields.S3BackupMode?.Value ?? current?.BackupMode ?? "Disabled";
        if (current?.BackupMode == "Enabled" && mode == "Disabled")
        {
            throw new InvalidArgumentException("S3BackupMode cannot be changed from Enabled to Disabled once enabled.");
        }

        if (mode == "Enabled" && fields.Backup is null && current?.Backup is null)
        {
            throw new InvalidArgumentException("S3BackupConfiguration is required when S3BackupMode is Enabled.");
        }

        if (fields.Backup is { } backup)
        {
            CheckHints(backup.BufferingHints, backup.Path);
        }

        if (current is not null && fields.DynamicPartitioningConfiguration?.Enabled is { } enabled && enabled != current.DynamicPartitioning)
        {
            throw new InvalidArgumentException("Dynamic partitioning can only be enabled when the delivery stream is created, and cannot be disabled.");
        }
    }

    private static SearchSettings SearchFrom(ElasticsearchDestinationConfiguration c, bool openSearch, string path)
    {
        if ((c.DomainARN is null) == (c.ClusterEndpoint is null))
        {
            throw new InvalidArgumentException($"{path}: exactly one of DomainARN and ClusterEndpoint must be given.");
        }

        if (c.BufferingHints is { } hints && (hints.SizeInMBs is null) != (hints.IntervalInSeconds is null))
        {
            throw new InvalidArgumentException($"{path}.BufferingHints: if you specify a value for one of SizeInMBs and IntervalInSeconds, you must also provide a value for the other.");
        }

        return new SearchSettings
        {
            OpenSearch = openSearch,
            RoleARN = c.RoleARN!,
            DomainARN = c.DomainARN,
            ClusterEndpoint = c.ClusterEndpoint,
            IndexName = c.IndexName!,
            TypeName = c.TypeName,
            IndexRotationPeriod = c.IndexRotationPeriod?.Value ?? "OneDay",
            IntervalInSeconds = c.BufferingHints?.IntervalInSeconds ?? 300,
            SizeInMBs = c.BufferingHints?.SizeInMBs ?? 5,
            RetryDurationInSeconds = c.RetryOptions?.DurationInSeconds ?? 300,
            S3BackupMode = c.S3BackupMode?.Value ?? "FailedDocumentsOnly",
            DocumentIdFormat = c.DocumentIdOptions?.DefaultDocumentIdFormat?.Value ?? "FIREHOSE_DEFAULT",
            Processing = c.ProcessingConfiguration,
            Logging = c.CloudWatchLoggingOptions,
        };
    }

    /// <inheritdoc/>
    public Task<DescribeDeliveryStreamResponse> DescribeDeliveryStreamAsync(DescribeDeliveryStreamRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        e.Range(request.Limit, "limit", 1, 10000);
        e.Pattern(request.ExclusiveStartDestinationId, "exclusiveStartDestinationId", FirehoseConstraints.DestinationId().IsMatch, FirehoseConstraints.DestinationIdPattern);
        e.Length(request.ExclusiveStartDestinationId, "exclusiveStartDestinationId", 1, 100);
        e.ThrowIfAny();
        DeliveryStreamState state = Find(request.DeliveryStreamName!);
        lock (state.Gate)
        {
            var destination = new DestinationDescription { DestinationId = DeliveryStreamState.DestinationId };
            if (state.Search is { } search)
            {
                ElasticsearchDestinationDescription description = search.ToDescription(state.S3);
                if (search.OpenSearch)
                {
                    destination.AmazonopensearchserviceDestinationDescription = description;
                }
                else
                {
                    destination.ElasticsearchDestinationDescription = description;
                }
            }
            else
            {
                // AWS describes an S3 destination in both shapes (the older one is a view of the extended one).
                destination.S3DestinationDescription = state.S3.ToS3Description();
                destination.ExtendedS3DestinationDescription = state.S3.ToExtendedDescription();
            }

            bool skip = request.ExclusiveStartDestinationId is { } start && string.CompareOrdinal(start, DeliveryStreamState.DestinationId) >= 0;
            return Task.FromResult(new DescribeDeliveryStreamResponse
            {
                DeliveryStreamDescription = new DeliveryStreamDescription
                {
                    DeliveryStreamName = state.Name,
                    DeliveryStreamARN = state.Arn,
                    DeliveryStreamStatus = new DeliveryStreamStatus(state.Status),
                    DeliveryStreamType = new DeliveryStreamType(state.Type),
                    VersionId = state.Version.ToString(CultureInfo.InvariantCulture),
                    CreateTimestamp = state.CreateTimestamp,
                    LastUpdateTimestamp = state.LastUpdateTimestamp,
                    DeliveryStreamEncryptionConfiguration = new DeliveryStreamEncryptionConfiguration
                    {
                        Status = new DeliveryStreamEncryptionStatus(state.EncryptionStatus ?? "DISABLED"),
                        KeyType = state.EncryptionKeyType is { } keyType ? new KeyType(keyType) : null,
                        KeyARN = state.EncryptionKeyArn,
                    },
                    Source = state.KinesisSource is { } source
                        ? new SourceDescription { KinesisStreamSourceDescription = new KinesisStreamSourceDescription { KinesisStreamARN = source.KinesisStreamARN, RoleARN = source.RoleARN, DeliveryStartTimestamp = state.DeliveryStartTimestamp } }
                        : new SourceDescription { DirectPutSourceDescription = new DirectPutSourceDescription { ThroughputHintInMBs = state.ThroughputHintInMBs } },
                    Destinations = skip ? [] : [destination],
                    HasMoreDestinations = false,
                },
            });
        }
    }

    /// <inheritdoc/>
    public Task<ListDeliveryStreamsResponse> ListDeliveryStreamsAsync(ListDeliveryStreamsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        e.Range(request.Limit, "limit", 1, 10000);
        e.Enum(request.DeliveryStreamType, "deliveryStreamType", DeliveryStreamType.Values);
        FirehoseConstraints.DeliveryStreamName(ref e, request.ExclusiveStartDeliveryStreamName, "exclusiveStartDeliveryStreamName", required: false);
        e.ThrowIfAny();
        int limit = request.Limit ?? DefaultListLimit;
        string? type = request.DeliveryStreamType?.Value;
        List<string> names = [.. _streams.Values
            .Where(s => type is null || s.Type == type)
            .Select(s => s.Name)
            .Where(n => request.ExclusiveStartDeliveryStreamName is not { } start || string.CompareOrdinal(n, start) > 0)
            .Order(StringComparer.Ordinal)];
        return Task.FromResult(new ListDeliveryStreamsResponse { DeliveryStreamNames = [.. names.Take(limit)], HasMoreDeliveryStreams = names.Count > limit });
    }

    /// <inheritdoc/>
    public Task<DeleteDeliveryStreamResponse> DeleteDeliveryStreamAsync(DeleteDeliveryStreamRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        e.ThrowIfAny();
        DeliveryStreamState state = Find(request.DeliveryStreamName!);
        lock (state.Gate)
        {
            if (state.Status == "CREATING")
            {
                throw new ResourceInUseException($"Firehose {state.Name} under accountId {Account} is in CREATING state; it can be deleted when ACTIVE.");
            }

            if (state.Status == "DELETING")
            {
                return Task.FromResult(new DeleteDeliveryStreamResponse());
            }

            state.Status = "DELETING";
        }

        // What was buffered is still delivered; the stream disappears once that is done and the status delay has passed.
        _ = Task.Run(async () =>
        {
            await state.StopAsync(CancellationToken.None).ConfigureAwait(false);
            AfterStatusDelay(state, () => _streams.TryRemove(new KeyValuePair<string, DeliveryStreamState>(state.Name, state)));
        }, CancellationToken.None);
        return Task.FromResult(new DeleteDeliveryStreamResponse());
    }

    /// <inheritdoc/>
    public Task<ListTagsForDeliveryStreamResponse> ListTagsForDeliveryStreamAsync(ListTagsForDeliveryStreamRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        e.Length(request.ExclusiveStartTagKey, "exclusiveStartTagKey", 1, 128);
        e.Range(request.Limit, "limit", 1, 50);
        e.ThrowIfAny();
        DeliveryStreamState state = Find(request.DeliveryStreamName!);
        lock (state.Gate)
        {
            int limit = request.Limit ?? 50;
            List<Tag> tags = [.. state.Tags.Where(t => request.ExclusiveStartTagKey is not { } start || string.CompareOrdinal(t.Key, start) > 0).Select(t => new Tag { Key = t.Key, Value = t.Value })];
            return Task.FromResult(new ListTagsForDeliveryStreamResponse { Tags = [.. tags.Take(limit)], HasMoreTags = tags.Count > limit });
        }
    }

    /// <inheritdoc/>
    public Task<TagDeliveryStreamResponse> TagDeliveryStreamAsync(TagDeliveryStreamRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        FirehoseConstraints.Tags(ref e, request.Tags, "tags", required: true);
        e.ThrowIfAny();
        DeliveryStreamState state = Find(request.DeliveryStreamName!);
        lock (state.Gate)
        {
            int after = state.Tags.Keys.Union(request.Tags!.Select(t => t.Key!), StringComparer.Ordinal).Count();
            if (after > 50)
            {
                throw new LimitExceededException($"A delivery stream can have at most 50 tags; adding these would give it {after}.");
            }

            foreach (Tag tag in request.Tags!)
            {
                state.Tags[tag.Key!] = tag.Value ?? string.Empty;
            }
        }

        return Task.FromResult(new TagDeliveryStreamResponse());
    }

    /// <inheritdoc/>
    public Task<UntagDeliveryStreamResponse> UntagDeliveryStreamAsync(UntagDeliveryStreamRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        e.Size(request.TagKeys, "tagKeys", 1, 50);
        for (int i = 0; i < (request.TagKeys?.Count ?? 0); i++)
        {
            string path = FirehoseConstraints.Item("tagKeys", i);
            e.Required(request.TagKeys![i], path);
            e.Pattern(request.TagKeys[i], path, FirehoseConstraints.TagKey().IsMatch, FirehoseConstraints.TagKeyPattern);
            e.Length(request.TagKeys[i], path, 1, 128);
        }

        e.ThrowIfAny();
        DeliveryStreamState state = Find(request.DeliveryStreamName!);
        lock (state.Gate)
        {
            foreach (string key in request.TagKeys!)
            {
                state.Tags.Remove(key);
            }
        }

        return Task.FromResult(new UntagDeliveryStreamResponse());
    }

    /// <inheritdoc/>
    public Task<StartDeliveryStreamEncryptionResponse> StartDeliveryStreamEncryptionAsync(StartDeliveryStreamEncryptionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        FirehoseConstraints.Encryption(ref e, request.DeliveryStreamEncryptionConfigurationInput, "deliveryStreamEncryptionConfigurationInput");
        e.ThrowIfAny();
        DeliveryStreamEncryptionConfigurationInput input = request.DeliveryStreamEncryptionConfigurationInput ?? new DeliveryStreamEncryptionConfigurationInput { KeyType = KeyType.AWS_OWNED_CMK };
        CheckKey(input);
        DeliveryStreamState state = Find(request.DeliveryStreamName!);
        ChangeEncryption(state, "ENABLING", "ENABLED", input);
        return Task.FromResult(new StartDeliveryStreamEncryptionResponse());
    }

    /// <inheritdoc/>
    public Task<StopDeliveryStreamEncryptionResponse> StopDeliveryStreamEncryptionAsync(StopDeliveryStreamEncryptionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        e.ThrowIfAny();
        DeliveryStreamState state = Find(request.DeliveryStreamName!);
        ChangeEncryption(state, "DISABLING", "DISABLED", null);
        return Task.FromResult(new StopDeliveryStreamEncryptionResponse());
    }

    private void ChangeEncryption(DeliveryStreamState state, string transition, string final, DeliveryStreamEncryptionConfigurationInput? input)
    {
        lock (state.Gate)
        {
            if (state.Type != "DirectPut")
            {
                throw new InvalidArgumentException($"This operation is not supported for delivery stream {state.Name} of type {state.Type}: its source stream's encryption applies.");
            }

            if (state.Status != "ACTIVE")
            {
                throw new ResourceInUseException($"Firehose {state.Name} under accountId {Account} is not ACTIVE, instead in state {state.Status}.");
            }

            if (state.EncryptionStatus is "ENABLING" or "DISABLING")
            {
                throw new ResourceInUseException($"The encryption of delivery stream {state.Name} is {state.EncryptionStatus}; try again when it is done.");
            }

            state.EncryptionStatus = transition;
            if (input is not null)
            {
                state.EncryptionKeyType = input.KeyType!.Value;
                state.EncryptionKeyArn = input.KeyARN;
            }
        }

        AfterStatusDelay(state, () =>
        {
            lock (state.Gate)
            {
                if (state.EncryptionStatus == transition)
                {
                    state.EncryptionStatus = final;
                    if (final == "DISABLED")
                    {
                        state.EncryptionKeyType = null;
                        state.EncryptionKeyArn = null;
                    }
                }
            }
        });
    }

    /// <inheritdoc/>
    public Task<UpdateDestinationResponse> UpdateDestinationAsync(UpdateDestinationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        e.Required(request.CurrentDeliveryStreamVersionId, "currentDeliveryStreamVersionId");
        e.Pattern(request.CurrentDeliveryStreamVersionId, "currentDeliveryStreamVersionId", FirehoseConstraints.Version().IsMatch, FirehoseConstraints.VersionPattern);
        e.Length(request.CurrentDeliveryStreamVersionId, "currentDeliveryStreamVersionId", 1, 50);
        e.Required(request.DestinationId, "destinationId");
        e.Pattern(request.DestinationId, "destinationId", FirehoseConstraints.DestinationId().IsMatch, FirehoseConstraints.DestinationIdPattern);
        e.Length(request.DestinationId, "destinationId", 1, 100);
        S3Fields? s3 = S3Fields.From(request.S3DestinationUpdate, "s3DestinationUpdate");
        S3Fields? extended = S3Fields.From(request.ExtendedS3DestinationUpdate, "extendedS3DestinationUpdate");
        if (s3 is not null)
        {
            FirehoseConstraints.S3(ref e, s3, update: true);
        }

        if (extended is not null)
        {
            FirehoseConstraints.S3(ref e, extended, update: true);
        }

        (ElasticsearchDestinationUpdate Update, bool OpenSearch, string Path)? search =
            request.AmazonopensearchserviceDestinationUpdate is { } os ? (os, true, "amazonopensearchserviceDestinationUpdate")
            : request.ElasticsearchDestinationUpdate is { } es ? (es, false, "elasticsearchDestinationUpdate")
            : null;
        if (search is { } s)
        {
            ElasticsearchDestinationUpdate u = s.Update;
            FirehoseConstraints.Search(ref e, s.Path, u.RoleARN, u.DomainARN, u.ClusterEndpoint, u.IndexName, u.TypeName, u.IndexRotationPeriod, u.BufferingHints, u.RetryOptions, null,
                S3Fields.From(u.S3Update, s.Path + ".s3Update"), u.ProcessingConfiguration, u.CloudWatchLoggingOptions, u.DocumentIdOptions, update: true);
        }

        e.ThrowIfAny();
        int blocks = (s3 is null ? 0 : 1) + (extended is null ? 0 : 1) + (request.ElasticsearchDestinationUpdate is null ? 0 : 1) + (request.AmazonopensearchserviceDestinationUpdate is null ? 0 : 1);
        if (blocks != 1)
        {
            throw new InvalidArgumentException($"Exactly one destination update is supported; got {blocks}.");
        }

        DeliveryStreamState state = Find(request.DeliveryStreamName!);
        lock (state.Gate)
        {
            string current = state.Version.ToString(CultureInfo.InvariantCulture);
            if (request.CurrentDeliveryStreamVersionId != current)
            {
                throw new ConcurrentModificationException($"Cannot update firehose: {state.Name} since the current version id: {current} and specified version id: {request.CurrentDeliveryStreamVersionId} do not match");
            }

            if (request.DestinationId != DeliveryStreamState.DestinationId)
            {
                throw new InvalidArgumentException($"Destination Id {request.DestinationId} not found for delivery stream {state.Name}; its destination is {DeliveryStreamState.DestinationId}.");
            }

            if (state.Status != "ACTIVE")
            {
                throw new ResourceInUseException($"Firehose {state.Name} under accountId {Account} is not ACTIVE, instead in state {state.Status}.");
            }

            if (state.Stopping)
            {
                // Its pipelines are stopped: a new version (or transformation) would accept records nothing delivers.
                throw new ResourceInUseException($"Firehose {state.Name} under accountId {Account} is stopped (its Firehose was stopped or disposed) and cannot be updated.");
            }

            S3Settings settings;
            SearchSettings? searchSettings = state.Search;
            if (search is { } target)
            {
                if (state.Search is null || state.Search.OpenSearch != target.OpenSearch)
                {
                    throw new InvalidArgumentException($"Delivery stream {state.Name} has {(state.Search is null ? "an S3" : state.Search.OpenSearch ? "an OpenSearch" : "an Elasticsearch")} destination; changing the destination type is not supported by StreamCore.");
                }

                ElasticsearchDestinationUpdate u = target.Update;
                if (u.BufferingHints is { } hints && (hints.SizeInMBs is null) != (hints.IntervalInSeconds is null))
                {
                    throw new InvalidArgumentException($"{target.Path}.BufferingHints: if you specify a value for one of SizeInMBs and IntervalInSeconds, you must also provide a value for the other.");
                }

                SearchSettings old = state.Search;
                searchSettings = old with
                {
                    RoleARN = u.RoleARN ?? old.RoleARN,
                    DomainARN = u.DomainARN ?? (u.ClusterEndpoint is null ? old.DomainARN : null),
                    ClusterEndpoint = u.ClusterEndpoint ?? (u.DomainARN is null ? old.ClusterEndpoint : null),
                    IndexName = u.IndexName ?? old.IndexName,
                    TypeName = u.TypeName ?? old.TypeName,
                    IndexRotationPeriod = u.IndexRotationPeriod?.Value ?? old.IndexRotationPeriod,
                    IntervalInSeconds = u.BufferingHints?.IntervalInSeconds ?? old.IntervalInSeconds,
                    SizeInMBs = u.BufferingHints?.SizeInMBs ?? old.SizeInMBs,
                    RetryDurationInSeconds = u.RetryOptions?.DurationInSeconds ?? old.RetryDurationInSeconds,
                    DocumentIdFormat = u.DocumentIdOptions?.DefaultDocumentIdFormat?.Value ?? old.DocumentIdFormat,
                    Processing = u.ProcessingConfiguration ?? old.Processing,
                    Logging = u.CloudWatchLoggingOptions ?? old.Logging,
                };
                S3Fields? s3Update = S3Fields.From(u.S3Update, target.Path + ".s3Update");
                CheckHints(s3Update?.BufferingHints, target.Path + ".s3Update");
                settings = s3Update is null ? state.S3 : S3Settings.Merge(state.S3, s3Update).Compile(s3Update.Path);
            }
            else
            {
                if (state.Search is not null)
                {
                    throw new InvalidArgumentException($"Delivery stream {state.Name} has an {(state.Search.OpenSearch ? "OpenSearch" : "Elasticsearch")} destination, which can only be updated to the same type.");
                }

                S3Fields fields = (s3 ?? extended)!;
                CheckHints(fields.BufferingHints, fields.Path);
                CheckBackup(fields, state.S3);
                settings = S3Settings.Merge(state.S3, fields).Compile(fields.Path);
            }

            state.Version++;
            state.LastUpdateTimestamp = UtcNow;
            state.S3 = settings;
            state.Search = searchSettings;
            state.Pipeline.Reconfigure(settings, state.Version);
            state.SearchDelivery?.Reconfigure(searchSettings!);
            switch ((state.Transformation, searchSettings is null ? settings.Lambda : searchSettings.Lambda))
            {
                case ({ } running, { } lambda):
                    running.Reconfigure(lambda);
                    break;
                case (null, { } lambda):
                    state.Transformation = new Transformation.LambdaTransformation(_context, state.Target, state.Arn, lambda);
                    break;
                case ({ } running, null):
                    // What it still holds is transformed and handed on; new records bypass it.
                    state.Transformation = null;
                    state.Retire(running);
                    break;
            }
        }

        return Task.FromResult(new UpdateDestinationResponse());
    }

    /// <summary>Starts reading the source stream of a KinesisStreamAsSource delivery stream (see Firehose.Source.cs).</summary>
    partial void StartKinesisSource(DeliveryStreamState state, string streamName);
}
