using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using StreamCore.Storage;

namespace StreamCore.Server.Hosting;

/// <summary>
/// The server's command line (System.CommandLine): every option with its default in <c>--help</c>, each value checked
/// before anything starts. Settings not on the command line are read the Microsoft.Extensions way from
/// <c>appsettings.json</c> (section <c>StreamCore</c>, e.g. <c>"StatusDelayMs": 500</c>) and environment variables
/// (<c>StreamCore__StatusDelayMs=500</c>); the command line wins. Both are turned into command-line tokens, so one
/// parser checks every source alike.
/// </summary>
internal static class ServerCommandLine
{
    private const string Section = "StreamCore";

    private static readonly Option<string> Urls = new("--urls")
    {
        Description = "Where to listen: http://ADDRESS:PORT (an IP literal or localhost); port 0 picks a free port, shown in the ready line.",
        HelpName = "URL",
        DefaultValueFactory = _ => ServerOptions.DefaultUrl,
    };

    private static readonly Option<string> Account = new("--account")
    {
        Description = "The default account (12 digits); a request signed with a 12-digit access key id is served by that account.",
        HelpName = "ID",
        DefaultValueFactory = _ => "000000000000",
    };

    private static readonly Option<string> Region = new("--region") { Description = "The region in ARNs.", HelpName = "R", DefaultValueFactory = _ => "us-east-1" };

    private static readonly Option<int> StatusDelayMs = new("--status-delay-ms")
    {
        Description = "How long CREATING, UPDATING and DELETING last (streams, consumers, delivery streams, mappings, applications).",
        HelpName = "N",
        DefaultValueFactory = _ => 0,
    };

    private static readonly Option<int> ShardLimit = new("--shard-limit") { Description = "The account's open-shard quota.", HelpName = "N", DefaultValueFactory = _ => 20_000 };

    private static readonly Option<bool> ThroughputLimits = new("--throughput-limits")
    {
        Description = "Enforce Kinesis's per-shard write/read and per-consumer limits and the control-plane call rates (off without the flag).",
    };

    private static readonly Option<string> DataDir = new("--data-dir")
    {
        Description = "Where the bucket store (S3 objects, under DATA_DIR/s3/BUCKET/KEY) and other files live; must be writable.",
        HelpName = "DIR",
        DefaultValueFactory = _ => "./streamcore-data",
    };

    private static readonly Option<string?> S3Endpoint = new("--s3-endpoint")
    {
        Description = "Write S3 objects to this S3-compatible endpoint (AWS S3, MinIO, s3rver), path-style, instead of --data-dir (credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY). [default: unset]",
        HelpName = "URL",
    };

    private static readonly Option<string[]> Function = new("--function")
    {
        Description = "Declare a function NAME invoked by POST URL (repeatable). [default: none]",
        HelpName = "NAME=URL",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<int> FunctionTimeoutMs = new("--function-timeout-ms")
    {
        Description = "How long an invocation of a declared function may take before it counts as a function error.",
        HelpName = "N",
        DefaultValueFactory = _ => 60_000,
    };

    private static readonly Option<int> RetentionSweepMs = new("--retention-sweep-interval-ms")
    {
        Description = "How often expired records are released (reads never return them whatever this is).",
        HelpName = "N",
        DefaultValueFactory = _ => 60_000,
    };

    private static readonly Option<long?> MaxRetainedBytes = new("--max-retained-bytes")
    {
        Description = "Cap on the bytes retained for records in each account (then --memory-limit-policy applies). [default: unset, bounded by retention]",
        HelpName = "BYTES",
    };

    private static readonly Option<MemoryLimitPolicy> MemoryPolicy = new("--memory-limit-policy")
    {
        Description = "At the cap: RejectWrites (ProvisionedThroughputExceededException, nothing lost) or TrimOldest.",
        DefaultValueFactory = _ => MemoryLimitPolicy.RejectWrites,
    };

    private static readonly Option<int> SubscriptionLifetimeMs = new("--subscription-lifetime-ms")
    {
        Description = "How long a SubscribeToShard subscription lasts.",
        HelpName = "N",
        DefaultValueFactory = _ => 300_000,
    };

    private static readonly Option<int> SubscriptionHeartbeatMs = new("--subscription-heartbeat-ms")
    {
        Description = "How often an idle subscription sends an empty event.",
        HelpName = "N",
        DefaultValueFactory = _ => 5_000,
    };

    private static readonly Option<string?> IteratorSigningKey = new("--iterator-signing-key")
    {
        Description = "Base64 key (16 bytes or more) that signs shard iterators, so iterators survive a restart. [default: random per start]",
        HelpName = "BASE64",
    };

    private static readonly Option<int> MaxConcurrentRequests = new("--max-concurrent-requests")
    {
        Description = "Requests served at once; beyond it a request is refused at once with the service's throttling error (HTTP 503).",
        HelpName = "N",
        DefaultValueFactory = _ => 1024,
    };

    private static readonly RootCommand Root = CreateRoot();

    private static RootCommand CreateRoot()
    {
        var root = new RootCommand("StreamCore: a local Kinesis (and Firehose, Lambda event source mappings, Kinesis Analytics v2) on one port, for the AWS CLI and SDKs. " +
            "Settings also come from appsettings.json (section StreamCore, e.g. \"StatusDelayMs\": 500) and environment variables (StreamCore__StatusDelayMs=500); the command line wins. " +
            "Prints 'StreamCore ready url=... account=... region=... data=...' when it listens; Ctrl+C or SIGTERM stops it. Exit codes: 2 bad option, 3 cannot listen.");
        Option[] options = [Urls, Account, Region, StatusDelayMs, ShardLimit, ThroughputLimits, DataDir, S3Endpoint, Function, FunctionTimeoutMs,
            RetentionSweepMs, MaxRetainedBytes, MemoryPolicy, SubscriptionLifetimeMs, SubscriptionHeartbeatMs, IteratorSigningKey, MaxConcurrentRequests];
        foreach (Option option in options)
        {
            root.Options.Add(option);
        }

        NonNegative(StatusDelayMs);
        Positive(ShardLimit);
        Positive(FunctionTimeoutMs);
        FunctionTimeoutMs.Validators.Add(r =>
        {
            if (TryValue(r, out int v) && v > 900_000)
            {
                r.AddError($"--function-timeout-ms must be at most 900000 (Lambda's 15-minute limit); got {v}.");
            }
        });
        Positive(RetentionSweepMs);
        Positive(SubscriptionLifetimeMs);
        Positive(SubscriptionHeartbeatMs);
        Positive(MaxConcurrentRequests);
        MaxRetainedBytes.Validators.Add(r =>
        {
            if (TryValue(r, out long? v) && v is <= 0)
            {
                r.AddError($"--max-retained-bytes must be a positive number of bytes; got {v}.");
            }
        });
        Urls.Validators.Add(r => Check(r, ParseUrl));
        Account.Validators.Add(r => Check(r, v => v is { Length: 12 } && v.All(char.IsAsciiDigit) ? null : $"--account must be 12 digits; got '{v}'."));
        Region.Validators.Add(r => Check(r, v => v.Length is > 0 and <= 32 && v.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            ? null : $"--region must be a region name such as us-east-1; got '{v}'."));
        S3Endpoint.Validators.Add(r => Check(r, v => v is null || (Uri.TryCreate(v, UriKind.Absolute, out Uri? u) && u.Scheme is "http" or "https")
            ? null : $"--s3-endpoint must be an absolute http or https URL; got '{v}'."));
        IteratorSigningKey.Validators.Add(r => Check(r, v => v is null || DecodeKey(v) is { Length: >= 16 } ? null : "--iterator-signing-key must be base64 of at least 16 bytes."));
        Function.Validators.Add(r =>
        {
            foreach (string declaration in r.GetValueOrDefault<string[]>() ?? [])
            {
                if (ParseFunction(declaration) is { Error: { } error })
                {
                    r.AddError(error);
                    return;
                }
            }
        });
        return root;
    }

    /// <summary>The outcome of <see cref="Parse"/>: options to run with, or help to print, or one error line.</summary>
    internal sealed record Result(ServerOptions? Options, ParseResult? Help, string? Error);

    /// <summary>Parses <paramref name="args"/> (and the configuration sources below them) and checks every value.</summary>
    public static Result Parse(string[] args, IConfiguration? configuration = null)
    {
        ParseResult first = Root.Parse(args);
        if (first.Errors.Count == 0 && first.Action is not null)
        {
            return new Result(null, first, null);
        }

        configuration ??= new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        ParseResult parsed = Root.Parse([.. ConfiguredTokens(first, configuration), .. args]);
        if (parsed.Errors.Count > 0)
        {
            return new Result(null, null, parsed.Errors[0].Message);
        }

        string dataDir = Path.GetFullPath(parsed.GetValue(DataDir)!);
        if (CheckWritable(dataDir) is { } notWritable)
        {
            return new Result(null, null, notWritable);
        }

        var functions = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (string declaration in parsed.GetValue(Function) ?? [])
        {
            (string name, Uri url, _) = ParseFunction(declaration);
            functions[name] = url;
        }

        return new Result(new ServerOptions
        {
            Url = parsed.GetValue(Urls)!,
            Account = parsed.GetValue(Account)!,
            Region = parsed.GetValue(Region)!,
            StatusDelay = TimeSpan.FromMilliseconds(parsed.GetValue(StatusDelayMs)),
            ShardLimit = parsed.GetValue(ShardLimit),
            ThroughputLimits = parsed.GetValue(ThroughputLimits),
            DataDirectory = dataDir,
            S3Endpoint = parsed.GetValue(S3Endpoint) is { } s3 ? new Uri(s3) : null,
            Functions = functions,
            FunctionTimeout = TimeSpan.FromMilliseconds(parsed.GetValue(FunctionTimeoutMs)),
            RetentionSweepInterval = TimeSpan.FromMilliseconds(parsed.GetValue(RetentionSweepMs)),
            MaxRetainedBytes = parsed.GetValue(MaxRetainedBytes),
            MemoryLimitPolicy = parsed.GetValue(MemoryPolicy),
            SubscriptionLifetime = TimeSpan.FromMilliseconds(parsed.GetValue(SubscriptionLifetimeMs)),
            SubscriptionHeartbeat = TimeSpan.FromMilliseconds(parsed.GetValue(SubscriptionHeartbeatMs)),
            IteratorSigningKey = parsed.GetValue(IteratorSigningKey) is { } key ? DecodeKey(key) : null,
            MaxConcurrentRequests = parsed.GetValue(MaxConcurrentRequests),
        }, null, null);
    }

    /// <summary>
    /// The configured settings the command line does not name, as tokens placed before it: <c>StreamCore:StatusDelayMs</c>
    /// becomes <c>--status-delay-ms VALUE</c>; <c>StreamCore:Function</c> may be an array.
    /// </summary>
    private static IEnumerable<string> ConfiguredTokens(ParseResult commandLine, IConfiguration configuration)
    {
        IConfigurationSection section = configuration.GetSection(Section);
        foreach (Option option in Root.Options)
        {
            if (option is HelpOption or VersionOption || commandLine.GetResult(option) is { Implicit: false })
            {
                continue;
            }

            IConfigurationSection setting = section.GetSection(ConfigurationKey(option.Name));
            IEnumerable<string?> values = setting.Value is { } single ? [single] : setting.GetChildren().Select(c => c.Value);
            foreach (string? value in values)
            {
                if (value is not null)
                {
                    yield return option.Name;
                    yield return value;
                }
            }
        }
    }

    /// <summary><c>--status-delay-ms</c> is configured as <c>StatusDelayMs</c>.</summary>
    internal static string ConfigurationKey(string optionName) =>
        string.Concat(optionName.TrimStart('-').Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    private static string? CheckWritable(string directory)
    {
        // Nothing is created here: the nearest existing directory must take a new file, so the first write cannot fail.
        string? existing = directory;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                return $"--data-dir {directory} is not writable: {existing} is a file, not a directory.";
            }

            existing = Path.GetDirectoryName(existing);
        }

        if (existing is null)
        {
            return $"--data-dir {directory} is not writable: no part of it exists.";
        }

        string probe = Path.Combine(existing, $".streamcore-probe-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"--data-dir {directory} is not writable: {ex.Message}";
        }
    }

    private static string? ParseUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || uri.Scheme != "http" || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            return $"--urls must be http://ADDRESS:PORT; got '{value}'.";
        }

        return uri.Host == "localhost" || System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out _)
            ? null
            : $"--urls must name an IP address or localhost; got host '{uri.Host}'.";
    }

    private static (string Name, Uri Url, string? Error) ParseFunction(string declaration)
    {
        int equals = declaration.IndexOf('=', StringComparison.Ordinal);
        string name = equals < 0 ? declaration : declaration[..equals];
        if (equals <= 0 || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return (name, null!, $"--function must be NAME=URL with NAME of 1 to 64 letters, digits, '-' or '_'; got '{declaration}'.");
        }

        return Uri.TryCreate(declaration[(equals + 1)..], UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https"
            ? (name, url, null)
            : (name, null!, $"--function {name} needs an absolute http or https URL; got '{declaration[(equals + 1)..]}'.");
    }

    private static byte[]? DecodeKey(string value)
    {
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static void NonNegative(Option<int> option) => option.Validators.Add(r =>
    {
        if (TryValue(r, out int v) && v < 0)
        {
            r.AddError($"{option.Name} must be 0 or more; got {v.ToString(CultureInfo.InvariantCulture)}.");
        }
    });

    private static void Positive(Option<int> option) => option.Validators.Add(r =>
    {
        if (TryValue(r, out int v) && v <= 0)
        {
            r.AddError($"{option.Name} must be 1 or more; got {v.ToString(CultureInfo.InvariantCulture)}.");
        }
    });

    /// <summary>A value that did not convert has its own error already; validators then stay silent.</summary>
    private static bool TryValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    private static void Check(OptionResult result, Func<string, string?> check)
    {
        if (result.GetValueOrDefault<string>() is { } value && check(value) is { } error)
        {
            result.AddError(error);
        }
    }
}
