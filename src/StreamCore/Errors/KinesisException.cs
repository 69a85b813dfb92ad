namespace StreamCore.Errors;

/// <summary>
/// The base of every error StreamCore raises for a Kinesis condition. <see cref="ErrorCode"/> is the name Kinesis
/// gives the error (for example <c>ResourceNotFoundException</c>), and the message is Kinesis's text where it is known.
/// </summary>
public abstract class KinesisException : Exception
{
    /// <summary>Creates the exception with Kinesis's message text.</summary>
    /// <param name="message">What was wrong and what was expected.</param>
    protected KinesisException(string message)
        : base(message)
    {
    }

    /// <summary>The Kinesis error name, as the wire protocol's <c>__type</c> carries it.</summary>
    public virtual string ErrorCode => GetType().Name;
}

/// <summary>The stream, shard or consumer named by the request does not exist (or is not ready).</summary>
public sealed class ResourceNotFoundException(string message) : KinesisException(message);

/// <summary>The resource is not in a state that allows the operation (for example a stream that is not ACTIVE).</summary>
public sealed class ResourceInUseException(string message) : KinesisException(message);

/// <summary>A parameter is well-formed but not acceptable (for example a hash key beyond 2^128 - 1).</summary>
public sealed class InvalidArgumentException(string message) : KinesisException(message);

/// <summary>A limit of the account or stream would be exceeded (shards, streams in CREATING, tags...).</summary>
public sealed class LimitExceededException(string message) : KinesisException(message);

/// <summary>The shard iterator is older than five minutes.</summary>
public sealed class ExpiredIteratorException(string message) : KinesisException(message);

/// <summary>The pagination token has expired.</summary>
public sealed class ExpiredNextTokenException(string message) : KinesisException(message);

/// <summary>The request rate for the shard or the engine's memory is exhausted; retry with back-off.</summary>
public sealed class ProvisionedThroughputExceededException(string message) : KinesisException(message);

/// <summary>
/// A request member fails its constraint (length, pattern, range). The message lists each failure in AWS's format:
/// <c>1 validation error detected: Value '…' at 'streamName' failed to satisfy constraint: Member must …</c>.
/// </summary>
public sealed class ValidationException(string message) : KinesisException(message);

/// <summary>The request is not permitted.</summary>
public sealed class AccessDeniedException(string message) : KinesisException(message);

/// <summary>An internal error; Kinesis reports it per record in PutRecords as <c>InternalFailure</c>.</summary>
public sealed class InternalFailureException(string message) : KinesisException(message);

/// <summary>The KMS key is disabled.</summary>
public sealed class KMSDisabledException(string message) : KinesisException(message);

/// <summary>The KMS key is not in a valid state for the request.</summary>
public sealed class KMSInvalidStateException(string message) : KinesisException(message);

/// <summary>The caller may not use the KMS key.</summary>
public sealed class KMSAccessDeniedException(string message) : KinesisException(message);

/// <summary>The KMS key does not exist.</summary>
public sealed class KMSNotFoundException(string message) : KinesisException(message);

/// <summary>The account is not subscribed to KMS (Kinesis names this error without the Exception suffix).</summary>
public sealed class KMSOptInRequired(string message) : KinesisException(message);

/// <summary>KMS throttled the request.</summary>
public sealed class KMSThrottlingException(string message) : KinesisException(message);
