using System.Diagnostics;

namespace StreamCore.Server.Tests;

/// <summary>
/// The AWS SDK for JavaScript v3 (<c>@aws-sdk/client-kinesis</c>), with its defaults (the HTTP/2 handler), against a
/// running endpoint, in process and the built server started as a process with flags: <c>tests/js/sdk-check.mjs</c>
/// creates, writes, reads, lists and subscribes. <c>.ci/run</c> installs its packages (<c>npm ci</c>); where node or the
/// packages are missing the test is skipped on a developer's machine and fails under CI=true.
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

    [Theory]
    [InlineData(EndpointHost.InProcess)]
    [InlineData(EndpointHost.BuiltServer)]
    public async Task The_JavaScript_SDK_works_with_its_default_HTTP2_handler_including_SubscribeToShard(EndpointHost host)
    {
        string? scripts = ScriptDirectory();
        RequiredTool.Require(scripts is not null && Directory.Exists(Path.Combine(scripts, "node_modules", "@aws-sdk", "client-kinesis")), "tests/js packages are not installed; .ci/run runs npm ci there.");
        await using ServedEndpoint endpoint = await ServedEndpoint.StartAsync(host, "--account", "000000000000", "--region", "us-east-1", "--status-delay-ms", "0");

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

        Assert.Equal(["js"], await endpoint.StreamNamesAsync());
    }
}
