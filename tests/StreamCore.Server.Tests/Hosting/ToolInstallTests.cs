using System.Diagnostics;
using System.Net;

namespace StreamCore.Server.Tests.Hosting;

/// <summary>
/// The server as a .NET tool, as the README says: <c>dotnet pack</c> makes the package, <c>dotnet tool install</c> from the
/// packed folder installs <c>streamcore</c> (into a temporary tool path here, not globally), which prints its help and
/// then serves and answers ListStreams.
/// </summary>
public sealed class ToolInstallTests
{
    private static string Repository()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamCore.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root was not found");
    }

    private static async Task<string> DotnetAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(8));
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)}: {await output}\n{await error}");
        return await output;
    }

    [Fact]
    public async Task The_packed_tool_installs_prints_its_help_and_serves()
    {
        string work = Directory.CreateTempSubdirectory("streamcore-tool-").FullName;
        try
        {
            string packages = Path.Combine(work, "packages");
            string tools = Path.Combine(work, "tools");
            // The Debug build the test run already made is packed as it is (no second build).
            await DotnetAsync("pack", Path.Combine(Repository(), "src", "StreamCore.Server", "StreamCore.Server.csproj"), "-c", "Debug", "--no-build", "-o", packages);
            await DotnetAsync("tool", "install", "--tool-path", tools, "--add-source", packages, "StreamCore.Server");
            string streamcore = Path.Combine(tools, "streamcore");

            (int exit, string help, _) = await ServerProcess.RunAsync(["--help"], command: streamcore);
            Assert.Equal(0, exit);
            Assert.Contains("--status-delay-ms", help, StringComparison.Ordinal);

            await using ServerProcess server = await ServerProcess.StartAsync([], command: streamcore);
            (HttpStatusCode status, System.Text.Json.JsonElement body) = await server.KinesisAsync("ListStreams", "{}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(0, body.GetProperty("StreamNames").GetArrayLength());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
