using System.Collections.Concurrent;
using System.Diagnostics;

namespace StreamCore.Samples.Consumer;

/// <summary>
/// A worker running as a process of its own (this program, started with <c>worker</c> arguments): its report lines as
/// they arrive, a graceful stop through standard input, and <see cref="Kill"/> for a crash.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _errors = new();
    private static TaskCompletionSource s_reported = NewPulse();
    private int _count;

    private WorkerProcess(WorkerSettings settings, Process process)
    {
        Settings = settings;
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _outputClosed.TrySetResult();
            }
            else
            {
                _lines.Enqueue(e.Data);
                Interlocked.Increment(ref _count);
            }

            Interlocked.Exchange(ref s_reported, NewPulse()).TrySetResult(); // wakes every waiter to look again
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _errors.Enqueue(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The worker's settings.</summary>
    public WorkerSettings Settings { get; }

    /// <summary>The worker's id.</summary>
    public string WorkerId => Settings.WorkerId;

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Every report line so far, in order.</summary>
    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>How many report lines arrived so far.</summary>
    public int LineCount => Volatile.Read(ref _count);

    /// <summary>What the worker wrote to standard error (its logs and failures).</summary>
    public string Errors => string.Join(Environment.NewLine, _errors);

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts a worker process: this program again, with <paramref name="settings"/> on its command line.</summary>
    /// <param name="settings">The worker's settings.</param>
    /// <param name="program">This program's assembly (the file <c>dotnet</c> runs); default: the entry assembly.</param>
    /// <returns>The running worker.</returns>
    public static WorkerProcess Start(WorkerSettings settings, string? program = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        program ??= typeof(WorkerProcess).Assembly.Location;
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(program);
        foreach (string argument in settings.ToArguments())
        {
            start.ArgumentList.Add(argument);
        }

        return new WorkerProcess(settings, Process.Start(start) ?? throw new InvalidOperationException("could not start " + host));
    }

    /// <summary>Waits until a report line matches <paramref name="condition"/>.</summary>
    /// <param name="condition">What to wait for.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <returns>A task that completes once a line matches.</returns>
    /// <exception cref="TimeoutException">No line matched in time, or the worker ended first.</exception>
    public Task WaitForLineAsync(Func<string, bool> condition, TimeSpan timeout) =>
        WaitUntilAsync(() => _lines.Any(condition), timeout, "a matching line from worker " + WorkerId);

    private static TaskCompletionSource NewPulse() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Waits until <paramref name="condition"/> (over the workers' report lines) holds, looking again whenever a worker reports.</summary>
    /// <param name="condition">What to wait for.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="what">What is awaited, for the timeout's message.</param>
    /// <returns>A task that completes once the condition holds.</returns>
    /// <exception cref="TimeoutException">The condition did not hold in time.</exception>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Task reported = Volatile.Read(ref s_reported).Task;
            if (condition())
            {
                return;
            }

            TimeSpan left = timeout - clock.Elapsed;
            try
            {
                await reported.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                if (condition())
                {
                    return;
                }

                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            }
        }
    }

    /// <summary>Stops the worker gracefully (it checkpoints and releases its leases) and waits for it to exit.</summary>
    /// <param name="timeout">How long to wait at most.</param>
    /// <returns>The exit code.</returns>
    /// <exception cref="TimeoutException">The worker did not exit in time (it is killed then).</exception>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("stop");
            await _process.StandardInput.FlushAsync();
        }
        catch (IOException)
        {
            // Already gone.
        }

        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await _outputClosed.Task.WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"Worker {WorkerId} did not stop within {timeout.TotalSeconds:0.#} s.");
        }

        return _process.ExitCode;
    }

    /// <summary>Kills the worker at once (a crash: no checkpoint, no release; its leases expire) and waits for its last lines.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit(); // with redirected output: also waits until its last lines were read
    }

    /// <summary>Kills the process if it still runs.</summary>
    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started or already disposed.
        }

        _process.Dispose();
    }
}
