using System.Net;
using StreamCore.Errors;

namespace StreamCore.Aws.Kinesis;

/// <summary>
/// The AWS SDKs' "standard" retry mode (the retry behaviour specification shared by the SDKs): throttling errors,
/// transient errors (5xx, timeouts, broken connections) are retried up to MaxAttempts with full-jitter exponential
/// backoff; every retry draws from a client-wide quota (5 tokens, 10 after a timeout) that successes refill, so a
/// failing service is not hammered; anything else (validation, not found, signature) is never retried.
/// AWSSDK.Core has this policy too, but bound to its own request pipeline's execution context, which a client that
/// speaks the wire itself does not have; the algorithm is short, so it lives here, with the SDK's constants.
/// </summary>
internal sealed class StandardRetry(RemoteKinesisClientOptions options)
{
    public const int RetryCost = 5;
    public const int TimeoutRetryCost = 10;
    public const int NoRetryIncrement = 1;

    /// <summary>The SDKs' throttling codes (Kinesis's own are ProvisionedThroughputExceeded and LimitExceeded).</summary>
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "InternalFailure", "InternalFailureException", "ServiceUnavailable",
    };

    private readonly int _maxQuota = options.RetryQuota;
    private int _quota = options.RetryQuota;

    /// <summary>The tokens left (for tests and diagnostics).</summary>
    public int Quota => Volatile.Read(ref _quota);

    /// <summary>Whether a failure is of the retryable kinds, before attempts and quota are considered.</summary>
    public static bool IsRetryable(Exception failure, HttpStatusCode? status) => failure switch
    {
        TimeoutException or HttpRequestException or IOException => true,
        KinesisException k when ThrottlingCodes.Contains(k.ErrorCode) || TransientCodes.Contains(k.ErrorCode) => true,
        _ => status is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests,
    };

    /// <summary>
    /// Decides on a retry after attempt <paramref name="attempt"/> (1-based) failed; on yes, takes the retry's tokens
    /// (added to <paramref name="taken"/>) and says how long to wait.
    /// </summary>
    public bool TryRetry(Exception failure, HttpStatusCode? status, int attempt, ref int taken, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (attempt >= options.MaxAttempts || !IsRetryable(failure, status))
        {
            return false;
        }

        int cost = failure is TimeoutException ? TimeoutRetryCost : RetryCost;
        int current = Volatile.Read(ref _quota);
        while (true)
        {
            if (current < cost)
            {
                return false;
            }

            int seen = Interlocked.CompareExchange(ref _quota, current - cost, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }

        taken += cost;
        double ceiling = Math.Min(options.MaxBackoff.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        delay = TimeSpan.FromMilliseconds(options.Random.NextDouble() * ceiling);
        return true;
    }

    /// <summary>A call succeeded: its retries' tokens come back, or one token when it needed none.</summary>
    public void OnSuccess(int taken)
    {
        int refund = taken > 0 ? taken : NoRetryIncrement;
        int current = Volatile.Read(ref _quota);
        while (current < _maxQuota)
        {
            int seen = Interlocked.CompareExchange(ref _quota, Math.Min(_maxQuota, current + refund), current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
