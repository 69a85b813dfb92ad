using System.Globalization;
using StreamCore.Errors;
using StreamCore.Functions;
using StreamCore.Kinesis;
using LambdaNotFound = StreamCore.Functions.ResourceNotFoundException;
using LambdaResourceInUse = StreamCore.Functions.ResourceInUseException;
using FunctionNameParts = StreamCore.Functions.FunctionName;
using InvalidParameterValueException = StreamCore.Functions.InvalidParameterValueException;
using LambdaValidationException = StreamCore.Functions.ValidationException;

namespace StreamCore.EventSources;

/// <summary>The control plane: Create, Get, Update, Delete and List, each validated whole before anything changes.</summary>
public sealed partial class LambdaService
{
    private const string MappingNotFound = "The resource you requested does not exist.";

    /// <inheritdoc />
    public async Task<CreateEventSourceMappingResponse> CreateEventSourceMappingAsync(CreateEventSourceMappingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        MappingRules.Members members = new(request.BatchSize, request.MaximumBatchingWindowInSeconds, request.ParallelizationFactor, request.MaximumRecordAgeInSeconds,
            request.MaximumRetryAttempts, request.BisectBatchOnFunctionError, request.TumblingWindowInSeconds, request.FunctionResponseTypes, request.DestinationConfig, request.FilterCriteria, request.KMSKeyArn, request.MetricsConfig);
        MappingRules.CheckModel(members, request.FunctionName, functionRequired: true, request.EventSourceArn, request.StartingPosition?.Value);
        if (request.EventSourceArn is null)
        {
            throw new InvalidParameterValueException("Unrecognized event source.");
        }

        CheckKinesisArn(request.EventSourceArn);
        MappingRules.CheckStartingPosition(request.StartingPosition?.Value, request.StartingPositionTimestamp);
        MappingRules.CheckRules(members);
        RegisteredFunction function = Functions.GetFunction(request.FunctionName!);
        EventSource source = await ResolveSourceAsync(request.EventSourceArn, cancellationToken).ConfigureAwait(false);

        MappingSettings settings = MappingRules.Apply(new MappingSettings { FunctionName = function.FunctionName, FunctionArn = function.FunctionArn, Enabled = request.Enabled ?? true }, members);
        CreateEventSourceMappingResponse response;
        EventSourceMapping mapping;
        lock (_control)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_mappings.Values.FirstOrDefault(m => m.Source.Arn == source.Arn && m.Desired.FunctionArn == function.FunctionArn) is { } existing)
            {
                throw new ResourceConflictException($"The event source arn (\" {source.Arn} \") and function (\" {function.FunctionName} \") provided mapping already exists. Please update or delete the existing mapping with UUID {existing.UUID}");
            }

            string uuid = Guid.NewGuid().ToString();
            mapping = new EventSourceMapping(uuid, $"arn:{Functions.Partition}:lambda:{Functions.Region}:{Functions.AccountId}:event-source-mapping:{uuid}", source,
                request.StartingPosition!.Value, request.StartingPositionTimestamp?.ToUniversalTime(), ++_sequence, settings, Now)
            {
                Tags = request.Tags is { } tags ? new Dictionary<string, string>(tags, StringComparer.Ordinal) : null,
            };
            mapping.Runner = new MappingRunner(this, mapping);
            _mappings.Add(uuid, mapping);
            response = mapping.Describe(new CreateEventSourceMappingResponse());
            BeginTransition(mapping);
        }

        return response;
    }

    /// <inheritdoc />
    public Task<GetEventSourceMappingResponse> GetEventSourceMappingAsync(GetEventSourceMappingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckUuid(request.UUID);
        lock (_control)
        {
            return Task.FromResult(Lookup(request.UUID!).Describe(new GetEventSourceMappingResponse()));
        }
    }

    /// <inheritdoc />
    public Task<UpdateEventSourceMappingResponse> UpdateEventSourceMappingAsync(UpdateEventSourceMappingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        MappingRules.Members members = new(request.BatchSize, request.MaximumBatchingWindowInSeconds, request.ParallelizationFactor, request.MaximumRecordAgeInSeconds,
            request.MaximumRetryAttempts, request.BisectBatchOnFunctionError, request.TumblingWindowInSeconds, request.FunctionResponseTypes, request.DestinationConfig, request.FilterCriteria, request.KMSKeyArn, request.MetricsConfig);
        CheckUuid(request.UUID);
        MappingRules.CheckModel(members, request.FunctionName, functionRequired: false, eventSourceArn: null, startingPosition: null);
        MappingRules.CheckRules(members);
        RegisteredFunction? function = request.FunctionName is { } name ? Functions.GetFunction(name) : null;
        lock (_control)
        {
            EventSourceMapping mapping = Lookup(request.UUID!);
            if (mapping.IsTransitioning)
            {
                throw new LambdaResourceInUse($"Cannot update the event source mapping {mapping.UUID} because it is in state {mapping.State}; retry when the change in progress completes.");
            }

            if (function is not null && function.FunctionArn != mapping.Desired.FunctionArn
                && _mappings.Values.FirstOrDefault(m => m.Source.Arn == mapping.Source.Arn && m.Desired.FunctionArn == function.FunctionArn) is { } existing)
            {
                throw new ResourceConflictException($"The event source arn (\" {mapping.Source.Arn} \") and function (\" {function.FunctionName} \") provided mapping already exists. Please update or delete the existing mapping with UUID {existing.UUID}");
            }

            MappingSettings desired = MappingRules.Apply(mapping.Desired, members) with
            {
                FunctionName = function?.FunctionName ?? mapping.Desired.FunctionName,
                FunctionArn = function?.FunctionArn ?? mapping.Desired.FunctionArn,
                Enabled = request.Enabled ?? mapping.Desired.Enabled,
            };
            mapping.State = (mapping.Desired.Enabled, desired.Enabled) switch
            {
                (false, true) => EventSourceMapping.Enabling,
                (true, false) => EventSourceMapping.Disabling,
                _ => EventSourceMapping.Updating,
            };
            mapping.Desired = desired;
            mapping.StateTransitionReason = EventSourceMapping.UserAction;
            mapping.LastModified = Now;
            UpdateEventSourceMappingResponse response = mapping.Describe(new UpdateEventSourceMappingResponse());
            BeginTransition(mapping);
            return Task.FromResult(response);
        }
    }

    /// <inheritdoc />
    public async Task<DeleteEventSourceMappingResponse> DeleteEventSourceMappingAsync(DeleteEventSourceMappingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckUuid(request.UUID);
        DeleteEventSourceMappingResponse response;
        MappingRunner? runner;
        lock (_control)
        {
            EventSourceMapping mapping = Lookup(request.UUID!);
            if (mapping.State == EventSourceMapping.Deleting)
            {
                throw new LambdaResourceInUse($"Cannot delete the event source mapping {mapping.UUID} because it is already being deleted.");
            }

            mapping.Transition?.Dispose();
            mapping.State = EventSourceMapping.Deleting;
            mapping.StateTransitionReason = EventSourceMapping.UserAction;
            mapping.LastModified = Now;
            response = mapping.Describe(new DeleteEventSourceMappingResponse());
            runner = mapping.Runner;
            BeginTransition(mapping);
        }

        // Polling stops at once: no invocation starts after Delete returns (one in flight is cancelled and not checkpointed).
        if (runner is not null)
        {
            await runner.StopAsync().ConfigureAwait(false);
        }

        return response;
    }

    /// <inheritdoc />
    public Task<ListEventSourceMappingsResponse> ListEventSourceMappingsAsync(ListEventSourceMappingsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = default(ValidationErrors);
        errors.Pattern(request.EventSourceArn, "eventSourceArn", static v => v.StartsWith("arn:", StringComparison.Ordinal), MappingRules.EventSourceArnPattern);
        errors.Pattern(request.FunctionName, "functionName", static v => FunctionNameParts.TryParse(v, out _), FunctionNameParts.Pattern);
        errors.Length(request.FunctionName, "functionName", 1, 256);
        errors.Range(request.MaxItems, "maxItems", 1, 10_000);
        if (errors.Message is { } message)
        {
            throw new LambdaValidationException(message);
        }

        long after = 0;
        if (request.Marker is { } marker && !(long.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out after) && after > 0))
        {
            throw new InvalidParameterValueException($"The marker '{marker}' is not one this service returned as NextMarker.");
        }

        string? functionArn = null;
        if (request.FunctionName is { } name)
        {
            _ = FunctionNameParts.TryParse(name, out FunctionNameParts parsed);
            functionArn = $"arn:{parsed.Partition ?? Functions.Partition}:lambda:{parsed.Region ?? Functions.Region}:{parsed.AccountId ?? Functions.AccountId}:function:{parsed.Name}";
        }

        int limit = request.MaxItems ?? 100;
        lock (_control)
        {
            List<EventSourceMapping> matching = [.. _mappings.Values
                .Where(m => m.Sequence > after && (request.EventSourceArn is null || m.Source.Arn == request.EventSourceArn) && (functionArn is null || m.Desired.FunctionArn == functionArn))
                .OrderBy(m => m.Sequence)
                .Take(limit + 1)];
            bool more = matching.Count > limit;
            if (more)
            {
                matching.RemoveAt(limit);
            }

            return Task.FromResult(new ListEventSourceMappingsResponse
            {
                EventSourceMappings = [.. matching.Select(m => m.Describe(new EventSourceMappingConfiguration()))],
                NextMarker = more ? matching[^1].Sequence.ToString(CultureInfo.InvariantCulture) : null,
            });
        }
    }

    private DateTime Now => Time.GetUtcNow().UtcDateTime;

    private static void CheckUuid(string? uuid)
    {
        if (uuid is null)
        {
            throw new LambdaValidationException("1 validation error detected: Value null at 'uUID' failed to satisfy constraint: Member must not be null");
        }
    }

    private EventSourceMapping Lookup(string uuid) =>
        _mappings.TryGetValue(uuid, out EventSourceMapping? mapping) ? mapping : throw new LambdaNotFound(MappingNotFound);

    private static void CheckKinesisArn(string arn)
    {
        string[] parts = arn.Split(':', 6);
        if (parts.Length < 6 || parts[2] != "kinesis")
        {
            throw new InvalidParameterValueException($"Unsupported event source {arn}: StreamCore maps Kinesis data streams (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME) and their enhanced fan-out consumers.");
        }
    }

    /// <summary>The stream (or consumer) the ARN names, which must exist in this engine.</summary>
    private async Task<EventSource> ResolveSourceAsync(string arn, CancellationToken cancellationToken)
    {
        try
        {
            if (Constraints.IsConsumerArn(arn))
            {
                DescribeStreamConsumerResponse consumer = await Kinesis.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = arn }, cancellationToken).ConfigureAwait(false);
                string streamArn = consumer.ConsumerDescription!.StreamARN!;
                _ = StreamArn.TryParse(streamArn, out StreamArn stream);
                return new EventSource(arn, streamArn, stream.StreamName, arn);
            }

            if (StreamArn.TryParse(arn, out StreamArn parsed) && parsed.AccountId == Engine.AccountId && parsed.Region == Engine.Region)
            {
                await Kinesis.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = arn }, cancellationToken).ConfigureAwait(false);
                return new EventSource(arn, arn, parsed.StreamName, null);
            }
        }
        catch (KinesisException)
        {
            // Not there (or not this account's): Lambda's text below.
        }

        throw new InvalidParameterValueException(Constraints.IsConsumerArn(arn) ? $"Consumer not found: {arn}" : $"Stream not found: {arn}");
    }

    /// <summary>Starts the status delay of the mapping's transitional state (under the control lock); with no delay it ends at once.</summary>
    private void BeginTransition(EventSourceMapping mapping)
    {
        mapping.Transition?.Dispose();
        mapping.Transition = null;
        if (StatusTransitionDelay <= TimeSpan.Zero)
        {
            EndTransition(mapping);
            return;
        }

        mapping.Transition = Time.CreateTimer(
            static state =>
            {
                var (service, m) = ((LambdaService, EventSourceMapping))state!;
                lock (service._control)
                {
                    service.EndTransition(m);
                }
            },
            (this, mapping),
            StatusTransitionDelay,
            Timeout.InfiniteTimeSpan);
    }

    /// <summary>Ends a transitional state (under the control lock): the desired settings take effect, or a deleted mapping goes.</summary>
    private void EndTransition(EventSourceMapping mapping)
    {
        if (!mapping.IsTransitioning || _disposed)
        {
            return;
        }

        mapping.Transition?.Dispose();
        mapping.Transition = null;
        if (mapping.State == EventSourceMapping.Deleting)
        {
            _mappings.Remove(mapping.UUID);
            return;
        }

        mapping.State = mapping.Desired.Enabled ? EventSourceMapping.Enabled : EventSourceMapping.Disabled;
        mapping.LastModified = Now;
        mapping.Effective = mapping.Desired;
        mapping.Runner?.Apply(mapping.Desired);
    }

    /// <summary>
    /// The mapping's stream (or consumer) is gone: Lambda disables the mapping and says why. Called by the poller.
    /// </summary>
    internal void SourceGone(EventSourceMapping mapping, string problem)
    {
        lock (_control)
        {
            if (!_mappings.ContainsKey(mapping.UUID) || mapping.IsTransitioning)
            {
                return;
            }

            mapping.LastProcessingResult = "PROBLEM: " + problem;
            mapping.State = EventSourceMapping.Disabled;
            mapping.StateTransitionReason = $"PROBLEM: The event source {mapping.Source.Arn} no longer exists; the mapping was disabled.";
            mapping.Desired = mapping.Desired with { Enabled = false };
            mapping.Effective = mapping.Desired;
            mapping.LastModified = Now;
            mapping.Runner?.Apply(mapping.Desired);
        }
    }
}
