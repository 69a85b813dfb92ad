namespace StreamCore.Kinesis.Wire;

/// <summary>
/// The names of Kinesis's wire protocols, in one place for the server and the remote client: the target prefix, the
/// content types, the event-stream headers and the error members.
/// </summary>
internal static class KinesisWire
{
    /// <summary>What precedes the operation name in <c>X-Amz-Target</c>.</summary>
    public const string TargetPrefix = "Kinesis_20131202.";

    /// <summary>The header that names the operation.</summary>
    public const string TargetHeader = "X-Amz-Target";

    /// <summary>JSON 1.1: the AWS CLI's, the JavaScript SDK's and the .NET SDK's protocol.</summary>
    public const string JsonContentType = "application/x-amz-json-1.1";

    /// <summary>CBOR 1.1: the Java SDK's default.</summary>
    public const string CborContentType = "application/x-amz-cbor-1.1";

    /// <summary>SubscribeToShard's answer.</summary>
    public const string EventStreamContentType = "application/vnd.amazon.eventstream";

    /// <summary>The request id header of a response.</summary>
    public const string RequestIdHeader = "x-amzn-RequestId";

    /// <summary>The error type member of an error body.</summary>
    public const string ErrorTypeMember = "__type";

    /// <summary>The error message member of an error body (AWS also sends <c>Message</c>).</summary>
    public const string ErrorMessageMember = "message";

    /// <summary>The event-stream header that says event or exception.</summary>
    public const string MessageTypeHeader = ":message-type";

    /// <summary>The event-stream header that names an event.</summary>
    public const string EventTypeHeader = ":event-type";

    /// <summary>The event-stream header that names an in-stream exception.</summary>
    public const string ExceptionTypeHeader = ":exception-type";

    /// <summary>The event-stream header that gives the payload's content type.</summary>
    public const string ContentTypeHeader = ":content-type";

    /// <summary>The first event of a subscription.</summary>
    public const string InitialResponseEvent = "initial-response";

    /// <summary>The event that carries records.</summary>
    public const string SubscribeToShardEventName = "SubscribeToShardEvent";

    /// <summary>The error of a request whose body the protocol cannot read.</summary>
    public const string SerializationException = "SerializationException";

    /// <summary>The operation name of a target header, or null when it is not a Kinesis target.</summary>
    public static string? OperationName(string? target) =>
        target is not null && target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : null;

    /// <summary>
    /// The exception name of a wire error type: AWS may qualify it (<c>com.amazonaws.kinesis.v20131202#Name</c>) and
    /// append a cause after a colon.
    /// </summary>
    public static string ErrorCode(string type)
    {
        int hash = type.LastIndexOf('#');
        string code = hash >= 0 ? type[(hash + 1)..] : type;
        int colon = code.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? code[..colon] : code;
    }
}
