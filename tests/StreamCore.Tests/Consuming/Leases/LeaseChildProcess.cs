using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using StreamCore.Consuming;

namespace StreamCore.Tests.Consuming;

/// <summary>
/// This test assembly, started again as a child process that works on a lease folder (the file store's cross-process
/// tests): when <see cref="ModeVariable"/> is set, the module initializer runs the child's work before the test
/// platform starts, and exits.
/// </summary>
internal static class LeaseChildProcess
{
    public const string ModeVariable = "STREAMCORE_LEASE_CHILD";
    public const string DirectoryVariable = "STREAMCORE_LEASE_DIRECTORY";
    public const string Key = "shardId-000000000000";

#pragma warning disable CA2255 // A module initializer in a test executable: the way to give it a second entry point.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RunIfChild()
    {
        if (Environment.GetEnvironmentVariable(ModeVariable) is not { } mode)
        {
            return;
        }

        string directory = Environment.GetEnvironmentVariable(DirectoryVariable)!;
        int exit;
        try
        {
            exit = Run(mode, directory);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine(ex);
            exit = 3;
        }

        Console.Out.Flush();
        Environment.Exit(exit);
    }

    /// <summary>Starts a child in <paramref name="mode"/> over <paramref name="directory"/>, its standard streams redirected.</summary>
    public static Process Start(string mode, string directory)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(LeaseChildProcess).Assembly.Location);
        }

        start.Environment[ModeVariable] = mode;
        start.Environment[DirectoryVariable] = directory;
        return Process.Start(start)!;
    }

    // Synchronous throughout: this runs inside the module initializer, and another thread that ran code of this module
    // (an async continuation of a method here) would wait for the initializer to finish, which waits for it.
    private static int Run(string mode, string directory)
    {
        string[] parts = mode.Split(':');
        switch (parts[0])
        {
            case "hold-lock":
                // What a worker killed inside a write leaves behind: the folder's lock, held by a process.
                using (new FileStream(Path.Combine(directory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
                {
                    Console.WriteLine("locked");
                    Console.Out.Flush();
                    Console.ReadLine();
                }

                return 0;

            case "contend":
            case "churn":
                int writer = int.Parse(parts[1], CultureInfo.InvariantCulture);
                int wins = parts[0] == "churn" ? int.MaxValue : int.Parse(parts[2], CultureInfo.InvariantCulture);
                using (var store = new FileSystemLeaseStore(directory))
                {
                    Console.WriteLine("ready");
                    Console.Out.Flush();
                    Console.ReadLine(); // "go": every writer starts at once
                    for (int won = 0; won < wins;)
                    {
                        Lease seen = store.GetLeaseAsync(Key, CancellationToken.None).AsTask().GetAwaiter().GetResult()!;
                        string mine = ((writer + 1) * 1_000_000 + won).ToString(CultureInfo.InvariantCulture);
                        Lease? stored = store.TryUpdateLeaseAsync(seen, seen with { LeaseOwner = $"process-{writer}", Checkpoint = mine }, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                        if (stored is not null)
                        {
                            Console.WriteLine($"win {stored.LeaseCounter} {seen.Checkpoint} {mine}");
                            Console.Out.Flush();
                            won++;
                        }
                    }
                }

                return 0;

            default:
                Console.Error.WriteLine($"unknown child mode '{mode}'");
                return 2;
        }
    }
}
