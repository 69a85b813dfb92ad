using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using StreamCore.Server.Hosting;
using StreamCore.Storage;

namespace StreamCore.Server.Tests.Hosting;

/// <summary>
/// The server's options, in process (<see cref="ServerCommandLine.Parse"/>) and through the command line of the built
/// server: every option reaches the engine, bad values end the process with one stderr line and exit code 2 before
/// anything listens, and a taken port ends it with exit code 3.
/// </summary>
public sealed class CommandLineTests
{
    private static ServerOptions Parse(params string[] args) =>
        ServerCommandLine.Parse(args, new ConfigurationBuilder().Build()).Options ?? throw new InvalidOperationException(ServerCommandLine.Parse(args, new ConfigurationBuilder().Build()).Error);

    [Fact]
    public void The_defaults_are_the_contracts()
    {
        ServerOptions o = Parse();
        Assert.Equal(("http://127.0.0.1:4567", "000000000000", "us-east-1"), (o.Url, o.Account, o.Region));
        Assert.Equal((TimeSpan.Zero, 20_000, false, (Uri?)null), (o.StatusDelay, o.ShardLimit, o.ThroughputLimits, o.S3Endpoint));
        Assert.Equal(Path.GetFullPath("streamcore-data"), o.DataDirectory);
        Assert.Equal(TimeSpan.FromMilliseconds(60_000), o.FunctionTimeout);
        Assert.Empty(o.Functions);
        StreamEngineOptions engine = o.EngineOptions("000000000000");
        var defaults = new StreamEngineOptions();
        Assert.Equal((defaults.RetentionSweepInterval, defaults.SubscriptionLifetime, defaults.SubscriptionHeartbeatInterval, defaults.MaxRetainedBytes, defaults.MemoryLimitPolicy),
            (engine.RetentionSweepInterval, engine.SubscriptionLifetime, engine.SubscriptionHeartbeatInterval, engine.MaxRetainedBytes, engine.MemoryLimitPolicy));
        Assert.Null(engine.Throughput);
        Assert.Null(engine.IteratorSigningKey);
    }

    [Fact]
    public void Every_option_reaches_the_engine_options_of_every_account()
    {
        byte[] key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        ServerOptions o = Parse("--urls", "http://127.0.0.1:0", "--account", "111122223333", "--region", "eu-west-1", "--status-delay-ms", "500", "--shard-limit", "5",
            "--throughput-limits", "--data-dir", "/tmp/sc", "--s3-endpoint", "http://127.0.0.1:4568", "--function", "f=http://127.0.0.1:9000/f", "--function", "g=http://h/g",
            "--function-timeout-ms", "1500", "--retention-sweep-interval-ms", "250", "--max-retained-bytes", "1048576", "--memory-limit-policy", "TrimOldest",
            "--subscription-lifetime-ms", "2000", "--subscription-heartbeat-ms", "100", "--iterator-signing-key", Convert.ToBase64String(key), "--max-concurrent-requests", "8");
        Assert.Equal(("http://127.0.0.1:0", "111122223333", "/tmp/sc", new Uri("http://127.0.0.1:4568"), 8), (o.Url, o.Account, o.DataDirectory, o.S3Endpoint, o.MaxConcurrentRequests));
        Assert.Equal(new Dictionary<string, Uri> { ["f"] = new("http://127.0.0.1:9000/f"), ["g"] = new("http://h/g") }, o.Functions);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), o.FunctionTimeout);

        StreamEngineOptions engine = o.EngineOptions("444455556666");
        Assert.Equal(("444455556666", "eu-west-1", TimeSpan.FromMilliseconds(500), 5), (engine.AccountId, engine.Region, engine.StatusTransitionDelay, engine.ShardLimit));
        Assert.NotNull(engine.Throughput);
        Assert.Equal((TimeSpan.FromMilliseconds(250), (long?)1048576, MemoryLimitPolicy.TrimOldest), (engine.RetentionSweepInterval, engine.MaxRetainedBytes, engine.MemoryLimitPolicy));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100)), (engine.SubscriptionLifetime, engine.SubscriptionHeartbeatInterval));
        Assert.Equal(key, engine.IteratorSigningKey);
        using var built = new StreamEngine(engine); // the engine accepts what the command line accepted
    }

    [Fact]
    public void Settings_come_from_configuration_and_the_command_line_wins()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["StreamCore:StatusDelayMs"] = "500",
            ["StreamCore:ShardLimit"] = "7",
            ["StreamCore:ThroughputLimits"] = "true",
            ["StreamCore:Function:0"] = "a=http://127.0.0.1:1/a",
            ["StreamCore:Function:1"] = "b=http://127.0.0.1:1/b",
        }).Build();
        ServerOptions o = ServerCommandLine.Parse(["--shard-limit", "9"], configuration).Options!;
        Assert.Equal((TimeSpan.FromMilliseconds(500), 9, true), (o.StatusDelay, o.ShardLimit, o.ThroughputLimits));
        Assert.Equal(["a", "b"], o.Functions.Keys.Order());

        string? error = ServerCommandLine.Parse([], new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["StreamCore:StatusDelayMs"] = "-1" }).Build()).Error;
        Assert.Equal("--status-delay-ms must be 0 or more; got -1.", error);
    }

    public static TheoryData<string[], string> BadOptions => new()
    {
        { ["--status-delay-ms", "-5"], "--status-delay-ms must be 0 or more; got -5." },
        { ["--status-delay-ms", "soon"], "Cannot parse argument 'soon' for option '--status-delay-ms'" },
        { ["--shard-limit", "0"], "--shard-limit must be 1 or more; got 0." },
        { ["--bogus"], "Unrecognized command or argument '--bogus'." },
        { ["--account", "12"], "--account must be 12 digits; got '12'." },
        { ["--region", "Mars 1"], "--region must be a region name such as us-east-1; got 'Mars 1'." },
        { ["--urls", "ftp://127.0.0.1:1"], "--urls must be http://ADDRESS:PORT; got 'ftp://127.0.0.1:1'." },
        { ["--urls", "http://example.com:4567"], "--urls must name an IP address or localhost; got host 'example.com'." },
        { ["--s3-endpoint", "not a url"], "--s3-endpoint must be an absolute http or https URL; got 'not a url'." },
        { ["--function", "nourl"], "--function must be NAME=URL" },
        { ["--function", "f=relative/path"], "--function f needs an absolute http or https URL; got 'relative/path'." },
        { ["--function-timeout-ms", "0"], "--function-timeout-ms must be 1 or more; got 0." },
        { ["--function-timeout-ms", "900001"], "--function-timeout-ms must be at most 900000 (Lambda's 15-minute limit); got 900001." },
        { ["--retention-sweep-interval-ms", "-1"], "--retention-sweep-interval-ms must be 1 or more; got -1." },
        { ["--max-retained-bytes", "0"], "--max-retained-bytes must be a positive number of bytes; got 0." },
        { ["--memory-limit-policy", "Sometimes"], "Cannot parse argument 'Sometimes' for option '--memory-limit-policy'" },
        { ["--subscription-lifetime-ms", "0"], "--subscription-lifetime-ms must be 1 or more; got 0." },
        { ["--subscription-heartbeat-ms", "0"], "--subscription-heartbeat-ms must be 1 or more; got 0." },
        { ["--iterator-signing-key", "c2hvcnQ="], "--iterator-signing-key must be base64 of at least 16 bytes." },
        { ["--max-concurrent-requests", "0"], "--max-concurrent-requests must be 1 or more; got 0." },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void A_bad_option_is_one_clear_error_in_process(string[] args, string expected)
    {
        ServerCommandLine.Result result = ServerCommandLine.Parse(args, new ConfigurationBuilder().Build());
        Assert.Null(result.Options);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_bad_option_ends_the_built_server_with_its_line_and_exit_code_2_before_anything_listens()
    {
        string file = Path.GetTempFileName();
        var cases = BadOptions.Select(row => row.Data).Append((["--data-dir", Path.Combine(file, "data")], $"is not writable: {file} is a file, not a directory."));
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, _) =>
        {
            int port = ServerProcess.FreePort();
            (int exit, string output, string error) = await ServerProcess.RunAsync(c.Item1.Contains("--urls") ? c.Item1 : [.. c.Item1, "--urls", $"http://127.0.0.1:{port}"]);
            Assert.Equal(ServerHost.BadOption, exit);
            Assert.Equal(string.Empty, output);
            string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("streamcore: ", line, StringComparison.Ordinal);
            Assert.Contains(c.Item2, line, StringComparison.Ordinal);
            Assert.False(ServerProcess.Listens(port));
        });
    }

    [Fact]
    public async Task A_port_in_use_ends_the_server_with_exit_code_3()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        (int exit, string output, string error) = await ServerProcess.RunAsync(["--urls", $"http://127.0.0.1:{port}", "--data-dir", Path.GetTempPath()]);
        Assert.Equal(ServerHost.CannotListen, exit);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith($"streamcore: cannot listen on http://127.0.0.1:{port}: ", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_option_with_its_default()
    {
        (int exit, string output, _) = await ServerProcess.RunAsync(["--help"]);
        Assert.Equal(0, exit);
        foreach (string expected in (string[])["--urls <URL>", "[default: http://127.0.0.1:4567]", "--account <ID>", "[default: 000000000000]", "--region <R>", "[default: us-east-1]",
            "--status-delay-ms <N>", "--shard-limit <N>", "[default: 20000]", "--throughput-limits", "--data-dir <DIR>", "[default: ./streamcore-data]", "--s3-endpoint <URL>",
            "--function <NAME=URL>", "--function-timeout-ms <N>", "[default: 60000]", "--retention-sweep-interval-ms", "--max-retained-bytes", "--memory-limit-policy",
            "[default: RejectWrites]", "--subscription-lifetime-ms", "[default: 300000]", "--subscription-heartbeat-ms", "[default: 5000]", "--iterator-signing-key", "--max-concurrent-requests"])
        {
            Assert.Contains(expected, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_ready_line_shows_the_real_port_account_region_and_data_directory()
    {
        string data = Directory.CreateTempSubdirectory().FullName;
        await using ServerProcess server = await ServerProcess.StartAsync(["--account", "123456789012", "--region", "eu-west-1", "--data-dir", data]);
        Assert.NotEqual(0, server.Url.Port);
        Assert.Equal($"StreamCore ready url=http://127.0.0.1:{server.Url.Port} account=123456789012 region=eu-west-1 data={data}", server.ReadyLine);
        (HttpStatusCode status, JsonElement body) = await server.KinesisAsync("CreateStream", """{"StreamName":"s","ShardCount":1}""");
        Assert.Equal(HttpStatusCode.OK, status);
        (_, body) = await server.KinesisAsync("DescribeStreamSummary", """{"StreamName":"s"}""");
        Assert.Equal("arn:aws:kinesis:eu-west-1:123456789012:stream/s", body.GetProperty("StreamDescriptionSummary").GetProperty("StreamARN").GetString());
    }

    [Fact]
    public async Task Status_delay_ms_500_shows_CREATING()
    {
        await using ServerProcess server = await ServerProcess.StartAsync(["--status-delay-ms", "500"]);
        await server.KinesisAsync("CreateStream", """{"StreamName":"s","ShardCount":1}""");
        (_, JsonElement body) = await server.KinesisAsync("DescribeStreamSummary", """{"StreamName":"s"}""");
        Assert.Equal("CREATING", body.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString());
        for (int i = 0; i < 600; i++)
        {
            (_, body) = await server.KinesisAsync("DescribeStreamSummary", """{"StreamName":"s"}""");
            if (body.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString() == "ACTIVE")
            {
                return;
            }

            await Task.Delay(50); // waits on the server's own real clock, which the test cannot fake
        }

        Assert.Fail("the stream never became ACTIVE");
    }

    [Fact]
    public async Task Throughput_limits_give_a_PutRecords_partial_failure_under_the_per_shard_limit()
    {
        await using ServerProcess server = await ServerProcess.StartAsync(["--throughput-limits"]);
        await server.KinesisAsync("CreateStream", """{"StreamName":"s","ShardCount":1}""");
        // 400 records of 5,000 bytes: 2 MB against the shard's 1 MiB per second.
        string data = Convert.ToBase64String(new byte[5000]);
        string records = string.Join(',', Enumerable.Range(0, 400).Select(i => $$"""{"PartitionKey":"k{{i}}","Data":"{{data}}"}"""));
        (HttpStatusCode status, JsonElement body) = await server.KinesisAsync("PutRecords", $$"""{"StreamName":"s","Records":[{{records}}]}""");
        Assert.Equal(HttpStatusCode.OK, status);
        int failed = body.GetProperty("FailedRecordCount").GetInt32();
        Assert.InRange(failed, 1, 399);
        Assert.Contains(body.GetProperty("Records").EnumerateArray(), r => r.TryGetProperty("ErrorCode", out JsonElement code) && code.GetString() == "ProvisionedThroughputExceededException");
    }

    [Fact]
    public async Task Shard_limit_5_refuses_a_sixth_shard_also_when_set_by_environment_variable()
    {
        await using ServerProcess server = await ServerProcess.StartAsync([], new Dictionary<string, string> { ["StreamCore__ShardLimit"] = "5" });
        Assert.Equal(HttpStatusCode.OK, (await server.KinesisAsync("CreateStream", """{"StreamName":"a","ShardCount":5}""")).Status);
        (HttpStatusCode status, JsonElement body) = await server.KinesisAsync("CreateStream", """{"StreamName":"b","ShardCount":1}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("LimitExceededException", body.GetProperty("__type").GetString());
        (_, body) = await server.KinesisAsync("DescribeLimits", "{}");
        Assert.Equal(5, body.GetProperty("ShardLimit").GetInt32());
    }
}
