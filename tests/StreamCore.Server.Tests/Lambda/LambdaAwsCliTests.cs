using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StreamCore.Server.Tests.Lambda;

/// <summary>
/// The seed's <c>aws lambda</c> commands, run verbatim (plus <c>--endpoint-url</c>) by the AWS CLI v2 against a running
/// endpoint whose functions are declared as <c>--function NAME=URL</c> would declare them, in the seed's account
/// 123456789012 (selected by that access key id, as with the Kinesis commands).
/// </summary>
public sealed class LambdaAwsCliTests : IAsyncLifetime
{
    private const string Account = "123456789012";
    private const string Clickstream = "arn:aws:kinesis:us-east-1:123456789012:stream/app-clickstream";
    private const string Events = "arn:aws:kinesis:us-east-1:123456789012:stream/app-events";
    private readonly List<StreamEngine> _engines = [];
    private FunctionUrl _function = null!;
    private KinesisEndpoint _endpoint = null!;

    public async ValueTask InitializeAsync()
    {
        _function = await FunctionUrl.StartAsync();
        var engine = new StreamEngine();
        _engines.Add(engine);
        _endpoint = await KinesisEndpoint.StartAsync(engine, new KinesisEndpointOptions
        {
            Functions = new Dictionary<string, Uri> { ["process-stream"] = _function.Url, ["aggregate-stream"] = _function.Url, ["process-orders"] = _function.Url },
            CreateAccountEngine = account =>
            {
                var created = new StreamEngine(new StreamEngineOptions { AccountId = account });
                lock (_engines)
                {
                    _engines.Add(created);
                }

                return created;
            },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _engines.ForEach(e => e.Dispose());
        await _function.DisposeAsync();
    }

    private Task<(int ExitCode, string Out, string Err)> RunAsync(string service, params string[] args) => AwsCli.RunAsync(_endpoint.Url, service, Account, "secret", args);

    private async Task<JsonElement> OkAsync(string service, params string[] args)
    {
        (int exit, string output, string error) = await RunAsync(service, args);
        Assert.True(exit == 0, $"aws {service} {string.Join(' ', args)} failed ({exit}): {error}");
        return output.Length == 0 ? default : JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public async Task The_seed_commands_run_verbatim_against_the_endpoint()
    {
        RequiredTool.Require(AwsCli.Installed(), "AWS CLI v2 (Debian package awscli) is not installed; .ci/run installs it.");
        await OkAsync("kinesis", "create-stream", "--stream-name", "app-clickstream", "--shard-count", "2");
        await OkAsync("kinesis", "create-stream", "--stream-name", "app-events", "--shard-count", "1");
        await OkAsync("kinesis", "wait", "stream-exists", "--stream-name", "app-clickstream");
        await OkAsync("kinesis", "wait", "stream-exists", "--stream-name", "app-events");

        // Kinesis to Lambda: every parameter of the first seed command echoed back.
        JsonElement first = await OkAsync(
            "lambda", "create-event-source-mapping",
            "--function-name", "process-stream",
            "--event-source-arn", Clickstream,
            "--starting-position", "LATEST",
            "--batch-size", "100",
            "--maximum-batching-window-in-seconds", "5",
            "--parallelization-factor", "2",
            "--maximum-retry-attempts", "3",
            "--bisect-batch-on-function-error",
            "--destination-config", """
            {
                "OnFailure": {
                    "Destination": "arn:aws:sqs:us-east-1:123456789012:dlq"
                }
            }
            """);
        string uuid = first.GetProperty("UUID").GetString()!;
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:process-stream", first.GetProperty("FunctionArn").GetString());
        Assert.Equal(Clickstream, first.GetProperty("EventSourceArn").GetString());
        Assert.Equal("LATEST", first.GetProperty("StartingPosition").GetString());
        Assert.Equal(100, first.GetProperty("BatchSize").GetInt32());
        Assert.Equal(5, first.GetProperty("MaximumBatchingWindowInSeconds").GetInt32());
        Assert.Equal(2, first.GetProperty("ParallelizationFactor").GetInt32());
        Assert.Equal(3, first.GetProperty("MaximumRetryAttempts").GetInt32());
        Assert.True(first.GetProperty("BisectBatchOnFunctionError").GetBoolean());
        Assert.Equal("arn:aws:sqs:us-east-1:123456789012:dlq", first.GetProperty("DestinationConfig").GetProperty("OnFailure").GetProperty("Destination").GetString());
        Assert.Equal(-1, first.GetProperty("MaximumRecordAgeInSeconds").GetInt32());

        // (EventSourceMappingArn is newer than this CLI's model, which drops it from its output; the wire tests check it.)
        // The CLI prints the epoch-seconds timestamp as an ISO date.
        Assert.True(DateTimeOffset.Parse(first.GetProperty("LastModified").GetString()!, System.Globalization.CultureInfo.InvariantCulture).Year >= 2024);

        // With tumbling window: accepted and echoed back.
        JsonElement windowed = await OkAsync(
            "lambda", "create-event-source-mapping",
            "--function-name", "aggregate-stream",
            "--event-source-arn", Clickstream,
            "--starting-position", "LATEST",
            "--batch-size", "1000",
            "--tumbling-window-in-seconds", "60");
        Assert.Equal(60, windowed.GetProperty("TumblingWindowInSeconds").GetInt32());
        Assert.Equal(1000, windowed.GetProperty("BatchSize").GetInt32());
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:aggregate-stream", windowed.GetProperty("FunctionArn").GetString());

        // ... and it runs: a record put through the CLI reaches the function URL as Lambda's window event (put again
        // until one arrives: the mapping reads from LATEST, fixed once its poller opens the shards).
        _function.Respond = static async (context, call) =>
        {
            context.Response.StatusCode = 200;
            await context.Response.WriteAsync(System.Text.Encoding.UTF8.GetString(call.Body).Contains("\"isFinalInvokeForWindow\"", StringComparison.Ordinal) ? """{"state":{"clicks":1}}""" : "");
        };
        JsonElement? windowEvent = null;
        for (int attempt = 0; attempt < 10 && windowEvent is null; attempt++)
        {
            await OkAsync("kinesis", "put-record", "--stream-name", "app-clickstream", "--partition-key", "user-123", "--data", Convert.ToBase64String("""{"event":"click"}"""u8));
            DateTime until = DateTime.UtcNow.AddSeconds(3);
            while (windowEvent is null && DateTime.UtcNow < until)
            {
                try
                {
                    FunctionCall call = await _function.NextCallAsync(until - DateTime.UtcNow);
                    JsonElement body = JsonDocument.Parse(call.Body).RootElement.Clone();
                    windowEvent = body.TryGetProperty("isFinalInvokeForWindow", out _) ? body : null;
                }
                catch (TimeoutException)
                {
                }
            }
        }

        Assert.True(windowEvent is not null, "no window event reached the function URL");
        Assert.Equal(JsonValueKind.Object, windowEvent.Value.GetProperty("state").ValueKind);
        Assert.Equal(60_000, (DateTimeOffset.Parse(windowEvent.Value.GetProperty("window").GetProperty("end").GetString()!, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.Parse(windowEvent.Value.GetProperty("window").GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).TotalMilliseconds);
        Assert.Equal("aws:kinesis", windowEvent.Value.GetProperty("Records")[0].GetProperty("eventSource").GetString());

        // With event filtering: the pattern travels as a JSON string and comes back as given.
        JsonElement filtered = await OkAsync(
            "lambda", "create-event-source-mapping",
            "--function-name", "process-orders",
            "--event-source-arn", Events,
            "--starting-position", "LATEST",
            "--filter-criteria", """
            {
                "Filters": [{
                    "Pattern": "{\"data\": {\"eventType\": [\"ORDER_PLACED\"]}}"
                }]
            }
            """);
        Assert.Equal("{\"data\": {\"eventType\": [\"ORDER_PLACED\"]}}", filtered.GetProperty("FilterCriteria").GetProperty("Filters")[0].GetProperty("Pattern").GetString());
        Assert.Equal(Events, filtered.GetProperty("EventSourceArn").GetString());

        // List mappings.
        JsonElement listed = await OkAsync("lambda", "list-event-source-mappings", "--function-name", "process-stream");
        Assert.Equal(uuid, Assert.Single(listed.GetProperty("EventSourceMappings").EnumerateArray()).GetProperty("UUID").GetString());
        Assert.Equal(2, (await OkAsync("lambda", "list-event-source-mappings", "--event-source-arn", Clickstream)).GetProperty("EventSourceMappings").GetArrayLength());
        Assert.Equal(3, (await OkAsync("lambda", "list-event-source-mappings")).GetProperty("EventSourceMappings").GetArrayLength());

        // Update mapping, then disable it.
        JsonElement updated = await OkAsync("lambda", "update-event-source-mapping", "--uuid", uuid, "--batch-size", "200", "--parallelization-factor", "4");
        Assert.Equal(200, updated.GetProperty("BatchSize").GetInt32());
        Assert.Equal(4, updated.GetProperty("ParallelizationFactor").GetInt32());
        JsonElement disabled = await OkAsync("lambda", "update-event-source-mapping", "--uuid", uuid, "--no-enabled");
        Assert.Contains(disabled.GetProperty("State").GetString(), new[] { "Disabling", "Disabled" });
        JsonElement got = await OkAsync("lambda", "get-event-source-mapping", "--uuid", uuid);
        Assert.Equal(200, got.GetProperty("BatchSize").GetInt32());

        // The seed's placeholder UUID names no mapping: Lambda's 404.
        (int exit, _, string error) = await RunAsync("lambda", "update-event-source-mapping", "--uuid", "abc-123-uuid", "--batch-size", "200", "--parallelization-factor", "4");
        Assert.NotEqual(0, exit);
        Assert.Contains("ResourceNotFoundException", error, StringComparison.Ordinal);

        // A function that is not declared.
        (exit, _, error) = await RunAsync("lambda", "create-event-source-mapping", "--function-name", "nope", "--event-source-arn", Events, "--starting-position", "LATEST");
        Assert.NotEqual(0, exit);
        Assert.Contains("ResourceNotFoundException", error, StringComparison.Ordinal);
        Assert.Contains("Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope", error, StringComparison.Ordinal);

        // A parameter beyond its range (the CLI checks only minimums; the server checks the rest).
        (exit, _, error) = await RunAsync("lambda", "create-event-source-mapping", "--function-name", "process-orders", "--event-source-arn", Events, "--starting-position", "LATEST", "--batch-size", "20000");
        Assert.NotEqual(0, exit);
        Assert.Contains("BatchSize", error, StringComparison.OrdinalIgnoreCase);

        JsonElement function = await OkAsync("lambda", "get-function", "--function-name", "process-stream");
        Assert.Equal("arn:aws:lambda:us-east-1:123456789012:function:process-stream", function.GetProperty("Configuration").GetProperty("FunctionArn").GetString());

        JsonElement deleted = await OkAsync("lambda", "delete-event-source-mapping", "--uuid", uuid);
        Assert.Equal("Deleting", deleted.GetProperty("State").GetString());
    }
}
