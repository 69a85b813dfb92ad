using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace StreamCore.Producing;

/// <summary>
/// The awaitable behind one AddAsync: a reusable <see cref="IValueTaskSource{TResult}"/>, returned to its pool when
/// the caller reads the result, so a user record costs no allocation in steady state. Also carries what the producer
/// needs of the record until it is final.
/// </summary>
internal sealed class UserRecordCompletion : IValueTaskSource<UserRecordResult>
{
    private readonly ConcurrentQueue<UserRecordCompletion> _pool;
    private ManualResetValueTaskSourceCore<UserRecordResult> _core = new() { RunContinuationsAsynchronously = true };

    public UserRecordCompletion(ConcurrentQueue<UserRecordCompletion> pool)
    {
        _pool = pool;
    }

    /// <summary>The flush generation the record was added in.</summary>
    public long Generation;

    /// <summary>The record's hash key (explicit, or the MD5 of its partition key).</summary>
    public UInt128 HashKey;

    /// <summary>Data plus partition key bytes, held against the producer's byte bound.</summary>
    public int Bytes;

    /// <summary>Attempts made in Kinesis records that were later taken apart (re-aggregation after a reshard).</summary>
    public int PriorAttempts;

    public short Version => _core.Version;

    public static UserRecordCompletion Rent(ConcurrentQueue<UserRecordCompletion> pool) =>
        pool.TryDequeue(out UserRecordCompletion? completion) ? completion : new UserRecordCompletion(pool);

    public void SetResult(UserRecordResult result) => _core.SetResult(result);

    public void SetException(Exception error) => _core.SetException(error);

    public UserRecordResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            PriorAttempts = 0;
            _pool.Enqueue(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
