using System.Collections.Concurrent;
using StreamCore.Functions;

namespace StreamCore.Server.Services.Lambda;

/// <summary>
/// The functions declared to the endpoint (<c>--function NAME=URL</c>, <see cref="KinesisEndpointOptions.Functions"/>):
/// registered in the function registry of every account the endpoint serves, as each account's engine is first seen,
/// so a declared function exists in every account with that account's ARN. One HTTP client serves them all.
/// </summary>
internal sealed class HttpFunctions : IDisposable
{
    private readonly IReadOnlyDictionary<string, Uri> _declared;
    private readonly TimeSpan _timeout;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<StreamEngine, bool> _registered = new();

    public HttpFunctions(IReadOnlyDictionary<string, Uri> declared, TimeSpan timeout)
    {
        _declared = declared;
        _timeout = timeout;

        // The registry's timeout bounds each invocation; the client itself never gives up first.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Checks the declared functions before anything listens: names Lambda accepts, absolute http(s) URLs, a timeout Lambda allows.</summary>
    public static void Validate(KinesisEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Functions);
        if (options.FunctionTimeout <= TimeSpan.Zero || options.FunctionTimeout > FunctionRegistry.MaxFunctionTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FunctionTimeout, $"FunctionTimeout must be greater than zero and at most {FunctionRegistry.MaxFunctionTimeout}.");
        }

        foreach ((string name, Uri url) in options.Functions)
        {
            if (!FunctionName.IsRegistrableName(name))
            {
                throw new ArgumentException($"The function name '{name}' must be 1 to {FunctionName.MaxNameLength} letters, digits, hyphens or underscores.", nameof(options));
            }

            if (url is null || !url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"The function {name} needs an absolute http or https URL; got '{url}'.", nameof(options));
            }
        }
    }

    /// <summary>Registers the declared functions in <paramref name="account"/>'s registry, once.</summary>
    public void RegisterIn(StreamEngine account)
    {
        if (_declared.Count == 0 || _registered.ContainsKey(account))
        {
            return;
        }

        lock (_registered)
        {
            if (_registered.ContainsKey(account))
            {
                return;
            }

            FunctionRegistry registry = account.GetFunctionRegistry();
            foreach ((string name, Uri url) in _declared)
            {
                if (!registry.TryGetFunction(name, out _))
                {
                    registry.Register(name, new HttpFunction(url, _http), _timeout);
                }
            }

            _registered[account] = true;
        }
    }

    public void Dispose() => _http.Dispose();
}
