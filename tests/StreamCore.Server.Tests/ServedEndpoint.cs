using System.Text.Json;
using StreamCore.Server.Tests.Hosting;

namespace StreamCore.Server.Tests;

/// <summary>How a real-client test reaches the endpoint.</summary>
public enum EndpointHost
{
    /// <summary><see cref="KinesisEndpoint.StartAsync(StreamEngine, string, CancellationToken)"/> in the test process.</summary>
    InProcess,

    /// <summary>The built server (<c>dotnet StreamCore.Server.dll</c>) started as a process with flags, its port read from the ready line, stopped by pid.</summary>
    BuiltServer,
}

/// <summary>An endpoint for a real client, in process or as the built server, with a way to read the streams it holds.</summary>
internal sealed class ServedEndpoint : IAsyncDisposable
{
    private readonly StreamEngine? _engine;
    private readonly KinesisEndpoint? _endpoint;
    private readonly ServerProcess? _process;

    private ServedEndpoint(StreamEngine engine, KinesisEndpoint endpoint)
    {
        _engine = engine;
        _endpoint = endpoint;
        Url = endpoint.Url;
    }

    private ServedEndpoint(ServerProcess process)
    {
        _process = process;
        Url = process.Url;
    }

    public Uri Url { get; }

    /// <summary>Starts the endpoint; <paramref name="flags"/> are the built server's command line (the in-process one takes the engine's defaults, which the flags the tests pass restate).</summary>
    public static async Task<ServedEndpoint> StartAsync(EndpointHost host, params string[] flags)
    {
        if (host == EndpointHost.InProcess)
        {
            var engine = new StreamEngine();
            return new ServedEndpoint(engine, await KinesisEndpoint.StartAsync(engine));
        }

        return new ServedEndpoint(await ServerProcess.StartAsync(["--urls", "http://127.0.0.1:0", .. flags]));
    }

    /// <summary>The stream names the server holds, read from the engine or with a ListStreams call.</summary>
    public async Task<string[]> StreamNamesAsync()
    {
        if (_engine is not null)
        {
            return [.. _engine.ListStreamNames()];
        }

        (_, JsonElement body) = await _process!.KinesisAsync("ListStreams", "{}");
        return [.. body.GetProperty("StreamNames").EnumerateArray().Select(n => n.GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync();
            _engine!.Dispose();
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }
}
