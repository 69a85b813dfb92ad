namespace StreamCore.Errors;

/// <summary>
/// Lambda's <c>InvalidParameterValueException</c>: a request member (an event source mapping's setting, a filter
/// pattern) is not acceptable. The message says what was wrong and what was expected. Over Lambda's wire it is
/// HTTP 400 with <c>X-Amzn-ErrorType: InvalidParameterValueException</c>.
/// </summary>
public sealed class InvalidParameterValueException(string message) : KinesisException(message);
