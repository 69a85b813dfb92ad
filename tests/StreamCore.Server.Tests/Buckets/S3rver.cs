using System.Diagnostics;
using System.Text.RegularExpressions;

namespace StreamCore.Server.Tests.Buckets;

/// <summary>
/// npm's <c>s3rver</c> (a real S3-compatible server; <c>tests/js</c>'s packages, which <c>.ci/run</c> installs) on a free
/// loopback port for a test class, stopped by its process id.
/// </summary>
public sealed partial class S3rver : IAsyncLifetime
{
    private Process? _process;
    private string? _directory;

    public Uri? Url { get; private set; }

    /// <summary>Why it could not start (node or the package missing); tests skip on it, or fail under CI.</summary>
    public string? Missing { get; private set; }

    internal static string? Script()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "js", "node_modules", "s3rver", "bin", "s3rver.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public async ValueTask InitializeAsync()
    {
        if (Script() is not { } script)
        {
            Missing = "npm's s3rver is not installed in tests/js; .ci/run runs npm ci there.";
            return;
        }

        _directory = Directory.CreateTempSubdirectory("s3rver-").FullName;
        // s3rver encrypts its continuation tokens with a cipher OpenSSL 3 keeps in its legacy provider.
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["--openssl-legacy-provider", script, "-d", _directory, "-a", "127.0.0.1", "-p", "0", "--silent"])
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Missing = "node is not installed.";
            return;
        }

        for (;;)
        {
            string? line = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (line is null)
            {
                throw new InvalidOperationException($"s3rver ended: {await _process.StandardError.ReadToEndAsync()}");
            }

            if (Listening().Match(line) is { Success: true } match)
            {
                Url = new Uri($"http://127.0.0.1:{match.Groups[1].Value}");
                // Keep draining its output, or a full pipe would stall it.
                _drain = Task.WhenAll(DrainAsync(_process.StandardOutput), DrainAsync(_process.StandardError));
                return;
            }
        }
    }

    /// <summary>Skips the test where s3rver is missing, except under CI, where that is a failure.</summary>
    public void Require()
    {
        if (Missing is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(Missing);
        }

        Assert.Skip(Missing);
    }

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();
    private Task? _drain;

    /// <summary>The last lines s3rver printed, for failure messages.</summary>
    public string Log => string.Join('\n', _log.TakeLast(40));

    private async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _log.Enqueue(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        if (_drain is not null)
        {
            await _drain;
        }

        _process?.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [GeneratedRegex(@"S3rver listening on [\d.]+:(\d+)")]
    private static partial Regex Listening();
}
