namespace StreamCore.Delivery.Buffering;

/// <summary>
/// What records are handed to after the source (and the transformation): the S3 pipeline, or a search destination's
/// pipeline in front of its S3 configuration. The transformation hands on through this, whichever the destination is.
/// </summary>
internal interface IDeliveryTarget
{
    /// <summary>Buffers records for the destination. Refused (ServiceUnavailableException) once stopped.</summary>
    /// <param name="records">The records.</param>
    /// <param name="lambdaKeys">Per record, the partition keys the transformation returned (or null).</param>
    /// <param name="backedUp">Whether the source records were already backed up (by the transformation, before it ran).</param>
    void Accept(ReadOnlySpan<IncomingRecord> records, IReadOnlyList<IReadOnlyDictionary<string, string>?>? lambdaKeys = null, bool backedUp = false);

    /// <summary>Buffers records that failed before the destination (a transformation's failures) for the error output.</summary>
    void AcceptFailures(IReadOnlyList<(IncomingRecord Record, string ErrorCode, string ErrorMessage, int Attempts, string? LambdaArn)> failures);

    /// <summary>Buffers source records for the backup, when the destination backs them up.</summary>
    void AcceptBackup(ReadOnlySpan<IncomingRecord> records);
}
