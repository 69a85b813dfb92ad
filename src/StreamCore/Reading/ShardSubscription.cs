using System.Runtime.CompilerServices;
using StreamCore.Engine;

namespace StreamCore.Reading;

/// <summary>What a push subscription delivers: records (possibly none), where to resume, and at a shard's end its children.</summary>
internal readonly record struct SubscriptionEvent(RecordBatch Records, SequenceNumber Continuation, long MillisBehindLatest, ShardState[]? Children);

/// <summary>
/// Push delivery of one shard to one consumer (enhanced fan-out): records are delivered as they are appended, with no
/// polling interval; an idle subscription sends empty events on a heartbeat; the subscription completes after its
/// lifetime, or with the shard's children at the end of a closed shard. Each subscription has its own cursor, so a slow
/// consumer slows no one else.
/// </summary>
internal static class ShardSubscription
{
    public static async IAsyncEnumerable<SubscriptionEvent> RunAsync(
        StreamEngine engine, StreamState stream, ShardState shard, SubscriptionState subscription, long startIndex, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new ShardReader(engine, stream, shard, startIndex, 10_000);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, subscription.Ended);
        TimeSpan lifetime = engine.Options.SubscriptionLifetime;
        TimeSpan heartbeat = engine.Options.SubscriptionHeartbeatInterval;
        long deadline = subscription.StartedAtMs + (long)lifetime.TotalMilliseconds;
        long next = startIndex;
        SequenceNumber continuation = reader.SequenceNumberBefore(startIndex);
        Engine.Throughput.TokenBucket? pace = engine.Throughput?.NewSubscriptionBucket(engine.NowMs);
        Task<bool>? pendingWait = null;
        try
        {
            while (true)
            {
                // With throughput limits on, a consumer gets at most its bytes per second: wait out any debt first.
                if (pace is not null && pace.MillisecondsUntil(1, engine.NowMs) is > 0 and long wait)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), engine.Time, linked.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    ThrowIfEnded(subscription, linked.Token);
                    continue;
                }

                if (reader.TryRead(out RecordBatch batch))
                {
                    pace?.Charge(BytesOf(batch), engine.NowMs);
                    continuation = batch.LastSequenceNumber;
                    next = continuation.SequenceIndex;
                    yield return new SubscriptionEvent(batch, continuation, reader.MillisBehindLatest(next, engine.NowMs), null);
                    continue;
                }

                if (reader.IsAtShardEnd)
                {
                    yield return new SubscriptionEvent(default, continuation, 0, shard.Children);
                    yield break;
                }

                long now = engine.NowMs;
                if (now >= deadline)
                {
                    yield break; // a subscription lasts its lifetime, then completes normally
                }

                pendingWait ??= reader.WaitToReadAsync(linked.Token).AsTask();
                TimeSpan untilHeartbeat = TimeSpan.FromMilliseconds(Math.Min(heartbeat.TotalMilliseconds, deadline - now));
                Task timer = Task.Delay(untilHeartbeat, engine.Time, linked.Token);
                await Task.WhenAny(pendingWait, timer).ConfigureAwait(false);
                ThrowIfEnded(subscription, linked.Token);
                if (pendingWait.IsCompleted)
                {
                    pendingWait = null; // data (or the shard's end): read it on the next turn
                }
                else if (engine.NowMs < deadline)
                {
                    yield return new SubscriptionEvent(default, continuation, reader.MillisBehindLatest(next, engine.NowMs), null);
                }
            }
        }
        finally
        {
            await linked.CancelAsync().ConfigureAwait(false); // releases a pending wait before the reader goes
            if (pendingWait is not null)
            {
                await ((Task)pendingWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            engine.Unsubscribe(subscription);
        }
    }

    private static long BytesOf(RecordBatch batch)
    {
        long bytes = 0;
        foreach (StreamRecord record in batch)
        {
            bytes += record.Data.Length + record.PartitionKeyUtf8.Length;
        }

        return bytes;
    }

    private static void ThrowIfEnded(SubscriptionState subscription, CancellationToken token)
    {
        if (subscription.EndedBy is { } reason)
        {
            throw reason;
        }

        token.ThrowIfCancellationRequested();
    }
}
