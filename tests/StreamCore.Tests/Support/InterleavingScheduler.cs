using StreamCore.Storage;

namespace StreamCore.Tests.Support;

/// <summary>
/// A deterministic scheduler for systematic concurrency tests (in the manner of Microsoft Coyote): the logical
/// threads of a scenario run one at a time on their own OS threads, and control passes only at the storage's
/// <c>Interleaving.Point</c>s (compiled in Debug builds only), as a seeded strategy decides. A run is reproducible
/// from its strategy and seed, and its trace says which thread ran to which point.
/// </summary>
/// <remarks>
/// The points are never under a lock, so a thread paused at one holds none, and the running thread can always reach
/// its next point. Two strategies: a random walk (uniform choice at every point) and PCT (probabilistic concurrency
/// testing: random thread priorities with a few random priority-change points, which finds a bug of depth d with
/// probability at least 1/(n k^(d-1)) for n threads and k steps).
/// </remarks>
public static class InterleavingScheduler
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The result of one run: the points each step reached, and what failed (a thread or the check).</summary>
    public sealed record Run(int Seed, string Strategy, IReadOnlyList<string> Trace, Exception? Failure)
    {
        public override string ToString() =>
            $"{Strategy} seed {Seed}: {Failure?.GetType().Name}: {Failure?.Message}{Environment.NewLine}  schedule ({Trace.Count} steps): {string.Join(" -> ", Trace.Take(40))} ... {string.Join(" -> ", Trace.TakeLast(6))}";
    }

    /// <summary>A scenario: fresh state, its logical threads, and the property checked when they are all done.</summary>
    public sealed record Scenario(Action[] Threads, Action Check);

    /// <summary>Runs <paramref name="runs"/> schedules of each strategy; returns the first failing run, or null.</summary>
    public static Run? Explore(Func<Scenario> build, int runs, int firstSeed = 1, int pctDepth = 3)
    {
        for (int seed = firstSeed; seed < firstSeed + runs; seed++)
        {
            Run walk = RunOnce(build(), seed, "random-walk", RandomWalk(seed));
            if (walk.Failure is not null)
            {
                return walk;
            }

            Run pct = RunOnce(build(), seed, $"pct(d={pctDepth})", Pct(seed, pctDepth));
            if (pct.Failure is not null)
            {
                return pct;
            }
        }

        return null;
    }

    /// <summary>
    /// Chooses, at step <c>step</c>, one of the runnable threads (ids, ascending) and returns its id. <c>yielding</c>
    /// says the running thread is waiting for another (a spin point): a fair strategy lets the others run.
    /// </summary>
    public delegate int Strategy(int step, IReadOnlyList<int> runnable, int running, bool yielding);

    /// <summary>Points where a thread waits for another's progress (named "*.wait-*").</summary>
    private static bool IsYield(string point) => point.Contains(".wait-", StringComparison.Ordinal);

    public static Strategy RandomWalk(int seed)
    {
        var random = new Random(seed);
        return (_, runnable, _, _) => runnable[random.Next(runnable.Count)];
    }

    public static Strategy Pct(int seed, int depth, int expectedSteps = 64)
    {
        var random = new Random(seed);
        int[]? priority = null;
        var changes = new HashSet<int>();
        while (changes.Count < depth - 1)
        {
            changes.Add(random.Next(expectedSteps));
        }

        int lowered = -1_000_000;
        return (step, runnable, running, yielding) =>
        {
            if (priority is null)
            {
                int n = runnable.Max() + 1;
                priority = [.. Enumerable.Range(depth, n).OrderBy(_ => random.Next())];
            }

            if (yielding && running >= 0)
            {
                priority[running] = priority.Min() - 1; // a spinning thread lets every other one go first
            }
            else if (changes.Contains(step) && running >= 0)
            {
                priority[running] = lowered++; // below every initial priority
            }

            return runnable.MaxBy(t => priority[t]);
        };
    }

    public static Run RunOnce(Scenario scenario, int seed, string name, Strategy strategy)
    {
        int n = scenario.Threads.Length;
        var go = new SemaphoreSlim[n];
        var yielded = new SemaphoreSlim(0);
        var point = new string[n];
        var done = new bool[n];
        var errors = new Exception?[n];
        var trace = new List<string>();
        var threads = new Thread[n];
        for (int i = 0; i < n; i++)
        {
            int id = i;
            go[id] = new SemaphoreSlim(0);
            point[id] = "start";
            threads[id] = new Thread(() =>
            {
                go[id].Wait();
                Interleaving.SetHook(p =>
                {
                    point[id] = p;
                    yielded.Release();
                    go[id].Wait();
                });
                try
                {
                    scenario.Threads[id]();
                }
                catch (Exception e)
                {
                    errors[id] = e;
                }
                finally
                {
                    Interleaving.SetHook(null);
                    point[id] = "done";
                    Volatile.Write(ref done[id], true);
                    yielded.Release();
                }
            })
            { IsBackground = true, Name = $"logical-{id}" };
            threads[id].Start();
        }

        int running = -1;
        for (int step = 0; ; step++)
        {
            List<int> runnable = [.. Enumerable.Range(0, n).Where(t => !Volatile.Read(ref done[t]))];
            if (runnable.Count == 0)
            {
                break;
            }

            int next = strategy(step, runnable, running, running >= 0 && IsYield(point[running]));
            running = next;
            go[next].Release();
            if (!yielded.Wait(StepTimeout))
            {
                return new Run(seed, name, trace, new TimeoutException($"thread {next} did not reach a point after {point[next]}"));
            }

            trace.Add($"{next}:{point[next]}");
            if (errors[next] is { } error)
            {
                // Let the others finish before reporting, so no thread is left holding the scenario's state.
                FinishAll(go, yielded, done);
                return new Run(seed, name, trace, error);
            }
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        try
        {
            scenario.Check();
            return new Run(seed, name, trace, null);
        }
        catch (Exception e)
        {
            return new Run(seed, name, trace, e);
        }
    }

    private static void FinishAll(SemaphoreSlim[] go, SemaphoreSlim yielded, bool[] done)
    {
        for (int guard = 0; guard < 100_000; guard++)
        {
            int next = Array.FindIndex(done, d => !d);
            if (next < 0)
            {
                return;
            }

            go[next].Release();
            yielded.Wait(StepTimeout);
        }
    }
}
