using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamCore.Connectors;
using StreamCore.Functions;

namespace StreamCore.EventSources;

/// <summary>Invoking the function with a batch, reading its response, and the on-failure records.</summary>
internal sealed partial class MappingRunner
{
    /// <summary>Whether a record passes the mapping's filters (a mapping without filters passes all).</summary>
    public bool Matches(in SourceRecord record, ShardId shardId, MappingSettings settings) =>
        MappingFilters.Matches(settings, record, shardId, this);

    /// <summary>Invokes the function once with <paramref name="items"/> (with tumbling windows, in <paramref name="window"/>) and reads the outcome.</summary>
    public async Task<Invocation> InvokeAsync(List<BatchItem> items, MappingSettings settings, string shardText, WindowTurn? window, CancellationToken stop)
    {
        if (!_service.Functions.TryGetFunction(settings.FunctionArn, out RegisteredFunction? function))
        {
            _mapping.LastProcessingResult = "PROBLEM: Function not found: " + settings.FunctionArn;
            return new Invocation(NotInvoked: true, null, null);
        }

        var records = new List<KinesisEvent.KinesisEventRecord>(items.Count);
        foreach (BatchItem item in items)
        {
            records.Add(item.Record);
        }

        Metrics.Invoked(items.Count, items.Count == 0 ? TimeSpan.Zero : Time.GetUtcNow() - items[^1].Arrival);
        if (window is { } turn)
        {
            return await InvokeInWindowAsync(function, records, items, settings, shardText, turn, stop).ConfigureAwait(false);
        }

        var evnt = new KinesisEvent { Records = records };
        FunctionOutcome<StreamsEventResponse?> outcome = await function.InvokeAsync<KinesisEvent, StreamsEventResponse?>(
            evnt,
            KinesisEventJson.Default.KinesisEvent,
            settings.ReportBatchItemFailures ? ParseResponse : static _ => null,
            stop).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            Metrics.Failed(items.Count);
            _mapping.LastProcessingResult = "PROBLEM: Function call failed";
            return new Invocation(false, outcome.Error, null);
        }

        _mapping.LastProcessingResult = "OK";
        return settings.ReportBatchItemFailures ? Evaluate(outcome.Result?.BatchItemFailures?.Select(f => f?.ItemIdentifier), items) : default;
    }

    /// <summary>
    /// Invokes the function with a window's event (its bounds, the state it returned last, whether this is the final
    /// invocation); the response must carry a state (else the invocation failed), which the window takes when the
    /// records (all, or with ReportBatchItemFailures those before the lowest failure) succeeded.
    /// </summary>
    private async Task<Invocation> InvokeInWindowAsync(RegisteredFunction function, List<KinesisEvent.KinesisEventRecord> records, List<BatchItem> items, MappingSettings settings, string shardText, WindowTurn turn, CancellationToken stop)
    {
        TumblingWindow window = turn.Window;
        var evnt = new KinesisTimeWindowEvent
        {
            Records = records,
            Window = new KinesisTimeWindowEvent.TimeWindow { Start = window.Start.UtcDateTime, End = window.End.UtcDateTime },
            State = new Dictionary<string, string>(window.State, StringComparer.Ordinal),
            ShardId = shardText,
            EventSourceARN = Source.StreamArn,
            IsFinalInvokeForWindow = turn.Final,
            IsWindowTerminatedEarly = turn.Final && window.TerminatedEarly,
        };
        FunctionOutcome<KinesisTimeWindowResponse?> outcome = await function.InvokeAsync<KinesisTimeWindowEvent, KinesisTimeWindowResponse?>(
            evnt,
            KinesisEventJson.Default.KinesisTimeWindowEvent,
            ParseWindowResponse,
            stop).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            Metrics.Failed(items.Count);
            _mapping.LastProcessingResult = "PROBLEM: Function call failed";
            return new Invocation(false, outcome.Error, null);
        }

        if (outcome.Result?.State is not { } state)
        {
            Metrics.Failed(items.Count);
            _mapping.LastProcessingResult = "PROBLEM: Function call failed";
            return new Invocation(false, InvokeResponse.Error("InvalidResponse", "A function of a mapping with tumbling windows must return a state property (KinesisTimeWindowResponse.State, {} for none): the invocation failed."), null);
        }

        _mapping.LastProcessingResult = "OK";
        Invocation result = settings.ReportBatchItemFailures ? Evaluate(outcome.Result.BatchItemFailures?.Select(f => f?.ItemIdentifier), items) : default;
        if (result.Error is null && !turn.Final)
        {
            window.Accept(state, JsonSerializer.SerializeToUtf8Bytes(state, KinesisEventJson.Default.DictionaryStringString).Length);
        }

        return result;
    }

    /// <summary>Reads a JSON function's window response; one without a state (empty, null, a misspelled key) fails the invocation.</summary>
    private static KinesisTimeWindowResponse? ParseWindowResponse(ReadOnlyMemory<byte> payload) =>
        payload.IsEmpty ? null : JsonSerializer.Deserialize(payload.Span, KinesisEventJson.Default.KinesisTimeWindowResponse);

    /// <summary>
    /// ReportBatchItemFailures: no failures (a null response or list) is a success; an empty or null itemIdentifier, or one
    /// that is not in the batch, is a complete failure; otherwise a partial failure from the lowest reported record.
    /// </summary>
    private Invocation Evaluate(IEnumerable<string?>? failures, List<BatchItem> items)
    {
        if (failures is null)
        {
            return default;
        }

        Dictionary<string, int>? index = null;
        int lowest = int.MaxValue;
        foreach (string? identifier in failures)
        {
            if (index is null)
            {
                index = new Dictionary<string, int>(items.Count, StringComparer.Ordinal);
                for (int i = 0; i < items.Count; i++)
                {
                    index[items[i].Record.Kinesis!.SequenceNumber!] = i;
                }
            }

            if (identifier is not { Length: > 0 } id || !index.TryGetValue(id, out int at))
            {
                Metrics.Failed(items.Count);
                _mapping.LastProcessingResult = "PROBLEM: Function call failed";
                return new Invocation(false, InvokeResponse.Error("InvalidBatchItemFailure", $"The itemIdentifier '{identifier}' is empty or names no record of the batch: the whole batch failed."), null);
            }

            lowest = Math.Min(lowest, at);
        }

        return index is null ? default : new Invocation(false, null, lowest);
    }

    /// <summary>Reads a JSON response for ReportBatchItemFailures; a response that is not one (a misspelled key) fails the whole batch.</summary>
    private static StreamsEventResponse? ParseResponse(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return null;
        }

        using JsonDocument document = JsonDocument.Parse(payload);
        JsonElement root = document.RootElement;
        switch (root.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Object when root.TryGetProperty("batchItemFailures", out _):
                return root.Deserialize(KinesisEventJson.Default.StreamsEventResponse);
            case JsonValueKind.Object when !root.EnumerateObject().Any():
                return null;
            default:
                throw new FormatException("The response is not a StreamsEventResponse: it has no batchItemFailures member.");
        }
    }

    /// <summary>
    /// Writes Lambda's on-failure record of discarded records to the mapping's destination; false when the destination
    /// did not take it (the caller retries: the shard waits rather than losing the record). True without a destination.
    /// </summary>
    public async Task<bool> SendFailureAsync(List<BatchItem> items, FailureCondition condition, int invocations, InvokeResponse? lastError, MappingSettings settings, string shardText, CancellationToken generation)
    {
        if (settings.OnFailureDestination is not { } arn || OnFailureDestination.Parse(arn) is not { } destination)
        {
            return true;
        }

        DateTimeOffset now = Time.GetUtcNow();
        byte[] body = FailureRecord(items, condition, invocations, lastError, settings, shardText, now, destination.Kind == OnFailureDestinationKind.S3);
        try
        {
            if (destination.Kind == OnFailureDestinationKind.Sqs)
            {
                await _service.Queues.SendMessageAsync(destination.Name, Encoding.UTF8.GetString(body), generation).ConfigureAwait(false);
            }
            else
            {
                string key = string.Create(CultureInfo.InvariantCulture, $"aws/lambda/{_mapping.UUID}/{shardText}/{now:yyyy'/'MM'/'dd}/{now:yyyy-MM-dd'T'HH.mm.ss}-{Guid.NewGuid()}");
                await _service.Buckets.PutObjectAsync(destination.Name, key, body, generation).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || generation.IsCancellationRequested)
        {
            _mapping.LastProcessingResult = $"PROBLEM: The on-failure destination {arn} did not accept the failure record: {error.Message}";
            return false;
        }

        Metrics.Delivered(items.Count);
        return true;
    }

    /// <summary>Lambda's on-failure record (for S3 with the invocation's event as <c>payload</c>).</summary>
    private byte[] FailureRecord(List<BatchItem> items, FailureCondition condition, int invocations, InvokeResponse? lastError, MappingSettings settings, string shardText, DateTimeOffset now, bool withPayload)
    {
        static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("requestContext");
            json.WriteString("requestId", Guid.NewGuid().ToString());
            json.WriteString("functionArn", settings.FunctionArn);
            json.WriteString("condition", condition.ToString());
            json.WriteNumber("approximateInvokeCount", invocations);
            json.WriteEndObject();
            if (invocations > 0)
            {
                json.WriteStartObject("responseContext");
                json.WriteNumber("statusCode", lastError?.StatusCode ?? 200);
                json.WriteString("executedVersion", lastError?.ExecutedVersion ?? InvokeResponse.LatestVersion);
                json.WriteString("functionError", lastError?.FunctionError ?? InvokeResponse.Unhandled);
                json.WriteEndObject();
            }

            json.WriteString("version", "1.0");
            json.WriteString("timestamp", Iso(now));
            json.WriteStartObject("KinesisBatchInfo");
            json.WriteString("shardId", shardText);
            json.WriteString("startSequenceNumber", items[0].Record.Kinesis!.SequenceNumber);
            json.WriteString("endSequenceNumber", items[^1].Record.Kinesis!.SequenceNumber);
            json.WriteString("approximateArrivalOfFirstRecord", Iso(items[0].Arrival));
            json.WriteString("approximateArrivalOfLastRecord", Iso(items[^1].Arrival));
            json.WriteNumber("batchSize", items.Count);
            json.WriteString("streamArn", Source.StreamArn);
            json.WriteEndObject();
            if (withPayload)
            {
                var records = new List<KinesisEvent.KinesisEventRecord>(items.Count);
                foreach (BatchItem item in items)
                {
                    records.Add(item.Record);
                }

                json.WriteString("payload", Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(new KinesisEvent { Records = records }, KinesisEventJson.Default.KinesisEvent)));
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>A mapping's share of the Lambda instruments, tagged with its function and UUID.</summary>
internal sealed class RunnerMetrics(MappingMetrics metrics, EventSourceMapping mapping)
{
    private readonly KeyValuePair<string, object?> _uuid = new("EventSourceMappingUUID", mapping.UUID);

    private KeyValuePair<string, object?> Function => new("FunctionName", mapping.Effective.FunctionName);

    public void Polled(long polled, long filtered)
    {
        if (polled > 0)
        {
            metrics.PolledEventCount.Add(polled, _uuid, Function);
        }

        if (filtered > 0)
        {
            metrics.FilteredOutEventCount.Add(filtered, _uuid, Function);
        }
    }

    public void Invoked(int records, TimeSpan iteratorAge)
    {
        metrics.Invocations.Add(1, _uuid, Function);
        metrics.InvokedEventCount.Add(records, _uuid, Function);
        metrics.IteratorAge.Record(Math.Max(0, iteratorAge.TotalMilliseconds), _uuid, Function);
    }

    public void Failed(int records)
    {
        metrics.Errors.Add(1, _uuid, Function);
        metrics.FailedInvokeEventCount.Add(records, _uuid, Function);
    }

    public void Dropped(int records) => metrics.DroppedEventCount.Add(records, _uuid, Function);

    public void Delivered(int records) => metrics.OnFailureDestinationDeliveredEventCount.Add(records, _uuid, Function);
}
