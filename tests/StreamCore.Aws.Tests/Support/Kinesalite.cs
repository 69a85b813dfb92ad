using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace StreamCore.Aws.Tests.Support;

/// <summary>
/// kinesalite (npm, installed by <c>.ci/run</c> into benchmarks/wire) started on a free loopback port for a test
/// class and stopped by process id. Where it cannot start, its tests are skipped locally and FAIL under CI=true.
/// </summary>
public sealed class Kinesalite : IAsyncLifetime
{
    private Process? _process;

    public Uri Url { get; private set; } = null!;

    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        string? root = RepositoryRoot();
        string? cli = root is null ? null : Path.Combine(root, "benchmarks", "wire", "node_modules", "kinesalite", "cli.js");
        if (cli is null || !File.Exists(cli))
        {
            Unavailable = $"kinesalite is not installed ({cli ?? "no repository root"}); .ci/run runs npm ci in benchmarks/wire.";
            return;
        }

        int port = FreePort();
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { cli, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0", "--shardLimit", "1000" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Unavailable = $"node could not be started: {ex.Message}";
            return;
        }

        Url = new Uri($"http://127.0.0.1:{port}/");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
                return;
            }
            catch (SocketException) when (!deadline.IsCancellationRequested && !_process.HasExited)
            {
                await Task.Delay(20, deadline.Token); // polling a starting process for its port: there is no other signal
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                Unavailable = $"kinesalite did not start listening on {port}: {ex.Message}";
                return;
            }
        }
    }

    /// <summary>Skips the test where kinesalite is not available, except under CI=true, where that fails it.</summary>
    public void Require()
    {
        if (Unavailable is null)
        {
            return;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(Unavailable);
        }

        Assert.Skip(Unavailable);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string? RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamCore.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
