using Amazon.Runtime;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Aws.Kinesis;
using StreamCore.Server;

namespace StreamCore.Aws.Tests.Support;

/// <summary>A StreamCore server (KinesisEndpoint on a free loopback port) over a fresh engine, and a remote client for it.</summary>
public sealed class ServerFixture : IAsyncDisposable
{
    private ServerFixture(StreamEngine engine, KinesisEndpoint endpoint, FakeTimeProvider? clock)
    {
        Engine = engine;
        Endpoint = endpoint;
        Clock = clock;
    }

    public StreamEngine Engine { get; }

    public KinesisEndpoint Endpoint { get; }

    public FakeTimeProvider? Clock { get; }

    public static readonly BasicAWSCredentials TestCredentials = new("AKIDSTREAMCORETEST", "streamcore-test-secret");

    public static async Task<ServerFixture> StartAsync(Action<StreamEngineOptions>? configure = null, KinesisEndpointOptions? endpointOptions = null, bool fakeClock = false)
    {
        FakeTimeProvider? clock = fakeClock ? new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)) : null;
        var options = new StreamEngineOptions();
        if (clock is not null)
        {
            options.TimeProvider = clock;
        }

        configure?.Invoke(options);
        var engine = new StreamEngine(options);
        KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine, endpointOptions ?? new KinesisEndpointOptions());
        return new ServerFixture(engine, endpoint, clock);
    }

    public RemoteKinesisClient CreateClient(Action<RemoteKinesisClientOptions>? configure = null, Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
    {
        var options = new RemoteKinesisClientOptions { ServiceUrl = Endpoint.Url, Region = "us-east-1", Credentials = TestCredentials };
        configure?.Invoke(options);
        return new RemoteKinesisClient(options, wrap);
    }

    public async ValueTask DisposeAsync()
    {
        await Endpoint.DisposeAsync();
        Engine.Dispose();
    }
}

/// <summary>Counts the HTTP attempts a client makes.</summary>
public sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        return base.SendAsync(request, cancellationToken);
    }
}
