using System.Buffers.Binary;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Server.Tests;

/// <summary>A running endpoint over a fresh engine, and an HTTP client for it: one per test.</summary>
public abstract class EndpointTest : IAsyncLifetime
{
    protected StreamEngine Engine { get; private set; } = null!;

    protected KinesisEndpoint Endpoint { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    protected virtual StreamEngineOptions EngineOptions => new();

    public async ValueTask InitializeAsync()
    {
        Engine = new StreamEngine(EngineOptions);
        Endpoint = await KinesisEndpoint.StartAsync(Engine);
        Http = new HttpClient { BaseAddress = Endpoint.Url };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Endpoint.DisposeAsync();
        Engine.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Reads one event-stream message from a SubscribeToShard response body (CRCs checked).</summary>
    internal static async Task<(Dictionary<string, string> Headers, byte[] Payload)> ReadEventMessageAsync(Stream body)
    {
        byte[] prelude = new byte[12];
        await body.ReadExactlyAsync(prelude).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        byte[] message = new byte[BinaryPrimitives.ReadInt32BigEndian(prelude)];
        prelude.CopyTo(message, 0);
        await body.ReadExactlyAsync(message.AsMemory(12)).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return EventStreamMessage.Decode(message);
    }
}
