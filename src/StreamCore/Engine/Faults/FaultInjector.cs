using StreamCore.Errors;

namespace StreamCore;

/// <summary>
/// The fault rules of one engine (see <see cref="FaultRule"/>). With no rule the check costs one volatile read.
/// Thread-safe.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _lock = new();

    // Replaced whole on change, so the check reads it without the lock.
    private ActiveRule[] _rules = [];

    internal FaultInjector()
    {
    }

    /// <summary>Adds a rule; it applies to calls that start afterwards.</summary>
    /// <param name="rule">The rule.</param>
    public void Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Probability is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), rule.Probability, "Probability must be in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(rule.Count ?? 0, nameof(rule));
        lock (_lock)
        {
            Volatile.Write(ref _rules, [.. _rules, new ActiveRule(rule)]);
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            Volatile.Write(ref _rules, []);
        }
    }

    /// <summary>The error a whole-call rule raises for this call, or null.</summary>
    internal KinesisException? Check(string operation, string? streamName, ShardId? shard) => Fire(operation, streamName, shard, perRecord: false);

    /// <summary>The error a per-record rule gives this record of a PutRecords call, or null.</summary>
    internal KinesisException? CheckRecord(string streamName, ShardId shard) => Fire("PutRecords", streamName, shard, perRecord: true);

    internal bool HasPerRecordRules => Volatile.Read(ref _rules).Any(r => r.Rule.PerRecord);

    /// <summary>Whether no rule was added since the last <see cref="Clear"/> (spent rules count as rules).</summary>
    internal bool IsEmpty => Volatile.Read(ref _rules).Length == 0;

    private KinesisException? Fire(string operation, string? streamName, ShardId? shard, bool perRecord)
    {
        ActiveRule[] rules = Volatile.Read(ref _rules);
        foreach (ActiveRule active in rules)
        {
            FaultRule rule = active.Rule;
            if (rule.PerRecord == perRecord
                && (rule.Operation is null || rule.Operation == operation)
                && (rule.StreamName is null || rule.StreamName == streamName)
                && (rule.ShardId is null || rule.ShardId == shard)
                && active.TryFire())
            {
                return rule.Error();
            }
        }

        return null;
    }

    private sealed class ActiveRule(FaultRule rule)
    {
        private readonly Random _random = new(rule.Seed);
        private int _fired;

        public FaultRule Rule { get; } = rule;

        public bool TryFire()
        {
            lock (_random)
            {
                if ((Rule.Count is { } count && _fired >= count) || (Rule.Probability < 1 && _random.NextDouble() >= Rule.Probability))
                {
                    return false;
                }

                _fired++;
                return true;
            }
        }
    }
}
