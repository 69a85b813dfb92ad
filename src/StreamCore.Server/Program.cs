// The host program: no synchronization context to avoid, so awaits need no ConfigureAwait.
#pragma warning disable CA2007
using System.Runtime.InteropServices;
using StreamCore;
using StreamCore.Server;

// dotnet run --project src/StreamCore.Server -- --urls http://127.0.0.1:4567 [--account 000000000000] [--region us-east-1]
string urls = Option("--urls") ?? "http://127.0.0.1:4567";
using var engine = new StreamEngine(new StreamEngineOptions
{
    AccountId = Option("--account") ?? "000000000000",
    Region = Option("--region") ?? "us-east-1",
});
// A 12-digit access key id selects an account, as emulators do; each account gets its own engine on first use.
var accounts = new List<StreamEngine>();
await using KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine, new KinesisEndpointOptions
{
    Url = urls,
    CreateAccountEngine = account =>
    {
        var created = new StreamEngine(new StreamEngineOptions { AccountId = account, Region = engine.Region });
        lock (accounts)
        {
            accounts.Add(created);
        }

        return created;
    },
});
Console.WriteLine($"StreamCore Kinesis endpoint listening on {endpoint.Url} (account {engine.AccountId}, region {engine.Region}). Ctrl+C or SIGTERM stops it.");
// Stop on Ctrl+C and on SIGTERM (kill, container stop) alike.
using var stop = new CancellationTokenSource();
using PosixSignalRegistration onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

void Stop(PosixSignalContext context)
{
    context.Cancel = true; // shut down here, gracefully
    stop.Cancel();
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

lock (accounts)
{
    accounts.ForEach(e => e.Dispose());
}

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
