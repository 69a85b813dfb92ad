using System.Threading.Tasks.Sources;

namespace StreamCore.Storage;

/// <summary>
/// A reusable wait handle of one reader: completes a <see cref="ValueTask{TResult}"/> when a producer appends.
/// Allocated once per reader, so waiting allocates nothing.
/// </summary>
/// <remarks>
/// Exactly one of signal, cancellation and disarm wins each wait, decided by <see cref="_armed"/>. A waiter is
/// linked into at most one log's waiter stack at a time (<see cref="_enlisted"/>); one left there by a cancelled
/// wait stays there and is simply re-armed.
/// </remarks>
internal sealed class LogWaiter : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _cancellation;

    // 1 while a wait is pending and nobody has completed it yet.
    private int _armed;

    // 1 while linked into a log's waiter stack.
    private int _enlisted;

    /// <summary>The next waiter in the log's stack; written by the enlisting reader, cleared by the waking producer.</summary>
    internal LogWaiter? Next;

    /// <summary>The log index the pending wait is for: a close tells the reader whether anything remains before the end.</summary>
    internal long Index;

    public ValueTask<bool> Arm(long index, CancellationToken cancellationToken)
    {
        _core.Reset();
        Volatile.Write(ref Index, index);
        Volatile.Write(ref _armed, 1);
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((LogWaiter)state!).Cancel(token), this);
        }

        return new ValueTask<bool>(this, _core.Version);
    }

    public bool TryEnlist() => Interlocked.CompareExchange(ref _enlisted, 1, 0) == 0;

    public void Delist() => Volatile.Write(ref _enlisted, 0);

    public bool TryDisarm()
    {
        if (Interlocked.Exchange(ref _armed, 0) != 1)
        {
            return false;
        }

        _cancellation.Dispose();
        return true;
    }

    /// <summary>Completes the pending wait, if any, with <paramref name="result"/>.</summary>
    public void Signal(bool result)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _core.SetResult(result);
        }
    }

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _core.SetException(new OperationCanceledException(token));
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        _cancellation.Dispose();
        return _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
