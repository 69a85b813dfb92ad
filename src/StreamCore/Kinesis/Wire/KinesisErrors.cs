using StreamCore.Errors;

namespace StreamCore.Kinesis.Wire;

/// <summary>The Kinesis exceptions by wire error code, so a wire error becomes the exception the in-process client throws.</summary>
internal static class KinesisErrors
{
    private static readonly Dictionary<string, Func<string, KinesisException>> ByCode = new(StringComparer.Ordinal)
    {
        [nameof(ResourceNotFoundException)] = m => new ResourceNotFoundException(m),
        [nameof(ResourceInUseException)] = m => new ResourceInUseException(m),
        [nameof(InvalidArgumentException)] = m => new InvalidArgumentException(m),
        [nameof(LimitExceededException)] = m => new LimitExceededException(m),
        [nameof(ExpiredIteratorException)] = m => new ExpiredIteratorException(m),
        [nameof(ExpiredNextTokenException)] = m => new ExpiredNextTokenException(m),
        [nameof(ProvisionedThroughputExceededException)] = m => new ProvisionedThroughputExceededException(m),
        [nameof(ValidationException)] = m => new ValidationException(m),
        [nameof(AccessDeniedException)] = m => new AccessDeniedException(m),
        [nameof(InternalFailureException)] = m => new InternalFailureException(m),
        ["InternalFailure"] = m => new InternalFailureException(m),
        [nameof(KMSDisabledException)] = m => new KMSDisabledException(m),
        [nameof(KMSInvalidStateException)] = m => new KMSInvalidStateException(m),
        [nameof(KMSAccessDeniedException)] = m => new KMSAccessDeniedException(m),
        [nameof(KMSNotFoundException)] = m => new KMSNotFoundException(m),
        [nameof(KMSOptInRequired)] = m => new KMSOptInRequired(m),
        [nameof(KMSThrottlingException)] = m => new KMSThrottlingException(m),
    };

    /// <summary>The Kinesis exception of a code, or null when the code is not one of Kinesis's modelled errors.</summary>
    public static KinesisException? Create(string code, string message) =>
        ByCode.TryGetValue(code, out Func<string, KinesisException>? create) ? create(message) : null;
}
