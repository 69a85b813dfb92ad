using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace StreamCore.Server.Tests.Hosting;

/// <summary>The built standalone server (<c>StreamCore.Server.dll</c>) run as a process, as users run it; stopped by its process id.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri url, string readyLine)
    {
        _process = process;
        Url = url;
        ReadyLine = readyLine;
        Http = new HttpClient { BaseAddress = url };
    }

    public Uri Url { get; }

    public string ReadyLine { get; }

    public HttpClient Http { get; }

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "StreamCore.Server.dll");

    /// <summary>Starts the server with <paramref name="args"/> (on a free port unless they name one) and waits for its ready line.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? command = null)
    {
        List<string> all = [.. args];
        if (!all.Contains("--urls"))
        {
            all.AddRange(["--urls", "http://127.0.0.1:0"]);
        }

        if (!all.Contains("--data-dir"))
        {
            all.AddRange(["--data-dir", Directory.CreateTempSubdirectory("streamcore-data-").FullName]);
        }

        Process process = Process.Start(StartInfo(all, environment, command))!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null || !line.StartsWith("StreamCore ready url=", StringComparison.Ordinal))
        {
            process.Kill();
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"no ready line: '{line}', stderr: {await errors}");
        }

        string url = line["StreamCore ready url=".Length..].Split(' ')[0];
        return new ServerProcess(process, new Uri(url), line);
    }

    /// <summary>Runs the server to its end (bad options end it at once).</summary>
    public static async Task<(int ExitCode, string Out, string Err)> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? command = null)
    {
        using Process process = Process.Start(StartInfo([.. args], environment, command))!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw;
        }

        return (process.ExitCode, await output, await error);
    }

    private static ProcessStartInfo StartInfo(List<string> args, IDictionary<string, string>? environment, string? command)
    {
        var start = new ProcessStartInfo(command ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (command is null)
        {
            start.ArgumentList.Add(ServerDll);
        }

        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>A free loopback port (bound and released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether anything accepts connections on the loopback <paramref name="port"/>.</summary>
    public static bool Listens(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> KinesisAsync(string operation, string json) => CallAsync(Http, "Kinesis_20131202." + operation, json);

    /// <summary>One JSON 1.1 call.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(HttpClient http, string target, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", target);
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
