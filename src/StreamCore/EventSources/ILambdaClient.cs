namespace StreamCore.EventSources;

/// <summary>
/// Lambda's event source mapping operations, shaped like the AWS SDK for .NET's <c>IAmazonLambda</c> (same request,
/// response and exception names), so code that manages mappings ports by changing a <c>using</c>. Errors are
/// <see cref="Functions.LambdaException"/>s: <see cref="Functions.ValidationException"/> for a broken model constraint,
/// <see cref="Functions.InvalidParameterValueException"/> for Lambda's own rules, <see cref="Functions.ResourceNotFoundException"/>,
/// <see cref="Functions.ResourceConflictException"/> and <see cref="Functions.ResourceInUseException"/>. A failed request changes nothing.
/// </summary>
public interface ILambdaClient
{
    /// <summary>Maps a Kinesis stream (or an enhanced fan-out consumer of one) to a function; the mapping starts in state Creating.</summary>
    /// <param name="request">The mapping's settings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The mapping, every default echoed.</returns>
    Task<CreateEventSourceMappingResponse> CreateEventSourceMappingAsync(CreateEventSourceMappingRequest request, CancellationToken cancellationToken = default);

    /// <summary>Describes a mapping.</summary>
    /// <param name="request">The mapping's UUID.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The mapping.</returns>
    Task<GetEventSourceMappingResponse> GetEventSourceMappingAsync(GetEventSourceMappingRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes a mapping; the change takes effect after the status delay, while it runs (state Updating, Enabling or Disabling until then).</summary>
    /// <param name="request">The UUID and the members to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The mapping with its new settings.</returns>
    Task<UpdateEventSourceMappingResponse> UpdateEventSourceMappingAsync(UpdateEventSourceMappingRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes a mapping: it stops polling at once and is gone after the status delay (state Deleting until then).</summary>
    /// <param name="request">The mapping's UUID.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The mapping, in state Deleting.</returns>
    Task<DeleteEventSourceMappingResponse> DeleteEventSourceMappingAsync(DeleteEventSourceMappingRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists mappings, optionally of one function and/or one event source, a page at a time.</summary>
    /// <param name="request">The filters and the page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A page of mappings.</returns>
    Task<ListEventSourceMappingsResponse> ListEventSourceMappingsAsync(ListEventSourceMappingsRequest request, CancellationToken cancellationToken = default);
}
