using StreamCore.Delivery;
using Record = StreamCore.Delivery.Record;
using StreamCore.Errors;

namespace StreamCore.Tests.Delivery;

public sealed class ControlPlaneTests
{
    [Fact]
    public async Task Describe_materialises_the_defaults_AWS_returns_for_an_S3_destination()
    {
        await using var bed = new FirehoseBed();
        CreateDeliveryStreamResponse created = await bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
        {
            DeliveryStreamName = "events",
            S3DestinationConfiguration = new S3DestinationConfiguration { RoleARN = FirehoseBed.Role, BucketARN = FirehoseBed.BucketArn },
        });
        Assert.Equal("arn:aws:firehose:us-east-1:000000000000:deliverystream/events", created.DeliveryStreamARN);

        DeliveryStreamDescription d = (await bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = "events" })).DeliveryStreamDescription!;
        Assert.Equal(DeliveryStreamStatus.ACTIVE, d.DeliveryStreamStatus);
        Assert.Equal(DeliveryStreamType.DirectPut, d.DeliveryStreamType);
        Assert.Equal("1", d.VersionId);
        Assert.Equal(FirehoseBed.Start.UtcDateTime, d.CreateTimestamp);
        Assert.False(d.HasMoreDestinations);
        DestinationDescription destination = Assert.Single(d.Destinations!);
        Assert.Equal("destinationId-000000000001", destination.DestinationId);
        foreach ((BufferingHints? hints, CompressionFormat? compression, EncryptionConfiguration? encryption) in new[]
        {
            (destination.S3DestinationDescription!.BufferingHints, destination.S3DestinationDescription.CompressionFormat, destination.S3DestinationDescription.EncryptionConfiguration),
            (destination.ExtendedS3DestinationDescription!.BufferingHints, destination.ExtendedS3DestinationDescription.CompressionFormat, destination.ExtendedS3DestinationDescription.EncryptionConfiguration),
        })
        {
            Assert.Equal(5, hints!.SizeInMBs);
            Assert.Equal(300, hints.IntervalInSeconds);
            Assert.Equal(CompressionFormat.UNCOMPRESSED, compression);
            Assert.Equal(NoEncryptionConfig.NoEncryption, encryption!.NoEncryptionConfig);
        }

        Assert.Equal(S3BackupMode.Disabled, destination.ExtendedS3DestinationDescription.S3BackupMode);
        Assert.Equal(DeliveryStreamEncryptionStatus.DISABLED, d.DeliveryStreamEncryptionConfiguration!.Status);
    }

    [Fact]
    public async Task A_stream_is_CREATING_for_the_status_delay_then_ACTIVE_and_refuses_records_until_then()
    {
        await using var bed = new FirehoseBed(statusDelay: TimeSpan.FromSeconds(10));
        await bed.CreateAsync("slow", FirehoseBed.S3());
        Assert.Equal(DeliveryStreamStatus.CREATING, (await Describe(bed, "slow")).DeliveryStreamStatus);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => bed.PutAsync("slow", "x"));
        await Assert.ThrowsAsync<ResourceInUseException>(() => bed.Firehose.DeleteDeliveryStreamAsync(new DeleteDeliveryStreamRequest { DeliveryStreamName = "slow" }));
        bed.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(DeliveryStreamStatus.ACTIVE, (await Describe(bed, "slow")).DeliveryStreamStatus);
        await bed.PutAsync("slow", "x");
    }

    private static async Task<DeliveryStreamDescription> Describe(FirehoseBed bed, string name) =>
        (await bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = name })).DeliveryStreamDescription!;

    [Fact]
    public async Task The_seeds_invalid_update_gets_the_validation_error_and_changes_nothing()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("raw", FirehoseBed.S3());
        var ex = await Assert.ThrowsAsync<ValidationException>(() => bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
        {
            DeliveryStreamName = "raw",
            CurrentDeliveryStreamVersionId = "1",
            DestinationId = "destinationId-000000000001",
            S3DestinationUpdate = new S3DestinationUpdate { BufferingHints = new BufferingHints { SizeInMBs = 256 } },
        }));
        Assert.Equal("1 validation error detected: Value '256' at 's3DestinationUpdate.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128", ex.Message);

        // In range but alone: the documented pair rule.
        var pair = await Assert.ThrowsAsync<InvalidArgumentException>(() => bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
        {
            DeliveryStreamName = "raw",
            CurrentDeliveryStreamVersionId = "1",
            DestinationId = "destinationId-000000000001",
            S3DestinationUpdate = new S3DestinationUpdate { BufferingHints = new BufferingHints { SizeInMBs = 64 } },
        }));
        Assert.Contains("you must also provide a value for the other", pair.Message, StringComparison.Ordinal);
        DeliveryStreamDescription d = await Describe(bed, "raw");
        Assert.Equal("1", d.VersionId);
        Assert.Equal(5, d.Destinations![0].ExtendedS3DestinationDescription!.BufferingHints!.SizeInMBs);
    }

    [Fact]
    public async Task Every_broken_member_is_reported_in_AWSs_form_and_nothing_is_created()
    {
        await using var bed = new FirehoseBed();
        var ex = await Assert.ThrowsAsync<ValidationException>(() => bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
        {
            DeliveryStreamName = "bad name",
            ExtendedS3DestinationConfiguration = FirehoseBed.S3(c =>
            {
                c.CompressionFormat = new CompressionFormat("SNAPPY");
                c.BufferingHints = new BufferingHints { SizeInMBs = 0, IntervalInSeconds = 901 };
                c.FileExtension = "gz";
                c.BucketARN = "my-data-bucket";
            }),
        }));
        Assert.StartsWith("6 validation errors detected: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Value 'bad name' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Value 'SNAPPY' at 'extendedS3DestinationConfiguration.compressionFormat' failed to satisfy constraint: Member must satisfy enum value set: [UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Value '0' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value greater than or equal to 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Value '901' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at 'extendedS3DestinationConfiguration.fileExtension'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Value 'my-data-bucket' at 'extendedS3DestinationConfiguration.bucketARN'", ex.Message, StringComparison.Ordinal);
        Assert.Empty((await bed.Firehose.ListDeliveryStreamsAsync(new ListDeliveryStreamsRequest())).DeliveryStreamNames!);
    }

    [Theory]
    [InlineData("raw/!{timestamp:yyyy}/", null, "ErrorOutputPrefix can't be null when Prefix contains expressions")]
    [InlineData("raw/!{timestamp:yyyy}/", "errors/!{timestamp:yyyy}/", "must contain !{firehose:error-output-type}")]
    [InlineData("raw/!{firehose:error-output-type}/", "errors/", "only allowed in ErrorOutputPrefix")]
    [InlineData("raw/!{timestamp:yyyy}/!{nope:x}/", "errors/", "the namespace 'nope'")]
    [InlineData("raw/!{timestamp:qq}/", "errors/", "not a supported DateTimeFormatter field")]
    [InlineData("raw/!{firehose:other}/", "errors/", "random-string or error-output-type")]
    [InlineData("raw/!{partitionKeyFromQuery:id}/", "errors/!{firehose:error-output-type}/", "dynamic partitioning is not enabled")]
    [InlineData("raw/!{timestamp:yyyy", "errors/", "is not closed")]
    public async Task Prefix_rules_are_enforced_at_creation(string prefix, string? errorPrefix, string message)
    {
        await using var bed = new FirehoseBed();
        var ex = await Assert.ThrowsAsync<InvalidArgumentException>(() => bed.CreateAsync("p", FirehoseBed.S3(c => { c.Prefix = prefix; c.ErrorOutputPrefix = errorPrefix; })));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => bed.Firehose.DescribeDeliveryStreamAsync(new DescribeDeliveryStreamRequest { DeliveryStreamName = "p" }));
    }

    [Theory]
    [InlineData("raw/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/", "errors/")]
    [InlineData("raw/!{timestamp:yyyy}/", "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/")]
    [InlineData("static/", null)]
    public async Task Valid_prefixes_are_accepted_including_a_static_error_prefix_next_to_expressions(string prefix, string? errorPrefix)
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("ok", FirehoseBed.S3(c => { c.Prefix = prefix; c.ErrorOutputPrefix = errorPrefix; }));
        Assert.Equal(prefix, (await Describe(bed, "ok")).Destinations![0].ExtendedS3DestinationDescription!.Prefix);
    }

    [Fact]
    public async Task Exactly_one_destination_and_a_matching_source_are_required()
    {
        await using var bed = new FirehoseBed();
        var none = await Assert.ThrowsAsync<InvalidArgumentException>(() => bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest { DeliveryStreamName = "x" }));
        Assert.Contains("Exactly one destination configuration", none.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
        {
            DeliveryStreamName = "x",
            S3DestinationConfiguration = new S3DestinationConfiguration { RoleARN = FirehoseBed.Role, BucketARN = FirehoseBed.BucketArn },
            ExtendedS3DestinationConfiguration = FirehoseBed.S3(),
        }));
        var source = await Assert.ThrowsAsync<InvalidArgumentException>(() => bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
        {
            DeliveryStreamName = "x",
            DeliveryStreamType = DeliveryStreamType.KinesisStreamAsSource,
            ExtendedS3DestinationConfiguration = FirehoseBed.S3(),
        }));
        Assert.Contains("KinesisStreamSourceConfiguration is required", source.Message, StringComparison.Ordinal);
        await bed.CreateAsync("x", FirehoseBed.S3());
        var again = await Assert.ThrowsAsync<ResourceInUseException>(() => bed.CreateAsync("x", FirehoseBed.S3()));
        Assert.Equal("Firehose x under accountId 000000000000 already exists", again.Message);
    }

    [Fact]
    public async Task UpdateDestination_merges_increments_the_version_and_refuses_a_stale_one()
    {
        await using var bed = new FirehoseBed();
        await bed.CreateAsync("u", FirehoseBed.S3(c => { c.Prefix = "a/"; c.CompressionFormat = CompressionFormat.GZIP; }));
        bed.Clock.Advance(TimeSpan.FromMinutes(1));
        await bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
        {
            DeliveryStreamName = "u",
            CurrentDeliveryStreamVersionId = "1",
            DestinationId = "destinationId-000000000001",
            ExtendedS3DestinationUpdate = new ExtendedS3DestinationUpdate { BufferingHints = new BufferingHints { SizeInMBs = 64, IntervalInSeconds = 60 } },
        });
        DeliveryStreamDescription d = await Describe(bed, "u");
        Assert.Equal("2", d.VersionId);
        Assert.Equal(FirehoseBed.Start.UtcDateTime.AddMinutes(1), d.LastUpdateTimestamp);
        ExtendedS3DestinationDescription s3 = d.Destinations![0].ExtendedS3DestinationDescription!;
        Assert.Equal("a/", s3.Prefix);
        Assert.Equal(CompressionFormat.GZIP, s3.CompressionFormat);
        Assert.Equal(64, s3.BufferingHints!.SizeInMBs);
        var stale = await Assert.ThrowsAsync<ConcurrentModificationException>(() => bed.Firehose.UpdateDestinationAsync(new UpdateDestinationRequest
        {
            DeliveryStreamName = "u",
            CurrentDeliveryStreamVersionId = "1",
            DestinationId = "destinationId-000000000001",
            ExtendedS3DestinationUpdate = new ExtendedS3DestinationUpdate { Prefix = "b/" },
        }));
        Assert.Equal("Cannot update firehose: u since the current version id: 2 and specified version id: 1 do not match", stale.Message);
        Assert.Equal("a/", (await Describe(bed, "u")).Destinations![0].ExtendedS3DestinationDescription!.Prefix);
    }

    [Fact]
    public async Task List_pages_in_name_order_and_filters_by_type_and_tags_page_by_key()
    {
        await using var bed = new FirehoseBed();
        foreach (string name in new[] { "c", "a", "b" })
        {
            await bed.Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
            {
                DeliveryStreamName = name,
                ExtendedS3DestinationConfiguration = FirehoseBed.S3(),
                Tags = [new Tag { Key = "team", Value = name }],
            });
        }

        ListDeliveryStreamsResponse first = await bed.Firehose.ListDeliveryStreamsAsync(new ListDeliveryStreamsRequest { Limit = 2 });
        Assert.Equal(["a", "b"], first.DeliveryStreamNames!);
        Assert.True(first.HasMoreDeliveryStreams);
        ListDeliveryStreamsResponse second = await bed.Firehose.ListDeliveryStreamsAsync(new ListDeliveryStreamsRequest { Limit = 2, ExclusiveStartDeliveryStreamName = "b" });
        Assert.Equal(["c"], second.DeliveryStreamNames!);
        Assert.False(second.HasMoreDeliveryStreams);
        Assert.Empty((await bed.Firehose.ListDeliveryStreamsAsync(new ListDeliveryStreamsRequest { DeliveryStreamType = DeliveryStreamType.KinesisStreamAsSource })).DeliveryStreamNames!);

        await bed.Firehose.TagDeliveryStreamAsync(new TagDeliveryStreamRequest { DeliveryStreamName = "a", Tags = [new Tag { Key = "env", Value = "test" }, new Tag { Key = "team", Value = "x" }] });
        ListTagsForDeliveryStreamResponse tags = await bed.Firehose.ListTagsForDeliveryStreamAsync(new ListTagsForDeliveryStreamRequest { DeliveryStreamName = "a", Limit = 1 });
        Assert.Equal("env", Assert.Single(tags.Tags!).Key);
        Assert.True(tags.HasMoreTags);
        await bed.Firehose.UntagDeliveryStreamAsync(new UntagDeliveryStreamRequest { DeliveryStreamName = "a", TagKeys = ["env"] });
        Tag left = Assert.Single((await bed.Firehose.ListTagsForDeliveryStreamAsync(new ListTagsForDeliveryStreamRequest { DeliveryStreamName = "a" })).Tags!);
        Assert.Equal(("team", "x"), (left.Key, left.Value));
        var tooMany = await Assert.ThrowsAsync<LimitExceededException>(() => bed.Firehose.TagDeliveryStreamAsync(new TagDeliveryStreamRequest
        {
            DeliveryStreamName = "a",
            Tags = [.. Enumerable.Range(0, 50).Select(i => new Tag { Key = $"k{i}", Value = "v" })],
        }));
        Assert.Contains("at most 50 tags", tooMany.Message, StringComparison.Ordinal);
        Assert.Single((await bed.Firehose.ListTagsForDeliveryStreamAsync(new ListTagsForDeliveryStreamRequest { DeliveryStreamName = "a" })).Tags!);
    }

    [Fact]
    public async Task Encryption_goes_through_ENABLING_and_DISABLING_on_the_status_delay()
    {
        await using var bed = new FirehoseBed(statusDelay: TimeSpan.FromSeconds(5));
        await bed.CreateAsync("e", FirehoseBed.S3());
        bed.Clock.Advance(TimeSpan.FromSeconds(5));
        await bed.Firehose.StartDeliveryStreamEncryptionAsync(new StartDeliveryStreamEncryptionRequest { DeliveryStreamName = "e" });
        Assert.Equal(DeliveryStreamEncryptionStatus.ENABLING, (await Describe(bed, "e")).DeliveryStreamEncryptionConfiguration!.Status);
        await Assert.ThrowsAsync<ResourceInUseException>(() => bed.Firehose.StopDeliveryStreamEncryptionAsync(new StopDeliveryStreamEncryptionRequest { DeliveryStreamName = "e" }));
        bed.Clock.Advance(TimeSpan.FromSeconds(5));
        DeliveryStreamEncryptionConfiguration on = (await Describe(bed, "e")).DeliveryStreamEncryptionConfiguration!;
        Assert.Equal((DeliveryStreamEncryptionStatus.ENABLED, KeyType.AWS_OWNED_CMK), (on.Status, on.KeyType));
        PutRecordResponse put = await bed.Firehose.PutRecordAsync(new PutRecordRequest { DeliveryStreamName = "e", Record = new Record { Data = FirehoseBed.Bytes("x") } });
        Assert.True(put.Encrypted);
        await bed.Firehose.StopDeliveryStreamEncryptionAsync(new StopDeliveryStreamEncryptionRequest { DeliveryStreamName = "e" });
        Assert.Equal(DeliveryStreamEncryptionStatus.DISABLING, (await Describe(bed, "e")).DeliveryStreamEncryptionConfiguration!.Status);
        bed.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(DeliveryStreamEncryptionStatus.DISABLED, (await Describe(bed, "e")).DeliveryStreamEncryptionConfiguration!.Status);
        await Assert.ThrowsAsync<InvalidArgumentException>(() => bed.Firehose.StartDeliveryStreamEncryptionAsync(new StartDeliveryStreamEncryptionRequest
        {
            DeliveryStreamName = "e",
            DeliveryStreamEncryptionConfigurationInput = new DeliveryStreamEncryptionConfigurationInput { KeyType = KeyType.CUSTOMER_MANAGED_CMK },
        }));
    }
}
