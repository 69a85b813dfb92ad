using System.Diagnostics;

namespace StreamCore.Storage;

/// <summary>
/// Debug-build checks of the storage's invariants, asserted at the entries of the log, the reclaimer and the budget
/// (as System.Threading.Channels' <c>AssertInvariants</c> does). Calls compile to nothing in Release. A violation
/// throws rather than failing fast, so the test that caused it reports it.
/// </summary>
internal static class StorageInvariant
{
    [Conditional("DEBUG")]
    public static void Assert(bool condition, string invariant)
    {
        if (!condition)
        {
            throw new InvalidOperationException("StreamCore storage invariant violated: " + invariant + ".");
        }
    }
}

/// <summary>
/// Scheduling points for deterministic concurrency tests: a test scheduler installs a hook on its own threads and
/// decides at each point which logical thread runs next. Calls compile to nothing in Release; in Debug a thread
/// without a hook pays one thread-static read.
/// </summary>
internal static class Interleaving
{
    [ThreadStatic]
    private static Action<string>? t_hook;

    /// <summary>Marks a point where another thread may run before this one continues. Never called under a lock, but for "log.closing" (inside the close; for same-thread hooks, not the scheduler).</summary>
    [Conditional("DEBUG")]
    public static void Point(string name) => t_hook?.Invoke(name);

    /// <summary>Installs (or with null removes) the calling thread's hook.</summary>
    internal static void SetHook(Action<string>? hook) => t_hook = hook;
}
