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

/// <summary>Reads an error body of either protocol: <c>__type</c> and <c>message</c> (or AWS's <c>Message</c>).</summary>
internal static class WireErrorReader
{
    public static (string? Type, string? Message) Read(ReadOnlySpan<byte> body, bool cbor)
    {
        string? type = null;
        string? message = null;
        try
        {
            if (cbor)
            {
                var reader = new System.Formats.Cbor.CborReader(body.ToArray(), System.Formats.Cbor.CborConformanceMode.Lax);
                reader.ReadStartMap();
                while (reader.PeekState() != System.Formats.Cbor.CborReaderState.EndMap)
                {
                    string name = reader.ReadTextString();
                    if (reader.PeekState() == System.Formats.Cbor.CborReaderState.TextString)
                    {
                        Assign(name, reader.ReadTextString(), ref type, ref message);
                    }
                    else
                    {
                        reader.SkipValue();
                    }
                }
            }
            else
            {
                var reader = new System.Text.Json.Utf8JsonReader(body);
                if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
                {
                    return (null, null);
                }

                while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
                {
                    string name = reader.GetString()!;
                    reader.Read();
                    if (reader.TokenType == System.Text.Json.JsonTokenType.String)
                    {
                        Assign(name, reader.GetString()!, ref type, ref message);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or System.Formats.Cbor.CborContentException or InvalidOperationException)
        {
            // A body that is not an error document (a proxy's HTML page, a truncated body): the status says the rest.
        }

        return (type, message);
    }

    private static void Assign(string name, string value, ref string? type, ref string? message)
    {
        if (name == KinesisWire.ErrorTypeMember || name == "code")
        {
            type = value;
        }
        else if (name.Equals(KinesisWire.ErrorMessageMember, StringComparison.OrdinalIgnoreCase))
        {
            message = value;
        }
    }
}
