using System.Diagnostics;

namespace StreamCore.Server.Tests;

/// <summary>Runs the AWS CLI v2 that Debian's <c>awscli</c> package installs (<c>.ci/run</c> installs it).</summary>
internal static class AwsCli
{
    private const string Path = "/usr/bin/aws";

    public static bool Installed()
    {
        if (!File.Exists(Path))
        {
            return false;
        }

        using var version = Process.Start(new ProcessStartInfo(Path, "--version") { RedirectStandardOutput = true, UseShellExecute = false })!;
        string text = version.StandardOutput.ReadToEnd();
        version.WaitForExit();
        return text.StartsWith("aws-cli/2.", StringComparison.Ordinal);
    }

    public static Task<(int ExitCode, string Out, string Err)> KinesisAsync(Uri endpoint, string accessKeyId, string secret, params string[] args) =>
        RunAsync(endpoint, "kinesis", accessKeyId, secret, args);

    /// <summary>Runs <c>aws SERVICE ARGS</c> against <paramref name="endpoint"/> with the given credentials.</summary>
    public static async Task<(int ExitCode, string Out, string Err)> RunAsync(Uri endpoint, string service, string accessKeyId, string secret, params string[] args)
    {
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["--endpoint-url", endpoint.ToString().TrimEnd('/'), "--output", "json", service, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = accessKeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_PAGER"] = string.Empty;
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await output, await error);
    }
}
