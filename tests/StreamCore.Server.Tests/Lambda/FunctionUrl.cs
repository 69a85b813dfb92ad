using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StreamCore.Server.Tests.Lambda;

/// <summary>One request a function URL received.</summary>
internal sealed record FunctionCall(string Method, string Path, string? ContentType, byte[] Body);

/// <summary>
/// A function's URL served by Kestrel on a loopback port, as a user's function (or the Lambda Runtime Interface
/// Emulator) would be: it records every request and answers as <see cref="Respond"/> says (default: 200, empty body).
/// </summary>
internal sealed class FunctionUrl : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<FunctionCall> _calls = Channel.CreateUnbounded<FunctionCall>();

    private FunctionUrl(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>How the function answers a call (set before the calls it should answer).</summary>
    public Func<HttpContext, FunctionCall, Task> Respond { get; set; } = static (context, _) =>
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return Task.CompletedTask;
    };

    public static async Task<FunctionUrl> StartAsync(string path = "/2015-03-31/functions/function/invocations")
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        FunctionUrl? self = null;
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var call = new FunctionCall(context.Request.Method, context.Request.Path.Value ?? "", context.Request.ContentType, buffer.ToArray());
            await self!._calls.Writer.WriteAsync(call);
            await self.Respond(context, call);
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        self = new FunctionUrl(app, new Uri(new Uri(address), path));
        return self;
    }

    /// <summary>The next call, waiting for it up to <paramref name="timeout"/>.</summary>
    public async Task<FunctionCall> NextCallAsync(TimeSpan timeout) => await _calls.Reader.ReadAsync().AsTask().WaitAsync(timeout);

    public bool TryTakeCall(out FunctionCall? call) => _calls.Reader.TryRead(out call);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
