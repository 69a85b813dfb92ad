// The standalone server: `streamcore [options]` (or `dotnet run --project src/StreamCore.Server -- [options]`).
// No synchronization context here, so awaits need no ConfigureAwait.
#pragma warning disable CA2007
using StreamCore.Server.Hosting;

return await ServerHost.RunAsync(args, Console.Out, Console.Error);
