using System.Diagnostics;

namespace StreamCore.Server.Tests;

/// <summary>
/// The AWS SDK for JavaScript v3 (<c>@aws-sdk/client-kinesis</c>), with its defaults (the HTTP/2 handler), against a
/// running endpoint: <c>tests/js/sdk-check.mjs</c> creates, writes, reads, lists and subscribes. <c>.ci/run</c> installs
/// its packages (<c>npm ci</c>); where node or the packages are missing the test is skipped, not passed.
/// </summary>
public sealed class JavaScriptSdkTests
{
    private static string? ScriptDirectory()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "js");
            if (File.Exists(Path.Combine(candidate, "sdk-check.mjs")))
            {
                return candidate;
            }
        }

        return null;
    }

    [Fact]
    public async Task The_JavaScript_SDK_works_with_its_default_HTTP2_handler_including_SubscribeToShard()
    {
        string? scripts = ScriptDirectory();
        RequiredTool.Require(scripts is not null && Directory.Exists(Path.Combine(scripts, "node_modules", "@aws-sdk", "client-kinesis")), "tests/js packages are not installed; .ci/run runs npm ci there.");
        using var engine = new StreamEngine();
        await using KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine);

        var start = new ProcessStartInfo("node") { WorkingDirectory = scripts, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("sdk-check.mjs");
        start.ArgumentList.Add(endpoint.Url.ToString().TrimEnd('/'));
        start.Environment["NODE_NO_WARNINGS"] = "1";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            RequiredTool.Require(false, "node is not installed.");
            return;
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(process.ExitCode == 0, $"{await output}\n{await error}");
            Assert.Contains("NodeHttp2Handler", await output, StringComparison.Ordinal);
        }

        Assert.Equal(["js"], engine.ListStreamNames());
    }
}
