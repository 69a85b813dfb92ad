using StreamCore.Functions;

namespace StreamCore.EventSources;

/// <summary>
/// One lane's batch lifecycle, per the reference algorithm: discard records past MaximumRecordAgeInSeconds before each
/// invocation, invoke, and on a function error retry (holding the lane), bisecting with BisectBatchOnFunctionError
/// (splits consume no retry), honouring ReportBatchItemFailures (retry from the lowest failed record; a partial failure
/// uses an attempt), until success or the retry budget is spent, when the batch goes to the on-failure destination
/// (which must accept it before the lane moves on).
/// </summary>
internal sealed class BatchLifecycle(MappingRunner runner, ShardProcessor shard, MappingSettings settings)
{
    /// <summary>
    /// Processes one batch; returns false when the lane must stop (a pause or a stop came first; what was not finished
    /// is read again from the checkpoint when the mapping resumes).
    /// </summary>
    /// <param name="batch">The records (none for a window's final invocation).</param>
    /// <param name="window">With tumbling windows, the batch's window (its state is read at each invocation and replaced by the function's).</param>
    /// <param name="generation">Cancelled at a pause or a stop.</param>
    /// <param name="stop">Cancelled at a stop (cancels an invocation in flight).</param>
    public async Task<bool> ProcessAsync(List<BatchItem> batch, WindowTurn? window, CancellationToken generation, CancellationToken stop)
    {
        // The sub-batches still to process, in order; each with its attempts so far.
        var work = new LinkedList<Attempt>();
        work.AddFirst(new Attempt(batch, 0, 0));
        int backoff = 0;
        while (work.First is { } node)
        {
            Attempt attempt = node.Value;
            if (generation.IsCancellationRequested)
            {
                return false;
            }

            // Age check before every invocation (and retry): the too-old prefix goes to the destination without invoking.
            // With MaximumRecordAgeInSeconds -1 the limit is the stream's retention: records are retried "until they
            // expire", then discarded, so a failing batch blocks its shard for at most the retention period.
            TimeSpan? maxAge = settings.MaximumRecordAgeInSeconds >= 0 ? TimeSpan.FromSeconds(settings.MaximumRecordAgeInSeconds) : runner.StreamRetention();
            if (maxAge is { } age)
            {
                DateTimeOffset oldest = runner.Time.GetUtcNow() - age;
                int expired = 0;
                while (expired < attempt.Items.Count && attempt.Items[expired].Arrival < oldest)
                {
                    expired++;
                }

                if (expired > 0)
                {
                    if (!await DiscardAsync(attempt.Items.GetRange(0, expired), FailureCondition.RecordAgeExceeded, attempt.Invocations, null, generation).ConfigureAwait(false))
                    {
                        return false;
                    }

                    attempt = attempt with { Items = attempt.Items.GetRange(expired, attempt.Items.Count - expired) };
                    node.Value = attempt;
                    if (attempt.Items.Count == 0)
                    {
                        work.RemoveFirst();
                        continue;
                    }
                }
            }

            Invocation result = await runner.InvokeAsync(attempt.Items, settings, shard.ShardText, window, stop).ConfigureAwait(false);
            if (result.NotInvoked)
            {
                // The batch never reached the function (it is missing): retried until the records age out, no attempt used.
                if (!await BackOffAsync(++backoff, generation).ConfigureAwait(false))
                {
                    return false;
                }

                continue;
            }

            attempt = attempt with { Invocations = attempt.Invocations + 1 };
            node.Value = attempt;
            if (result.Error is null && result.FailedFrom is null)
            {
                shard.Finish(attempt.Items);
                work.RemoveFirst();
                backoff = 0;
                continue;
            }

            if (result.FailedFrom is int failedFrom)
            {
                // ReportBatchItemFailures: everything before the lowest reported record succeeded; retry from it.
                shard.Finish(attempt.Items.GetRange(0, failedFrom));
                attempt = attempt with { Items = attempt.Items.GetRange(failedFrom, attempt.Items.Count - failedFrom), Retries = attempt.Retries + 1 };
            }
            else if (settings.BisectBatchOnFunctionError && attempt.Items.Count > 1)
            {
                // Split in two, the odd record to the first half; splitting uses no retry attempt.
                int half = (attempt.Items.Count + 1) / 2;
                work.RemoveFirst();
                work.AddFirst(attempt with { Items = attempt.Items.GetRange(half, attempt.Items.Count - half) });
                work.AddFirst(attempt with { Items = attempt.Items.GetRange(0, half) });
                continue;
            }
            else
            {
                attempt = attempt with { Retries = attempt.Retries + 1 };
            }

            node.Value = attempt;
            if (settings.MaximumRetryAttempts >= 0 && attempt.Retries > settings.MaximumRetryAttempts)
            {
                if (!await DiscardAsync(attempt.Items, FailureCondition.RetryAttemptsExhausted, attempt.Invocations, result.Error, generation).ConfigureAwait(false))
                {
                    return false;
                }

                work.RemoveFirst();
                continue;
            }

            if (!await BackOffAsync(attempt.Retries, generation).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Waits before a retry: 1 s, doubling to 30 s, on the mapping's clock; false when the lane must stop.</summary>
    private async Task<bool> BackOffAsync(int attempt, CancellationToken generation)
    {
        TimeSpan delay = TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(attempt - 1, 5)));
        try
        {
            await Task.Delay(delay, runner.Time, generation).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends the failure record of discarded records to the destination (retrying until it accepts) and finishes them.</summary>
    private async Task<bool> DiscardAsync(List<BatchItem> items, FailureCondition condition, int invocations, InvokeResponse? lastError, CancellationToken generation)
    {
        if (items.Count == 0)
        {
            // A window's final invocation carries no records: there is no failure record to send, the window closes.
            return true;
        }

        int failures = 0;
        while (!await runner.SendFailureAsync(items, condition, invocations, lastError, settings, shard.ShardText, generation).ConfigureAwait(false))
        {
            // The destination refused it: the lane (and the shard's checkpoint) waits rather than losing the record.
            if (!await BackOffAsync(++failures, generation).ConfigureAwait(false))
            {
                return false;
            }
        }

        runner.Metrics.Dropped(items.Count);
        shard.Finish(items);
        return true;
    }

    private sealed record Attempt(List<BatchItem> Items, int Retries, int Invocations);
}

/// <summary>The condition of an on-failure record.</summary>
internal enum FailureCondition
{
    RetryAttemptsExhausted,
    RecordAgeExceeded,
}

/// <summary>What one invocation of a batch gave.</summary>
/// <param name="NotInvoked">The batch never reached the function (it does not exist).</param>
/// <param name="Error">The function error, or null.</param>
/// <param name="FailedFrom">With ReportBatchItemFailures, the index of the lowest failed record of a partial failure.</param>
internal readonly record struct Invocation(bool NotInvoked, InvokeResponse? Error, int? FailedFrom);
