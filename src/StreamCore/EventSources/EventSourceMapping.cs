namespace StreamCore.EventSources;

/// <summary>
/// One mapping's record in the control plane: what never changes (UUID, source, starting position), the settings
/// requested (<see cref="Desired"/>, shown by Get) and in effect (<see cref="Effective"/>, what the poller runs), and
/// its state. Changed only under the service's control lock; the poller reads <see cref="Effective"/> and writes
/// <see cref="LastProcessingResult"/>.
/// </summary>
internal sealed class EventSourceMapping
{
    public const string Creating = "Creating";
    public const string Enabling = "Enabling";
    public const string Enabled = "Enabled";
    public const string Disabling = "Disabling";
    public const string Disabled = "Disabled";
    public const string Updating = "Updating";
    public const string Deleting = "Deleting";
    public const string UserAction = "User action";
    public const string NoRecordsProcessed = "No records processed";

    private volatile MappingSettings _effective;
    private volatile string _lastProcessingResult = NoRecordsProcessed;

    public EventSourceMapping(string uuid, string arn, EventSource source, string startingPosition, DateTime? startingPositionTimestamp, long sequence, MappingSettings settings, DateTime created)
    {
        UUID = uuid;
        Arn = arn;
        Source = source;
        StartingPosition = startingPosition;
        StartingPositionTimestamp = startingPositionTimestamp;
        Sequence = sequence;
        Desired = settings;
        _effective = settings;
        LastModified = created;
    }

    public string UUID { get; }

    public string Arn { get; }

    public EventSource Source { get; }

    public string StartingPosition { get; }

    public DateTime? StartingPositionTimestamp { get; }

    /// <summary>Creation order, for listing and paging.</summary>
    public long Sequence { get; }

    public Dictionary<string, string>? Tags { get; init; }

    /// <summary>The settings last requested (shown by Get and List).</summary>
    public MappingSettings Desired { get; set; }

    /// <summary>The settings in effect (what the poller runs).</summary>
    public MappingSettings Effective
    {
        get => _effective;
        set => _effective = value;
    }

    public string State { get; set; } = Creating;

    public string StateTransitionReason { get; set; } = UserAction;

    public DateTime LastModified { get; set; }

    public string LastProcessingResult
    {
        get => _lastProcessingResult;
        set => _lastProcessingResult = value;
    }

    /// <summary>The pending state transition's timer, when the status delay is not zero.</summary>
    public ITimer? Transition { get; set; }

    /// <summary>The poller, once the mapping has been created.</summary>
    public MappingRunner? Runner { get; set; }

    public bool IsTransitioning => State is Creating or Enabling or Disabling or Updating or Deleting;

    public T Describe<T>(T into)
        where T : EventSourceMappingDescription
    {
        MappingSettings s = Desired;
        into.UUID = UUID;
        into.EventSourceMappingArn = Arn;
        into.StartingPosition = new EventSourcePosition(StartingPosition);
        into.StartingPositionTimestamp = StartingPositionTimestamp;
        into.BatchSize = s.BatchSize;
        into.MaximumBatchingWindowInSeconds = s.MaximumBatchingWindowInSeconds;
        into.ParallelizationFactor = s.ParallelizationFactor;
        into.EventSourceArn = Source.Arn;
        into.FilterCriteria = s.FilterPatterns is { } patterns ? new FilterCriteria { Filters = [.. patterns.Select(p => new Filter { Pattern = p })] } : null;
        into.FunctionArn = s.FunctionArn;
        into.LastModified = LastModified;
        into.LastProcessingResult = LastProcessingResult;
        into.State = State;
        into.StateTransitionReason = StateTransitionReason;
        into.DestinationConfig = new DestinationConfig { OnFailure = new OnFailure { Destination = s.OnFailureDestination } };
        into.MaximumRecordAgeInSeconds = s.MaximumRecordAgeInSeconds;
        into.BisectBatchOnFunctionError = s.BisectBatchOnFunctionError;
        into.MaximumRetryAttempts = s.MaximumRetryAttempts;
        into.TumblingWindowInSeconds = s.TumblingWindowInSeconds;
        into.FunctionResponseTypes = s.ReportBatchItemFailures ? ["ReportBatchItemFailures"] : [];
        into.KMSKeyArn = s.KMSKeyArn;
        into.MetricsConfig = s.Metrics is { } metrics ? new EventSourceMappingMetricsConfig { Metrics = [.. metrics] } : null;
        return into;
    }
}

/// <summary>What a mapping reads: a stream, or an enhanced fan-out consumer of one.</summary>
/// <param name="Arn">The ARN the mapping was created with.</param>
/// <param name="StreamArn">The stream's ARN.</param>
/// <param name="StreamName">The stream's name.</param>
/// <param name="ConsumerArn">The consumer's ARN when the source is a consumer.</param>
internal sealed record EventSource(string Arn, string StreamArn, string StreamName, string? ConsumerArn);
