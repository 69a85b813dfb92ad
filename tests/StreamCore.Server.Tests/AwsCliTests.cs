using System.Text.Json;

namespace StreamCore.Server.Tests;

/// <summary>
/// The seed's <c>aws kinesis</c> commands, run verbatim (plus <c>--endpoint-url</c>) by the AWS CLI v2 that Debian's
/// <c>awscli</c> package installs, against the endpoint in process and against the built server started as a process
/// with the flags the checks need (the seed's account and region, streams ACTIVE at once). <c>.ci/run</c> installs the
/// package; where it is missing the test is skipped on a developer's machine and fails under CI=true.
/// </summary>
public sealed class AwsCliTests : IAsyncDisposable
{
    private ServedEndpoint _endpoint = null!;

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync();
        }
    }

    private Task<(int ExitCode, string Out, string Err)> RunAsync(params string[] args) => AwsCli.KinesisAsync(_endpoint.Url, "test", "test", args);

    private async Task<JsonElement> OkAsync(params string[] args)
    {
        (int exit, string output, string error) = await RunAsync(args);
        Assert.True(exit == 0, $"aws kinesis {string.Join(' ', args)} failed ({exit}): {error}");
        return output.Length == 0 ? default : JsonDocument.Parse(output).RootElement.Clone();
    }

    [Theory]
    [InlineData(EndpointHost.InProcess)]
    [InlineData(EndpointHost.BuiltServer)]
    public async Task The_seed_commands_run_verbatim_against_the_endpoint(EndpointHost host)
    {
        RequiredTool.Require(AwsCli.Installed(), "AWS CLI v2 (Debian package awscli) is not installed; .ci/run installs it.");
        _endpoint = await ServedEndpoint.StartAsync(host, "--account", "000000000000", "--region", "us-east-1", "--status-delay-ms", "0");
        const string arn = "arn:aws:kinesis:us-east-1:000000000000:stream/app-clickstream";

        await OkAsync("create-stream", "--stream-name", "app-clickstream", "--shard-count", "4");
        await OkAsync("create-stream", "--stream-name", "app-events", "--stream-mode-details", "StreamMode=ON_DEMAND");
        await OkAsync("wait", "stream-exists", "--stream-name", "app-clickstream");
        Assert.Equal(["app-clickstream", "app-events"], (await OkAsync("list-streams")).GetProperty("StreamNames").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(4, (await OkAsync("describe-stream-summary", "--stream-name", "app-clickstream")).GetProperty("StreamDescriptionSummary").GetProperty("OpenShardCount").GetInt32());

        JsonElement put = await OkAsync("put-record", "--stream-name", "app-clickstream", "--partition-key", "user-123", "--data", Convert.ToBase64String("""{"event":"click","page":"/home"}"""u8));
        string shard = put.GetProperty("ShardId").GetString()!;
        JsonElement pinned = await OkAsync("put-record", "--stream-name", "app-clickstream", "--partition-key", "user-123", "--explicit-hash-key", "170141183460469231731687303715884105727", "--data", "eA==");
        Assert.Equal("shardId-000000000001", pinned.GetProperty("ShardId").GetString());
        JsonElement batch = await OkAsync("put-records", "--stream-name", "app-clickstream", "--records", """[{"Data": "eyJldmVudCI6ImNsaWNrIn0=", "PartitionKey": "user-1"},{"Data": "eyJldmVudCI6InZpZXcifQ==", "PartitionKey": "user-2"}]""");
        Assert.Equal(0, batch.GetProperty("FailedRecordCount").GetInt32());

        string iterator = (await OkAsync("get-shard-iterator", "--stream-name", "app-clickstream", "--shard-id", shard, "--shard-iterator-type", "TRIM_HORIZON")).GetProperty("ShardIterator").GetString()!;
        JsonElement records = await OkAsync("get-records", "--shard-iterator", iterator, "--limit", "100");
        Assert.Equal(Convert.ToBase64String("""{"event":"click","page":"/home"}"""u8), records.GetProperty("Records")[0].GetProperty("Data").GetString());
        await OkAsync("get-shard-iterator", "--stream-name", "app-clickstream", "--shard-id", shard, "--shard-iterator-type", "AT_SEQUENCE_NUMBER", "--starting-sequence-number", put.GetProperty("SequenceNumber").GetString()!);
        await OkAsync("get-shard-iterator", "--stream-name", "app-clickstream", "--shard-id", "shardId-000000000000", "--shard-iterator-type", "AT_TIMESTAMP", "--timestamp", "2024-01-15T12:00:00Z");
        await OkAsync("get-shard-iterator", "--stream-name", "app-clickstream", "--shard-id", "shardId-000000000000", "--shard-iterator-type", "LATEST");

        Assert.Equal(4, (await OkAsync("list-shards", "--stream-name", "app-clickstream", "--shard-filter", "Type=AT_LATEST")).GetProperty("Shards").GetArrayLength());
        JsonElement scaled = await OkAsync("update-shard-count", "--stream-name", "app-clickstream", "--target-shard-count", "8", "--scaling-type", "UNIFORM_SCALING");
        Assert.Equal((4, 8), (scaled.GetProperty("CurrentShardCount").GetInt32(), scaled.GetProperty("TargetShardCount").GetInt32()));
        await OkAsync("start-stream-encryption", "--stream-name", "app-clickstream", "--encryption-type", "KMS", "--key-id", "alias/aws/kinesis");
        await OkAsync("update-stream-mode", "--stream-arn", arn, "--stream-mode-details", "StreamMode=ON_DEMAND");

        Assert.Equal("ACTIVE", (await OkAsync("register-stream-consumer", "--stream-arn", arn, "--consumer-name", "my-app-consumer")).GetProperty("Consumer").GetProperty("ConsumerStatus").GetString());
        Assert.Equal("ACTIVE", (await OkAsync("describe-stream-consumer", "--stream-arn", arn, "--consumer-name", "my-app-consumer")).GetProperty("ConsumerDescription").GetProperty("ConsumerStatus").GetString());
        Assert.Single((await OkAsync("list-stream-consumers", "--stream-arn", arn)).GetProperty("Consumers").EnumerateArray());
        await OkAsync("deregister-stream-consumer", "--stream-arn", arn, "--consumer-name", "my-app-consumer");

        (int exit, _, string error) = await RunAsync("describe-stream", "--stream-name", "nope");
        Assert.NotEqual(0, exit);
        Assert.Contains("ResourceNotFoundException", error, StringComparison.Ordinal);
        Assert.Contains("Stream nope under account 000000000000 not found.", error, StringComparison.Ordinal);

        await OkAsync("delete-stream", "--stream-name", "app-clickstream");
        await OkAsync("wait", "stream-not-exists", "--stream-name", "app-clickstream");
        Assert.Equal(["app-events"], await _endpoint.StreamNamesAsync());
    }
}
