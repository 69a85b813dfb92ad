namespace StreamCore.EventSources;

/// <summary>
/// A wake-up for async waiters: take <see cref="Next"/> before checking the condition (under the owner's lock), await it
/// when the condition does not hold; <see cref="Set"/> after changing the state wakes every waiter of that moment.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Set() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
