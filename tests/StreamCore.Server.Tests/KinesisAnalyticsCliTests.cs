using System.Diagnostics;
using System.Text.Json;

namespace StreamCore.Server.Tests;

/// <summary>
/// The seed's <c>aws kinesisanalyticsv2 create-application</c>, run verbatim (plus <c>--endpoint-url</c>) by the AWS
/// CLI v2, then describe, list, start (which fails clearly: the standalone endpoint has no registered pipeline), stop
/// and delete; and the seed's v1 <c>aws kinesisanalytics</c> command, which the CLI itself refuses.
/// </summary>
public sealed class KinesisAnalyticsCliTests : IAsyncLifetime
{
    private StreamEngine _engine = null!;
    private KinesisEndpoint _endpoint = null!;

    public async ValueTask InitializeAsync()
    {
        _engine = new StreamEngine();
        _endpoint = await KinesisEndpoint.StartAsync(_engine);
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _engine.Dispose();
    }

    private async Task<(int ExitCode, string Out, string Err)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/aws") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["--endpoint-url", _endpoint.Url.ToString().TrimEnd('/'), "--output", "json", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = "test";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_PAGER"] = string.Empty;
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await output, await error);
    }

    private async Task<JsonElement> OkAsync(params string[] args)
    {
        (int exit, string output, string error) = await RunAsync(args);
        Assert.True(exit == 0, $"aws {string.Join(' ', args)} failed ({exit}): {error}");
        return output.Length == 0 ? default : JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public async Task The_seed_v2_command_runs_and_the_lifecycle_answers_over_the_wire()
    {
        RequiredTool.Require(AwsCli.Installed(), "AWS CLI v2 (Debian package awscli) is not installed; .ci/run installs it.");
        JsonElement created = await OkAsync(
            "kinesisanalyticsv2", "create-application",
            "--application-name", "flink-processor",
            "--runtime-environment", "FLINK-1_15",
            "--service-execution-role", "arn:aws:iam::123456789012:role/KinesisAnalyticsRole",
            "--application-configuration", """
            {
                "FlinkApplicationConfiguration": {
                    "ParallelismConfiguration": {
                        "ConfigurationType": "CUSTOM",
                        "Parallelism": 4,
                        "ParallelismPerKPU": 1,
                        "AutoScalingEnabled": true
                    }
                },
                "ApplicationCodeConfiguration": {
                    "CodeContent": {
                        "S3ContentLocation": {
                            "BucketARN": "arn:aws:s3:::my-apps-bucket",
                            "FileKey": "flink-app.jar"
                        }
                    },
                    "CodeContentType": "ZIPFILE"
                }
            }
            """);
        JsonElement detail = created.GetProperty("ApplicationDetail");
        Assert.Equal("READY", detail.GetProperty("ApplicationStatus").GetString());
        Assert.Equal(1, detail.GetProperty("ApplicationVersionId").GetInt64());
        Assert.Equal(4, detail.GetProperty("ApplicationConfigurationDescription").GetProperty("FlinkApplicationConfigurationDescription").GetProperty("ParallelismConfigurationDescription").GetProperty("Parallelism").GetInt32());

        JsonElement described = (await OkAsync("kinesisanalyticsv2", "describe-application", "--application-name", "flink-processor")).GetProperty("ApplicationDetail");
        Assert.Equal("arn:aws:kinesisanalytics:us-east-1:000000000000:application/flink-processor", described.GetProperty("ApplicationARN").GetString());
        JsonElement listed = await OkAsync("kinesisanalyticsv2", "list-applications");
        Assert.Equal("flink-processor", Assert.Single(listed.GetProperty("ApplicationSummaries").EnumerateArray()).GetProperty("ApplicationName").GetString());

        (int exit, _, string error) = await RunAsync("kinesisanalyticsv2", "start-application", "--application-name", "flink-processor");
        Assert.NotEqual(0, exit);
        Assert.Contains("InvalidApplicationConfigurationException", error, StringComparison.Ordinal);
        Assert.Contains("RegisterCode(\"flink-processor\"", error, StringComparison.Ordinal);
        (exit, _, error) = await RunAsync("kinesisanalyticsv2", "stop-application", "--application-name", "flink-processor");
        Assert.NotEqual(0, exit);
        Assert.Contains("ResourceInUseException", error, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync("kinesisanalyticsv2", "create-application", "--application-name", "bad name", "--runtime-environment", "FLINK-1_15", "--service-execution-role", "arn:aws:iam::123456789012:role/R");
        Assert.NotEqual(0, exit);
        Assert.Contains("InvalidArgumentException", error, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync("kinesisanalyticsv2", "delete-application", "--application-name", "flink-processor", "--create-timestamp", "2001-01-01T00:00:00Z");
        Assert.NotEqual(0, exit);
        Assert.Contains("does not match the creation time", error, StringComparison.Ordinal);
        await OkAsync("kinesisanalyticsv2", "delete-application", "--application-name", "flink-processor", "--create-timestamp", described.GetProperty("CreateTimestamp").ToString());
        Assert.Empty((await OkAsync("kinesisanalyticsv2", "list-applications")).GetProperty("ApplicationSummaries").EnumerateArray());
    }

    [Fact]
    public async Task The_seed_v1_command_is_refused_by_the_CLI_itself_and_the_v2_equivalent_runs()
    {
        RequiredTool.Require(AwsCli.Installed(), "AWS CLI v2 (Debian package awscli) is not installed; .ci/run installs it.");
        (int exit, _, string error) = await RunAsync(
            "kinesisanalytics", "create-application", "--application-name", "real-time-analytics", "--application-description", "Real-time stream processing",
            "--runtime-environment", "SQL-1_0", "--service-execution-role", "arn:aws:iam::123456789012:role/KinesisAnalyticsRole");
        Assert.NotEqual(0, exit);
        Assert.Contains("Unknown options: --runtime-environment", error, StringComparison.Ordinal);

        JsonElement v2 = await OkAsync(
            "kinesisanalyticsv2", "create-application", "--application-name", "real-time-analytics", "--application-description", "Real-time stream processing",
            "--runtime-environment", "SQL-1_0", "--service-execution-role", "arn:aws:iam::123456789012:role/KinesisAnalyticsRole");
        Assert.Equal("SQL-1_0", v2.GetProperty("ApplicationDetail").GetProperty("RuntimeEnvironment").GetString());
    }
}
