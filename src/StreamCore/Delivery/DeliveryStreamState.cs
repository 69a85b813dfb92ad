using StreamCore.Delivery.Buffering;

namespace StreamCore.Delivery;

/// <summary>
/// One delivery stream: its control-plane state (guarded by <see cref="Gate"/>) and its pipeline. The destination's
/// settings are immutable and replaced whole, with <see cref="Version"/>, by UpdateDestination.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "Its one disposable, the stop's retry signal, is deliberately never disposed (see StopAsync).")]
internal sealed class DeliveryStreamState
{
    public const string DestinationId = "destinationId-000000000001";

    public required string Name { get; init; }

    public required string Arn { get; init; }

    public required string Type { get; init; }

    public required DateTime CreateTimestamp { get; init; }

    public Lock Gate { get; } = new();

    // Transformations removed by updates, still handing on what they held (under Gate).
    private readonly List<Task> _retiring = [];

    public string Status { get; set; } = "CREATING";

    public long Version { get; set; } = 1;

    public DateTime? LastUpdateTimestamp { get; set; }

    public SortedDictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public int? ThroughputHintInMBs { get; init; }

    public KinesisStreamSourceConfiguration? KinesisSource { get; init; }

    public DateTime? DeliveryStartTimestamp { get; set; }

    /// <summary>ENABLED, ENABLING, DISABLED, DISABLING, or null when encryption was never configured.</summary>
    public string? EncryptionStatus { get; set; }

    public string? EncryptionKeyType { get; set; }

    public string? EncryptionKeyArn { get; set; }

    /// <summary>The S3 destination, or (for an OpenSearch destination) its S3 configuration.</summary>
    public required S3Settings S3 { get; set; }

    /// <summary>The OpenSearch/Elasticsearch destination, when that is the destination.</summary>
    public SearchSettings? Search { get; set; }

    public required DeliveryPipeline Pipeline { get; init; }

    /// <summary>An OpenSearch/Elasticsearch destination's pipeline, in front of <see cref="Pipeline"/> (its S3 configuration).</summary>
    public Search.SearchPipeline? SearchDelivery { get; init; }

    /// <summary>Where records go after the source and the transformation.</summary>
    public IDeliveryTarget Target => (IDeliveryTarget?)SearchDelivery ?? Pipeline;

    /// <summary>The Lambda transformation in front of the pipeline, when the destination has one.</summary>
    public Transformation.LambdaTransformation? Transformation { get; set; }

    /// <summary>
    /// Stops a transformation an update removed (under <see cref="Gate"/>): it transforms what it holds and hands it on;
    /// flushes, waits and the stop wait for that too, so nothing it held is missed or handed to a stopped pipeline.
    /// </summary>
    public void Retire(Transformation.LambdaTransformation transformation)
    {
        _retiring.RemoveAll(t => t.IsCompleted);
        _retiring.Add(transformation.StopAsync().ContinueWith(_ => transformation.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default));
    }

    private Task Retiring()
    {
        lock (Gate)
        {
            return Task.WhenAll(_retiring);
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await Retiring().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Transformation is { } transformation)
        {
            await transformation.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (SearchDelivery is { } search)
        {
            // Its failed documents and backups go to the S3 pipeline, flushed after it.
            await search.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        await Pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task WhenDeliveredAsync(CancellationToken cancellationToken)
    {
        await Retiring().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Transformation is { } transformation)
        {
            await transformation.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        }

        if (SearchDelivery is { } search)
        {
            await search.WhenDeliveredAsync(cancellationToken).ConfigureAwait(false);
        }

        await Pipeline.WhenDeliveredAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the source, then the transformation, then the pipeline: each hands everything on before it stops. The stop
    /// runs once: a later call (a delete, then the Firehose's dispose; StopAsync, then DisposeAsync) waits for the same
    /// stop, and its token, like the first one's, ends the retries of a failing destination.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task stop;
        lock (Gate)
        {
            // A source that has not started yet (the stream is still CREATING) never starts.
            Stopping = true;
            stop = _stop ??= StopOnceAsync(_abandonRetries.Token);
        }

        // _abandonRetries is never disposed: it has no timer and its wait handle is never asked for, so a call that
        // comes after the stop finished can still register on it.
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abandonRetries))
        {
            await stop.ConfigureAwait(false);
        }
    }

    private Task? _stop;

    private readonly CancellationTokenSource _abandonRetries = new();

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await Task.Yield(); // runs outside the Gate the caller holds
        if (StopSource is { } stopSource)
        {
            await stopSource(cancellationToken).ConfigureAwait(false);
        }

        await Retiring().ConfigureAwait(false);
        if (Transformation is { } transformation)
        {
            await transformation.StopAsync().ConfigureAwait(false);
            transformation.Dispose();
        }

        if (SearchDelivery is { } search)
        {
            // Before the S3 pipeline: what it gives up goes there as failed documents.
            await search.StopAsync(cancellationToken).ConfigureAwait(false);
            search.Dispose();
        }

        await Pipeline.StopAsync(cancellationToken).ConfigureAwait(false);
        Pipeline.Dispose();
    }

    public ITimer? StatusTimer { get; set; }

    /// <summary>Set (under <see cref="Gate"/>) once the delivery stream is being stopped or deleted.</summary>
    public bool Stopping { get; private set; }

    /// <summary>Stops the Kinesis source reader, when there is one.</summary>
    public Func<CancellationToken, Task>? StopSource { get; set; }

    /// <summary>The reader of a KinesisStreamAsSource's stream, with its checkpoints.</summary>
    public KinesisSourceReader? SourceReader { get; set; }

    public bool Encrypted => EncryptionStatus is "ENABLED";
}
