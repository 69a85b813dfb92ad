using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace StreamCore.Aws.Tests.Support;

/// <summary>
/// An npm server (kinesalite, dynalite: packages <c>.ci/run</c> installs) started with node on a free loopback port
/// for a test class and stopped by process id. Where it cannot start, its tests are skipped locally and FAIL under
/// CI=true.
/// </summary>
public abstract class NodeServer : IAsyncLifetime
{
    private Process? _process;

    public Uri Url { get; private set; } = null!;

    public string? Unavailable { get; private set; }

    /// <summary>The server's script, relative to the repository root.</summary>
    protected abstract string Script { get; }

    /// <summary>Where <c>.ci/run</c> installs it, for the message when it is missing.</summary>
    protected abstract string InstalledBy { get; }

    /// <summary>The script's arguments to listen on <paramref name="port"/>.</summary>
    protected abstract IEnumerable<string> Arguments(string port);

    public async ValueTask InitializeAsync()
    {
        string? root = RepositoryRoot();
        string? cli = root is null ? null : Path.Combine(root, Script);
        if (cli is null || !File.Exists(cli))
        {
            Unavailable = $"{Path.GetFileName(Path.GetDirectoryName(Script))} is not installed ({cli ?? "no repository root"}); {InstalledBy}.";
            return;
        }

        int port = FreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(cli);
        foreach (string argument in Arguments(port.ToString(CultureInfo.InvariantCulture)))
        {
            start.ArgumentList.Add(argument);
        }

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
                Unavailable = $"{Path.GetFileName(Path.GetDirectoryName(Script))} did not start listening on {port}: {ex.Message}";
                return;
            }
        }
    }

    /// <summary>Skips the test where the server is not available, except under CI=true, where that fails it.</summary>
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
        GC.SuppressFinalize(this);
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

/// <summary>kinesalite (benchmarks/wire's packages), streams created, deleted and updated at once.</summary>
public sealed class Kinesalite : NodeServer
{
    protected override string Script => Path.Combine("benchmarks", "wire", "node_modules", "kinesalite", "cli.js");

    protected override string InstalledBy => ".ci/run runs npm ci in benchmarks/wire";

    protected override IEnumerable<string> Arguments(string port) =>
        ["--port", port, "--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0", "--shardLimit", "1000"];
}

/// <summary>dynalite (tests/js-dynalite's packages), a DynamoDB-compatible server, tables created and deleted at once.</summary>
public sealed class Dynalite : NodeServer
{
    protected override string Script => Path.Combine("tests", "js-dynalite", "node_modules", "dynalite", "cli.js");

    protected override string InstalledBy => ".ci/run runs npm ci in tests/js-dynalite";

    protected override IEnumerable<string> Arguments(string port) =>
        ["--host", "127.0.0.1", "--port", port, "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"];
}
