using System.Globalization;

namespace StreamCore.Producing;

/// <summary>Where a user record was stored.</summary>
/// <param name="ShardId">The shard that holds it.</param>
/// <param name="SequenceNumber">The sequence number of the Kinesis record that holds it (shared by an aggregate's user records).</param>
/// <param name="SubSequenceNumber">Its position within the aggregate (0 for a record sent alone).</param>
/// <param name="Attempts">How many PutRecords attempts it took.</param>
/// <param name="IsAggregated">Whether it was sent inside a KPL aggregate with other user records.</param>
public readonly record struct UserRecordResult(ShardId ShardId, SequenceNumber SequenceNumber, long SubSequenceNumber, int Attempts, bool IsAggregated);

/// <summary>
/// A user record that could not be stored: its error was not retryable, or it was not stored within
/// <see cref="KinesisProducerOptions.RecordTtl"/> (<see cref="ErrorCode"/> <c>Expired</c>, the last error inside).
/// </summary>
public sealed class UserRecordFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The error code.</param>
    /// <param name="message">What failed.</param>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="innerException">The last error, when it was an exception.</param>
    public UserRecordFailedException(string errorCode, string message, int attempts, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        Attempts = attempts;
    }

    /// <summary>Creates the exception.</summary>
    public UserRecordFailedException()
        : this("Unknown", "The user record failed.", 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public UserRecordFailedException(string message)
        : this("Unknown", message, 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public UserRecordFailedException(string message, Exception innerException)
        : this("Unknown", message, 0, innerException)
    {
    }

    /// <summary><c>Expired</c>, or the Kinesis error code of a failure that is not retried.</summary>
    public string ErrorCode { get; }

    /// <summary>How many PutRecords attempts were made.</summary>
    public int Attempts { get; }

    internal static UserRecordFailedException Expired(TimeSpan ttl, int attempts, string? lastCode, string? lastMessage, Exception? last) =>
        new("Expired", string.Create(CultureInfo.InvariantCulture,
            $"Expired: the record was not stored within RecordTtl ({ttl.TotalMilliseconds} ms) after {attempts} attempt(s); last error: {(lastCode is null ? "none (waiting to be sent)" : lastCode + ": " + lastMessage)}."),
            attempts, last);
}

/// <summary>
/// AddAsync was refused because the producer holds its maximum of outstanding records or bytes and
/// <see cref="KinesisProducerOptions.FullMode"/> is <see cref="ProducerFullMode.Fail"/>. Nothing was buffered.
/// </summary>
public sealed class ProducerBufferFullException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProducerBufferFullException()
        : base("The producer is full.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is full.</param>
    public ProducerBufferFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is full.</param>
    /// <param name="innerException">The cause.</param>
    public ProducerBufferFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
