namespace StreamCore.Analytics.Applications;

/// <summary>
/// An error of the Kinesis Analytics v2 control plane, carrying the service's exception name
/// (<c>ResourceNotFoundException</c>, <c>InvalidArgumentException</c>, <c>ConcurrentModificationException</c>, ...) and
/// a message that says what was wrong and what was expected. Nothing changed when one is thrown.
/// </summary>
public sealed class AnalyticsException : Exception
{
    /// <summary>Creates an error.</summary>
    /// <param name="errorCode">The service's exception name.</param>
    /// <param name="message">What was wrong.</param>
    public AnalyticsException(string errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates an error (for serializers).</summary>
    public AnalyticsException()
        : this("InvalidArgumentException", "Invalid argument.")
    {
    }

    /// <summary>Creates an error with a message.</summary>
    /// <param name="message">What was wrong.</param>
    public AnalyticsException(string message)
        : this("InvalidArgumentException", message)
    {
    }

    /// <summary>Creates an error with a cause.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public AnalyticsException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = "InvalidArgumentException";
    }

    /// <summary>The service's exception name, as the wire's <c>__type</c> carries it.</summary>
    public string ErrorCode { get; } = "InvalidArgumentException";

    internal static AnalyticsException InvalidArgument(string message) => new("InvalidArgumentException", message);

    internal static AnalyticsException NotFound(string message) => new("ResourceNotFoundException", message);

    internal static AnalyticsException InUse(string message) => new("ResourceInUseException", message);

    internal static AnalyticsException InvalidRequest(string message) => new("InvalidRequestException", message);

    internal static AnalyticsException ConcurrentModification(string message) => new("ConcurrentModificationException", message);

    internal static AnalyticsException InvalidConfiguration(string message) => new("InvalidApplicationConfigurationException", message);
}
