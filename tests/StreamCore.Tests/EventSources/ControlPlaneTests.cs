using System.Net;
using StreamCore.EventSources;
using StreamCore.Functions;
using StreamCore.Kinesis;

namespace StreamCore.Tests.EventSources;

/// <summary>The control plane in Lambda's shape: defaults echoed, states with the status delay, paging, and every validation rule (nothing changes on a refusal).</summary>
public class ControlPlaneTests
{
    [Fact]
    public async Task Create_echoes_Lambdas_defaults_and_moves_from_Creating_to_Enabled()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();

        CreateEventSourceMappingResponse created = await h.Client.CreateEventSourceMappingAsync(new CreateEventSourceMappingRequest
        {
            FunctionName = "process-stream",
            EventSourceArn = h.Stream.Arn,
            StartingPosition = EventSourcePosition.LATEST,
        });

        Assert.Equal(HttpStatusCode.Accepted, created.HttpStatusCode);
        Assert.True(Guid.TryParse(created.UUID, out _));
        Assert.Equal($"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{created.UUID}", created.EventSourceMappingArn);
        Assert.Equal("Creating", created.State);
        Assert.Equal("User action", created.StateTransitionReason);
        Assert.Equal("No records processed", created.LastProcessingResult);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:process-stream", created.FunctionArn);
        Assert.Equal(h.Stream.Arn, created.EventSourceArn);
        Assert.Equal("LATEST", created.StartingPosition?.Value);
        Assert.Equal(100, created.BatchSize);
        Assert.Equal(0, created.MaximumBatchingWindowInSeconds);
        Assert.Equal(1, created.ParallelizationFactor);
        Assert.Equal(-1, created.MaximumRecordAgeInSeconds);
        Assert.Equal(-1, created.MaximumRetryAttempts);
        Assert.False(created.BisectBatchOnFunctionError);
        Assert.Equal(0, created.TumblingWindowInSeconds);
        Assert.Empty(created.FunctionResponseTypes!);
        Assert.NotNull(created.DestinationConfig?.OnFailure);
        Assert.Null(created.DestinationConfig!.OnFailure!.Destination);
        Assert.Equal(h.Time.GetUtcNow().UtcDateTime, created.LastModified);

        GetEventSourceMappingResponse got = await h.Client.GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = created.UUID });
        Assert.Equal("Enabled", got.State);
        Assert.Equal(HttpStatusCode.OK, got.HttpStatusCode);
    }

    [Fact]
    public async Task Each_transitional_state_lasts_the_status_delay()
    {
        await using var h = new MappingHarness(statusDelay: TimeSpan.FromSeconds(2));
        h.RegisterRecorder();
        string uuid = (await h.Client.CreateEventSourceMappingAsync(new CreateEventSourceMappingRequest { FunctionName = "process-stream", EventSourceArn = h.Stream.Arn, StartingPosition = "TRIM_HORIZON" })).UUID!;
        async Task<string?> State() => (await h.Client.GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = uuid })).State;

        Assert.Equal("Creating", await State());
        await Assert.ThrowsAsync<ResourceInUseException>(() => h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, BatchSize = 5 }));
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Enabled", await State());

        UpdateEventSourceMappingResponse disabling = await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, Enabled = false, BatchSize = 7 });
        Assert.Equal("Disabling", disabling.State);
        Assert.Equal(7, disabling.BatchSize);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Disabled", await State());

        Assert.Equal("Enabling", (await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, Enabled = true })).State);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Updating", (await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, BatchSize = 9 })).State);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("Enabled", await State());

        DeleteEventSourceMappingResponse deleting = await h.Client.DeleteEventSourceMappingAsync(new DeleteEventSourceMappingRequest { UUID = uuid });
        Assert.Equal("Deleting", deleting.State);
        Assert.Equal(HttpStatusCode.Accepted, deleting.HttpStatusCode);
        Assert.Equal("Deleting", await State());
        h.Time.Advance(TimeSpan.FromSeconds(2));
        ResourceNotFoundException gone = await Assert.ThrowsAsync<ResourceNotFoundException>(State);
        Assert.Equal("The resource you requested does not exist.", gone.Message);
    }

    public static TheoryData<string, Action<CreateEventSourceMappingRequest>, string> ModelViolations() => new()
    {
        { "batchSize 0", r => r.BatchSize = 0, "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1" },
        { "batchSize 10001", r => r.BatchSize = 10_001, "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000" },
        { "window 301", r => r.MaximumBatchingWindowInSeconds = 301, "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300" },
        { "parallelization 11", r => r.ParallelizationFactor = 11, "1 validation error detected: Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10" },
        { "retries -2", r => r.MaximumRetryAttempts = -2, "1 validation error detected: Value '-2' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to -1" },
        { "age 604801", r => r.MaximumRecordAgeInSeconds = 604_801, "1 validation error detected: Value '604801' at 'maximumRecordAgeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 604800" },
        { "tumbling 901", r => r.TumblingWindowInSeconds = 901, "1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900" },
        { "starting position", r => r.StartingPosition = "EARLIEST", "1 validation error detected: Value 'EARLIEST' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]" },
        { "response type", r => r.FunctionResponseTypes = ["ReportItemFailures"], "1 validation error detected: Value '[ReportItemFailures]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]" },
        { "function pattern", r => r.FunctionName = "bad name", "1 validation error detected: Value 'bad name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " + FunctionNamePattern },
        { "two errors", r => { r.BatchSize = 0; r.ParallelizationFactor = 0; }, "2 validation errors detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '0' at 'parallelizationFactor' failed to satisfy constraint: Member must have value greater than or equal to 1" },
    };

    private const string FunctionNamePattern = @"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";

    [Theory]
    [MemberData(nameof(ModelViolations))]
    public async Task A_broken_model_constraint_is_a_validation_error_and_creates_nothing(string because, Action<CreateEventSourceMappingRequest> breakIt, string message)
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        var request = new CreateEventSourceMappingRequest { FunctionName = "process-stream", EventSourceArn = h.Stream.Arn, StartingPosition = EventSourcePosition.LATEST };
        breakIt(request);

        StreamCore.Functions.ValidationException error = await Assert.ThrowsAsync<StreamCore.Functions.ValidationException>(() => h.Client.CreateEventSourceMappingAsync(request));

        Assert.True(message == error.Message, because + ": " + error.Message);
        Assert.Empty((await h.Client.ListEventSourceMappingsAsync(new ListEventSourceMappingsRequest())).EventSourceMappings!);
    }

    public static TheoryData<string, Action<CreateEventSourceMappingRequest>, string> RuleViolations() => new()
    {
        { "no starting position", r => r.StartingPosition = null, "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null." },
        { "AT_TIMESTAMP without a time", r => r.StartingPosition = EventSourcePosition.AT_TIMESTAMP, "StartingPositionTimestamp must be set when StartingPosition is AT_TIMESTAMP." },
        { "a time without AT_TIMESTAMP", r => r.StartingPositionTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), "StartingPositionTimestamp is only valid with StartingPosition AT_TIMESTAMP, not LATEST." },
        { "age 59", r => r.MaximumRecordAgeInSeconds = 59, "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800; 59 is below the minimum of 60." },
        { "OnSuccess", r => r.DestinationConfig = new DestinationConfig { OnSuccess = new OnSuccess { Destination = "arn:aws:sqs:us-east-1:000000000000:ok" } }, "Unsupported DestinationConfig parameter for given event source mapping type." },
        { "SNS", r => r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:sns:us-east-1:000000000000:topic" } }, "The destination arn:aws:sns:us-east-1:000000000000:topic is not supported: an on-failure destination of a Kinesis mapping in StreamCore is an SQS queue (arn:aws:sqs:REGION:ACCOUNT:QUEUE) or an S3 bucket (arn:aws:s3:::BUCKET)." },
        { "six filters", r => r.FilterCriteria = new FilterCriteria { Filters = [.. Enumerable.Range(0, 6).Select(i => new Filter { Pattern = $"{{\"data\":{{\"n\":[{i}]}}}}" })] }, "The filter criteria has 6 filters; an event source mapping has at most 5." },
        { "no event source", r => r.EventSourceArn = null, "Unrecognized event source." },
        { "not Kinesis", r => r.EventSourceArn = "arn:aws:sqs:us-east-1:000000000000:queue", "Unsupported event source arn:aws:sqs:us-east-1:000000000000:queue: StreamCore maps Kinesis data streams (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME) and their enhanced fan-out consumers." },
        { "unknown stream", r => r.EventSourceArn = "arn:aws:kinesis:us-east-1:000000000000:stream/missing", "Stream not found: arn:aws:kinesis:us-east-1:000000000000:stream/missing" },
        { "another account's stream", r => r.EventSourceArn = "arn:aws:kinesis:us-east-1:111111111111:stream/orders", "Stream not found: arn:aws:kinesis:us-east-1:111111111111:stream/orders" },
        { "unknown consumer", r => r.EventSourceArn = "arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/nobody:1", "Consumer not found: arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/nobody:1" },
    };

    [Theory]
    [MemberData(nameof(RuleViolations))]
    public async Task A_broken_Lambda_rule_is_an_invalid_parameter_and_creates_nothing(string because, Action<CreateEventSourceMappingRequest> breakIt, string message)
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        var request = new CreateEventSourceMappingRequest { FunctionName = "process-stream", EventSourceArn = h.Stream.Arn, StartingPosition = EventSourcePosition.LATEST };
        breakIt(request);

        InvalidParameterValueException error = await Assert.ThrowsAsync<InvalidParameterValueException>(() => h.Client.CreateEventSourceMappingAsync(request));

        Assert.True(message == error.Message, because + ": " + error.Message);
        Assert.Equal(400, error.StatusCode);
        Assert.Empty((await h.Client.ListEventSourceMappingsAsync(new ListEventSourceMappingsRequest())).EventSourceMappings!);
    }

    [Fact]
    public async Task An_invalid_filter_pattern_is_refused_at_create_and_update()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        var bad = new FilterCriteria { Filters = [new Filter { Pattern = "{\"data\":[\"x\"]}" }] };

        await Assert.ThrowsAsync<InvalidParameterValueException>(() => h.Client.CreateEventSourceMappingAsync(new CreateEventSourceMappingRequest { FunctionName = "process-stream", EventSourceArn = h.Stream.Arn, StartingPosition = "LATEST", FilterCriteria = bad }));
        string uuid = await h.MapAsync();
        await Assert.ThrowsAsync<InvalidParameterValueException>(() => h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, FilterCriteria = bad }));
        Assert.Null((await h.Client.GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = uuid })).FilterCriteria);
    }

    [Fact]
    public async Task An_unknown_function_is_resource_not_found_with_its_arn()
    {
        await using var h = new MappingHarness();

        ResourceNotFoundException error = await Assert.ThrowsAsync<ResourceNotFoundException>(() => h.Client.CreateEventSourceMappingAsync(new CreateEventSourceMappingRequest { FunctionName = "process-stream", EventSourceArn = h.Stream.Arn, StartingPosition = "LATEST" }));

        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:process-stream", error.Message);
        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task A_second_mapping_of_the_same_function_and_source_conflicts_naming_the_first()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        string first = await h.MapAsync();

        ResourceConflictException error = await Assert.ThrowsAsync<ResourceConflictException>(() => h.Client.CreateEventSourceMappingAsync(new CreateEventSourceMappingRequest
        {
            FunctionName = "arn:aws:lambda:us-east-1:000000000000:function:process-stream",
            EventSourceArn = h.Stream.Arn,
            StartingPosition = "LATEST",
        }));

        Assert.Equal($"The event source arn (\" {h.Stream.Arn} \") and function (\" process-stream \") provided mapping already exists. Please update or delete the existing mapping with UUID {first}", error.Message);
        Assert.Equal(409, error.StatusCode);
        Assert.Single((await h.Client.ListEventSourceMappingsAsync(new ListEventSourceMappingsRequest())).EventSourceMappings!);
    }

    [Fact]
    public async Task Update_changes_only_the_members_given_and_validates_first()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        h.RegisterRecorder("other");
        string uuid = await h.MapAsync(r => { r.BatchSize = 50; r.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = "arn:aws:sqs:us-east-1:000000000000:dlq" } }; });

        await Assert.ThrowsAsync<StreamCore.Functions.ValidationException>(() => h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, BatchSize = 200, ParallelizationFactor = 0 }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = uuid, FunctionName = "missing" }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest { UUID = Guid.NewGuid().ToString(), BatchSize = 1 }));
        Assert.Equal(50, (await h.Client.GetEventSourceMappingAsync(new GetEventSourceMappingRequest { UUID = uuid })).BatchSize);

        UpdateEventSourceMappingResponse updated = await h.Client.UpdateEventSourceMappingAsync(new UpdateEventSourceMappingRequest
        {
            UUID = uuid,
            BatchSize = 200,
            ParallelizationFactor = 4,
            FunctionName = "other",
            FunctionResponseTypes = ["ReportBatchItemFailures"],
            BisectBatchOnFunctionError = true,
        });

        Assert.Equal(200, updated.BatchSize);
        Assert.Equal(4, updated.ParallelizationFactor);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:other", updated.FunctionArn);
        Assert.Equal(["ReportBatchItemFailures"], updated.FunctionResponseTypes);
        Assert.True(updated.BisectBatchOnFunctionError);
        Assert.Equal("arn:aws:sqs:us-east-1:000000000000:dlq", updated.DestinationConfig?.OnFailure?.Destination);
        Assert.Equal("TRIM_HORIZON", updated.StartingPosition?.Value);
    }

    [Fact]
    public async Task List_pages_by_function_and_by_event_source()
    {
        await using var h = new MappingHarness();
        DataStream other = h.Engine.CreateStream("other", 1);
        var uuids = new List<string>();
        foreach (string name in new[] { "a", "b", "c" })
        {
            h.RegisterRecorder(name);
            uuids.Add(await h.MapAsync(function: name));
        }

        string onOther = (await h.Client.CreateEventSourceMappingAsync(new CreateEventSourceMappingRequest { FunctionName = "a", EventSourceArn = other.Arn, StartingPosition = "LATEST" })).UUID!;

        ListEventSourceMappingsResponse page1 = await h.Client.ListEventSourceMappingsAsync(new ListEventSourceMappingsRequest { EventSourceArn = h.Stream.Arn, MaxItems = 2 });
        ListEventSourceMappingsResponse page2 = await h.Client.ListEventSourceMappingsAsync(new ListEventSourceMappingsRequest { EventSourceArn = h.Stream.Arn, MaxItems = 2, Marker = page1.NextMarker });
        ListEventSourceMappingsResponse byFunction = await h.Client.ListEventSourceMappingsAsync(new ListEventSourceMappingsRequest { FunctionName = "arn:aws:lambda:us-east-1:000000000000:function:a" });
        ListEventSourceMappingsResponse both = await h.Client.ListEventSourceMappingsAsync(new ListEventSourceMappingsRequest { FunctionName = "a", EventSourceArn = other.Arn });

        Assert.Equal(uuids[..2], page1.EventSourceMappings!.Select(m => m.UUID));
        Assert.NotNull(page1.NextMarker);
        Assert.Equal(uuids[2..], page2.EventSourceMappings!.Select(m => m.UUID));
        Assert.Null(page2.NextMarker);
        Assert.Equal([uuids[0], onOther], byFunction.EventSourceMappings!.Select(m => m.UUID));
        Assert.Equal([onOther], both.EventSourceMappings!.Select(m => m.UUID));
        await Assert.ThrowsAsync<StreamCore.Functions.ValidationException>(() => h.Client.ListEventSourceMappingsAsync(new ListEventSourceMappingsRequest { MaxItems = 0 }));
        await Assert.ThrowsAsync<InvalidParameterValueException>(() => h.Client.ListEventSourceMappingsAsync(new ListEventSourceMappingsRequest { Marker = "not-a-marker" }));
    }

    [Fact]
    public async Task A_consumer_arn_is_a_source_and_must_exist()
    {
        await using var h = new MappingHarness();
        h.RegisterRecorder();
        IKinesisClient kinesis = h.Engine.CreateKinesisClient();
        string consumerArn = (await kinesis.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = h.Stream.Arn, ConsumerName = "lambda" })).Consumer!.ConsumerARN!;

        CreateEventSourceMappingResponse created = await h.Client.CreateEventSourceMappingAsync(new CreateEventSourceMappingRequest { FunctionName = "process-stream", EventSourceArn = consumerArn, StartingPosition = "LATEST" });

        Assert.Equal(consumerArn, created.EventSourceArn);
    }
}
