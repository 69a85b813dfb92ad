using System.Collections.Concurrent;
using System.Text;
using StreamCore.Consuming;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Consuming;

/// <summary>One user record as a test processor saw it.</summary>
public sealed record Seen(string Worker, string ShardId, string SequenceNumber, long SubSequenceNumber, string PartitionKey, string Data);

/// <summary>What every test processor of one scenario records, shared by all workers.</summary>
public sealed class ScenarioLog
{
    public ConcurrentQueue<Seen> Records { get; } = new();

    public ConcurrentQueue<string> Events { get; } = new();

    public int Count => Records.Count;

    public IEnumerable<string> Data => Records.Select(r => r.Data);
}

/// <summary>
/// A processor that records every user record and lifecycle call, and checkpoints after each batch (unless told not
/// to), at shard end and on shutdown.
/// </summary>
public sealed class RecordingProcessor(string worker, ScenarioLog log) : IShardRecordProcessor
{
    private string _shard = "";

    public bool CheckpointEachBatch { get; init; } = true;

    public Func<ProcessRecordsInput, ValueTask>? OnBatch { get; init; }

    /// <summary>Runs after the batch's records are recorded (processed), before the batch's checkpoint.</summary>
    public Func<ProcessRecordsInput, ValueTask>? AfterRecords { get; init; }

    /// <summary>Runs at the shard's end, before the SHARD_END checkpoint.</summary>
    public Func<ShardEndedInput, ValueTask>? OnShardEnded { get; init; }

    public bool CheckpointAtShardEnd { get; init; } = true;

    public bool CheckpointOnShutdown { get; init; } = true;

    public ValueTask InitializeAsync(InitializationInput input, CancellationToken cancellationToken)
    {
        _shard = input.ShardId;
        log.Events.Enqueue($"{worker} initialize {input.ShardId} {input.ExtendedSequenceNumber}");
        return ValueTask.CompletedTask;
    }

    public async ValueTask ProcessRecordsAsync(ProcessRecordsInput input, CancellationToken cancellationToken)
    {
        if (OnBatch is not null)
        {
            await OnBatch(input);
        }

        foreach (ConsumerRecord record in input.Records)
        {
            log.Records.Enqueue(new Seen(worker, input.ShardId, record.SequenceNumber, record.SubSequenceNumber, record.PartitionKey, Encoding.UTF8.GetString(record.Data.Span)));
        }

        if (AfterRecords is not null)
        {
            await AfterRecords(input);
        }

        if (CheckpointEachBatch && input.Records.Count > 0)
        {
            await input.Checkpointer.CheckpointAsync(cancellationToken);
        }
    }

    public ValueTask LeaseLostAsync(LeaseLostInput input, CancellationToken cancellationToken)
    {
        log.Events.Enqueue($"{worker} lost {_shard}");
        return ValueTask.CompletedTask;
    }

    public async ValueTask ShardEndedAsync(ShardEndedInput input, CancellationToken cancellationToken)
    {
        log.Events.Enqueue($"{worker} ended {_shard}");
        if (OnShardEnded is not null)
        {
            await OnShardEnded(input);
        }

        if (CheckpointAtShardEnd)
        {
            await input.Checkpointer.CheckpointAsync(cancellationToken);
        }
    }

    public async ValueTask ShutdownRequestedAsync(ShutdownRequestedInput input, CancellationToken cancellationToken)
    {
        log.Events.Enqueue($"{worker} shutdown {_shard}");
        if (CheckpointOnShutdown)
        {
            await input.Checkpointer.CheckpointAsync(cancellationToken);
        }
    }
}

/// <summary>A lease store whose every call fails while <see cref="Down"/> is set (an unreachable table).</summary>
public sealed class FlakyLeaseStore(ILeaseStore inner) : ILeaseStore
{
    private volatile bool _down;

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    private void ThrowIfDown()
    {
        if (_down)
        {
            throw new IOException("The lease table is unreachable (test).");
        }
    }

    public ValueTask InitializeAsync(CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.InitializeAsync(cancellationToken);
    }

    public ValueTask<IReadOnlyList<Lease>> ListLeasesAsync(CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.ListLeasesAsync(cancellationToken);
    }

    public ValueTask<Lease?> GetLeaseAsync(string leaseKey, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.GetLeaseAsync(leaseKey, cancellationToken);
    }

    public ValueTask<bool> CreateLeaseIfNotExistsAsync(Lease lease, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.CreateLeaseIfNotExistsAsync(lease, cancellationToken);
    }

    public ValueTask<Lease?> TryUpdateLeaseAsync(Lease expected, Lease updated, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.TryUpdateLeaseAsync(expected, updated, cancellationToken);
    }

    public ValueTask<bool> DeleteLeaseAsync(Lease expected, CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return inner.DeleteLeaseAsync(expected, cancellationToken);
    }
}

public static class Pump
{
    /// <summary>
    /// Moves the fake clock in <paramref name="step"/>s, letting the workers run between steps, until
    /// <paramref name="condition"/> holds; fails after <paramref name="maxSteps"/>.
    /// </summary>
    public static async Task UntilAsync(TestEngine t, Func<bool> condition, string what, TimeSpan? step = null, int maxSteps = 3000)
    {
        for (int i = 0; i < maxSteps; i++)
        {
            for (int spin = 0; spin < 20 && !condition(); spin++)
            {
                await Task.Delay(1);
            }

            if (condition())
            {
                return;
            }

            t.Clock.Advance(step ?? TimeSpan.FromMilliseconds(500));
        }

        Assert.Fail($"Timed out waiting until {what}.");
    }
}
