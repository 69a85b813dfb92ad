using System.Runtime.InteropServices;
using StreamCore.Aws.S3;
using StreamCore.Buckets;

namespace StreamCore.Server.Hosting;

/// <summary>
/// The standalone server's life: parse and check the options (one stderr line and exit code 2 on a bad one, before
/// anything listens), listen (exit code 3 when it cannot), print the ready line, serve until SIGINT or SIGTERM.
/// </summary>
internal static class ServerHost
{
    public const int BadOption = 2;
    public const int CannotListen = 3;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ServerCommandLine.Result parsed = ServerCommandLine.Parse(args);
        if (parsed.Help is { } help)
        {
            return await help.InvokeAsync().ConfigureAwait(false);
        }

        if (parsed.Options is not { } options)
        {
            await error.WriteLineAsync($"streamcore: {parsed.Error!.ReplaceLineEndings(" ")} (streamcore --help lists the options)").ConfigureAwait(false);
            return BadOption;
        }

        var engines = new List<StreamEngine>();
        StreamEngine Create(string account)
        {
            var engine = new StreamEngine(options.EngineOptions(account));
            lock (engines)
            {
                engines.Add(engine);
            }

            return engine;
        }

        BucketStore buckets = CreateBucketStore(options);
        KinesisEndpoint endpoint;
        try
        {
            endpoint = await KinesisEndpoint.StartAsync(Create(options.Account), new KinesisEndpointOptions
            {
                Url = options.Url,
                CreateAccountEngine = Create,
                Buckets = buckets,
                SearchDomains = new Delivery.SearchDomains(Path.Combine(options.DataDirectory, "opensearch")),
                MaxConcurrentRequests = options.MaxConcurrentRequests,
                Functions = options.Functions,
                FunctionTimeout = options.FunctionTimeout,
            }).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"streamcore: cannot listen on {options.Url}: {ex.Message}").ConfigureAwait(false);
            DisposeAll(engines, buckets);
            return CannotListen;
        }

        await using (endpoint.ConfigureAwait(false))
        {
            // The contract's ready line, first on stdout, with the real port: scripts wait for it.
            await output.WriteLineAsync($"StreamCore ready url={endpoint.Url.ToString().TrimEnd('/')} account={options.Account} region={options.Region} data={options.DataDirectory}").ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);

            // Stop on Ctrl+C and on SIGTERM (kill, container stop) alike, gracefully.
            using var stop = new CancellationTokenSource();
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }

            using PosixSignalRegistration onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using PosixSignalRegistration onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        DisposeAll(engines, buckets);
        return 0;
    }

    /// <summary>The bucket store of the options: <c>--s3-endpoint</c> when given, else files under <c>DATA_DIR/s3</c>.</summary>
    internal static BucketStore CreateBucketStore(ServerOptions options) =>
        options.S3Endpoint is { } s3 ? CreateS3(s3, options.Region) : new FileSystemBucketStore(Path.Combine(options.DataDirectory, "s3"));

    // Kept apart so the AWS SDK loads only when --s3-endpoint is used.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static S3BucketStore CreateS3(Uri endpoint, string region) => S3BucketStore.ForEndpoint(endpoint, region);

    private static void DisposeAll(List<StreamEngine> engines, BucketStore buckets)
    {
        lock (engines)
        {
            engines.ForEach(e => e.Dispose());
        }

        (buckets as IDisposable)?.Dispose();
    }
}
