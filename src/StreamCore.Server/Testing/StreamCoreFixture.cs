namespace StreamCore.Server.Testing;

/// <summary>
/// A running endpoint on a free loopback port, for tests written against any AWS SDK: point the client's service URL
/// at <see cref="ServiceUrl"/>. With xunit, one line gives a test class its own endpoint, started before its first
/// test and disposed after its last: <c>public sealed class OrderTests(StreamCoreFixture streamCore) : IClassFixture&lt;StreamCoreFixture&gt;</c>.
/// No test framework is referenced: the endpoint starts in the constructor, and <see cref="InitializeAsync"/> and
/// <see cref="DisposeAsync"/> have the shape of xunit's <c>IAsyncLifetime</c>, so a subclass may declare it.
/// </summary>
public class StreamCoreFixture : IAsyncDisposable
{
    private readonly KinesisEndpoint _endpoint;
    private int _disposed;

    /// <summary>Starts an endpoint over a new engine with the default options (account 000000000000, us-east-1).</summary>
    public StreamCoreFixture()
        : this(new StreamEngineOptions())
    {
    }

    /// <summary>Starts an endpoint over a new engine with <paramref name="options"/> (a fake clock, status delays, limits...): subclass with a parameterless constructor that passes them, as xunit wants one constructor.</summary>
    /// <param name="options">The engine's options.</param>
    protected StreamCoreFixture(StreamEngineOptions options)
    {
        Engine = new StreamEngine(options);
        try
        {
            // Synchronous on purpose: a fixture's constructor is where test frameworks expect set-up to happen.
            _endpoint = KinesisEndpoint.StartAsync(Engine).GetAwaiter().GetResult();
        }
        catch
        {
            Engine.Dispose();
            throw;
        }
    }

    /// <summary>The engine behind the endpoint, to arrange and inspect state directly (or advance its clock).</summary>
    public StreamEngine Engine { get; }

    /// <summary>The endpoint's URL, e.g. <c>http://127.0.0.1:41234</c>: an SDK's <c>ServiceURL</c> or the CLI's <c>--endpoint-url</c>.</summary>
    public string ServiceUrl => _endpoint.Url.ToString().TrimEnd('/');

    /// <summary>The running endpoint.</summary>
    public KinesisEndpoint Endpoint => _endpoint;

    /// <summary>Nothing to do: the endpoint is already running (the shape of xunit's <c>IAsyncLifetime.InitializeAsync</c>).</summary>
    /// <returns>A completed task.</returns>
    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Stops the endpoint and disposes the engine.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _endpoint.DisposeAsync().ConfigureAwait(false);
            Engine.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
