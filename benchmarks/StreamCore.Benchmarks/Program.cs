using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using StreamCore.Benchmarks;

// Usage:
//   dotnet run -c Release --project benchmarks/StreamCore.Benchmarks -- --smoke          one quick pass of everything (CI)
//   dotnet run -c Release --project benchmarks/StreamCore.Benchmarks -- --filter '*'     the full BenchmarkDotNet suite
//   dotnet run -c Release --project benchmarks/StreamCore.Benchmarks -- latency          put -> reader latency percentiles
//   dotnet run -c Release --project benchmarks/StreamCore.Benchmarks -- memory           retained bytes per record
//   dotnet run -c Release --project benchmarks/StreamCore.Benchmarks -- consumer-phases  the consumer's start, processing, stop; bytes a record over the client
if (args.Contains("--smoke"))
{
    Scale.Smoke = true;
    IConfig smoke = DefaultConfig.Instance
        .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
        .WithOptions(ConfigOptions.DisableLogFile);
    Summary[] summaries = BenchmarkRunner.Run(Assembly.GetExecutingAssembly(), smoke);
    bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
    LatencyHarness.Run(samples: 2_000);
    RetainedMemoryHarness.Run(records: 100_000);
    Console.WriteLine(failed ? "benchmark smoke run: FAILED" : "benchmark smoke run: ok");
    return failed ? 1 : 0;
}

if (args.Length > 0 && args[0] == "latency")
{
    LatencyHarness.Run(samples: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000);
    return 0;
}

if (args.Length > 0 && args[0] == "memory")
{
    RetainedMemoryHarness.Run(records: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000);
    return 0;
}

if (args.Length > 0 && args[0] == "consumer-phases")
{
    ConsumerPhaseHarness.Run(records: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000, runs: args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 30);
    ConsumerPhaseHarness.RunClient(records: 200_000, runs: 5);
    return 0;
}

// --inProcess runs this job in process (instead of adding a second, default job beside it that builds out of process).
Job job = Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1);
if (args.Contains("--inProcess"))
{
    job = job.WithToolchain(InProcessEmitToolchain.Instance);
    args = [.. args.Where(a => a != "--inProcess")];
}

IConfig full = DefaultConfig.Instance.AddJob(job);
BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args, full);
return 0;
