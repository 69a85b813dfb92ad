namespace StreamCore.Engine.Throughput;

/// <summary>
/// A token bucket holding one second's worth of <see cref="_ratePerSecond"/>, refilled continuously by elapsed
/// milliseconds on the engine's clock. It may be overdrawn (reads are charged after the fact); while it is in debt,
/// nothing more is admitted.
/// </summary>
internal sealed class TokenBucket(double ratePerSecond, long nowMs)
{
    private readonly double _ratePerSecond = ratePerSecond;
    private readonly Lock _lock = new();
    private double _tokens = ratePerSecond;
    private long _refilledAtMs = nowMs;

    /// <summary>Takes <paramref name="amount"/> when the bucket holds that much; otherwise takes nothing.</summary>
    public bool TryTake(double amount, long nowMs)
    {
        lock (_lock)
        {
            Refill(nowMs);
            if (_tokens < amount)
            {
                return false;
            }

            _tokens -= amount;
            return true;
        }
    }

    /// <summary>Whether the bucket is not in debt.</summary>
    public bool HasCredit(long nowMs)
    {
        lock (_lock)
        {
            Refill(nowMs);
            return _tokens > 0;
        }
    }

    /// <summary>Takes <paramref name="amount"/> even if that overdraws the bucket.</summary>
    public void Charge(double amount, long nowMs)
    {
        lock (_lock)
        {
            Refill(nowMs);
            _tokens -= amount;
        }
    }

    /// <summary>Milliseconds until the bucket holds <paramref name="amount"/> (0 when it does).</summary>
    public long MillisecondsUntil(double amount, long nowMs)
    {
        lock (_lock)
        {
            Refill(nowMs);
            return _tokens >= amount ? 0 : (long)Math.Ceiling((amount - _tokens) * 1000 / _ratePerSecond);
        }
    }

    private void Refill(long nowMs)
    {
        if (nowMs > _refilledAtMs)
        {
            _tokens = Math.Min(_ratePerSecond, _tokens + ((nowMs - _refilledAtMs) * _ratePerSecond / 1000));
            _refilledAtMs = nowMs;
        }
    }
}
