using StreamCore.Errors;

namespace StreamCore.Engine;

/// <summary>The status of an enhanced fan-out consumer.</summary>
internal enum ConsumerStatus
{
    Creating,
    Active,
    Deleting,
}

/// <summary>
/// An enhanced fan-out consumer of a stream. Fields change under the engine's control lock; subscriptions are keyed
/// by shard so a new one can take over from an old one.
/// </summary>
internal sealed class ConsumerState(StreamState stream, string name, string arn, DateTimeOffset createdAt)
{
    private int _status;

    public StreamState Stream { get; } = stream;

    public string Name { get; } = name;

    /// <summary><c>&lt;streamARN&gt;/consumer/&lt;name&gt;:&lt;creation epoch seconds&gt;</c>.</summary>
    public string Arn { get; } = arn;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public ConsumerStatus Status
    {
        get => (ConsumerStatus)Volatile.Read(ref _status);
        set => Volatile.Write(ref _status, (int)value);
    }

    public ITimer? TransitionTimer { get; set; }

    /// <summary>The live subscription per shard; under the engine's control lock.</summary>
    public Dictionary<ShardId, SubscriptionState> Subscriptions { get; } = [];

    /// <summary>
    /// When the last successful SubscribeToShard call for each shard was made (engine ms): the five-second rule
    /// counts from it even after that subscription ended. Guarded by the engine's control lock.
    /// </summary>
    public Dictionary<ShardId, long> LastSubscribedMs { get; } = [];
}

/// <summary>One SubscribeToShard call: ends when its lifetime is over, the shard ends, or another takes over.</summary>
internal sealed class SubscriptionState(ConsumerState consumer, ShardId shard, long startedAtMs) : IDisposable
{
    private readonly CancellationTokenSource _ended = new();

    public ConsumerState Consumer { get; } = consumer;

    public ShardId Shard { get; } = shard;

    public long StartedAtMs { get; } = startedAtMs;

    /// <summary>Why the subscription was ended from outside (takeover, deregistration), or null.</summary>
    public KinesisException? EndedBy { get; private set; }

    public CancellationToken Ended => _ended.Token;

    public void End(KinesisException reason)
    {
        EndedBy = reason;
        _ended.Cancel();
    }

    public void Dispose() => _ended.Dispose();
}
