using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using StreamCore.Delivery.Buffering;
using StreamCore.Delivery.Validation;
using StreamCore.Functions;

namespace StreamCore.Delivery.Transformation;

/// <summary>
/// Data transformation with Lambda's Firehose contract, through the engine's function registry: records are buffered
/// (BufferSizeInMBs, default 1 MB; BufferIntervalInSeconds, default 60 s, on the engine's clock), sent as
/// <c>{invocationId, deliveryStreamArn, region, records:[{recordId, approximateArrivalTimestamp, data}]}</c>, and the
/// answer's records are matched by recordId: Ok goes on (with <c>metadata.partitionKeys</c> for dynamic
/// partitioning), Dropped goes nowhere, ProcessingFailed, a missing or unknown result, or a record the answer leaves
/// out goes to the error output. A failed invocation (function error, unreadable answer) is retried NumberOfRetries
/// times (default 3), then the whole batch goes to the error output as processing-failed.
/// </summary>
internal sealed class LambdaTransformation : IDisposable
{
    private readonly DeliveryContext _context;
    private readonly IDeliveryTarget _pipeline;
    private readonly string _streamArn;
    private readonly Lock _gate = new();
    private readonly Channel<List<IncomingRecord>> _batches = Channel.CreateUnbounded<List<IncomingRecord>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ITimer _timer;
    private readonly Task _worker;
    private ProcessorSettings _processor;
    private List<IncomingRecord> _buffer = [];
    private long _bufferedBytes;
    private long _invocations;
    private bool _stopped;
    private int _pending;
    private TaskCompletionSource _idle = Completed();

    public LambdaTransformation(DeliveryContext context, IDeliveryTarget pipeline, string streamArn, ProcessorSettings processor)
    {
        _context = context;
        _pipeline = pipeline;
        _streamArn = streamArn;
        _processor = processor;
        _timer = context.Time.CreateTimer(static s => ((LambdaTransformation)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _worker = Task.Run(InvokeAllAsync);
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    private long SizeBytes => (long)(ProcessorRules.DoubleParameter(_processor, "BufferSizeInMBs", ProcessorRules.DefaultBufferSizeInMBs) * 1024 * 1024);

    private TimeSpan Interval => TimeSpan.FromSeconds(ProcessorRules.IntParameter(_processor, "BufferIntervalInSeconds", ProcessorRules.DefaultBufferIntervalInSeconds));

    /// <summary>Takes the Lambda processor's new parameters (UpdateDestination); what is buffered goes out first.</summary>
    public void Reconfigure(ProcessorSettings processor)
    {
        lock (_gate)
        {
            DetachLocked();
            _processor = processor;
        }
    }

    /// <summary>
    /// Buffers records for the function (and, with S3 backup on, the source records for the backup), or refuses them
    /// whole, changing nothing, once this transformation has stopped (retired by an update, or the stream is stopping).
    /// </summary>
    /// <returns>Whether the records were taken.</returns>
    public bool TryAccept(ReadOnlySpan<IncomingRecord> records)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return false;
            }

            // The source backup holds what the transformation was given (and only what it took).
            _pipeline.AcceptBackup(records);
            foreach (IncomingRecord r in records)
            {
                if (_buffer.Count > 0 && _bufferedBytes + r.Data.Length > SizeBytes)
                {
                    DetachLocked();
                }

                if (_buffer.Count == 0)
                {
                    _timer.Change(Interval, Timeout.InfiniteTimeSpan);
                }

                _buffer.Add(new IncomingRecord(r.Data.ToArray(), r.ArrivalMs));
                _bufferedBytes += r.Data.Length;
            }

            return true;
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            DetachLocked();
        }
    }

    private void DetachLocked()
    {
        if (_buffer.Count == 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _pending) == 1)
        {
            _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _batches.Writer.TryWrite(_buffer);
        _buffer = [];
        _bufferedBytes = 0;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Sends what is buffered now and completes when every batch sent so far has been transformed and handed on.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            DetachLocked();
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Refuses further records, transforms what is buffered and waits for the worker.</summary>
    public async Task StopAsync()
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                _stopped = true;
                DetachLocked();
                _batches.Writer.TryComplete();
            }
        }

        await _worker.ConfigureAwait(false);
    }

    private async Task InvokeAllAsync()
    {
        await foreach (List<IncomingRecord> batch in _batches.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await TransformAsync(batch).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    if (Interlocked.Decrement(ref _pending) == 0)
                    {
                        _idle.TrySetResult();
                    }
                }
            }
        }
    }

    private async Task TransformAsync(List<IncomingRecord> batch)
    {
        ProcessorSettings processor;
        lock (_gate)
        {
            processor = _processor;
        }

        string lambdaArn = processor.Parameter("LambdaArn")!;
        int retries = ProcessorRules.IntParameter(processor, "NumberOfRetries", ProcessorRules.DefaultNumberOfRetries);
        string[] ids = [.. batch.Select((_, i) => RecordId(i))];
        byte[] request = Request(batch, ids);
        FunctionRegistry registry = _context.Engine.GetFunctionRegistry();
        string? lastError = null;
        string errorCode = "Lambda.FunctionError";
        for (int attempt = 1; attempt <= retries + 1; attempt++)
        {
            Dictionary<string, Result>? results = null;
            try
            {
                InvokeResponse response = await registry.InvokeAsync(lambdaArn, request).ConfigureAwait(false);
                if (response.IsFunctionError)
                {
                    errorCode = "Lambda.FunctionError";
                    lastError = $"The Lambda function was invoked but it returned an error: {System.Text.Encoding.UTF8.GetString(response.Payload.Span)}";
                }
                else if (!TryParse(response.Payload, out results, out lastError))
                {
                    errorCode = "Lambda.JsonProcessingException";
                }
            }
            catch (LambdaException ex)
            {
                errorCode = ex is Functions.ResourceNotFoundException ? "Lambda.FunctionNotFound" : "Lambda.InvokeFailed";
                lastError = ex.Message;
            }
#pragma warning disable CA1031 // Any failure of the invocation counts as a failed attempt (retried, then processing-failed).
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                errorCode = "Lambda.InvokeFailed";
                lastError = ex.Message;
            }

            FirehoseMetrics.Record(_context.Metrics.ProcessingSuccess, results is null ? 0 : 1, Name);
            if (results is not null)
            {
                Deliver(batch, ids, results, attempt, lambdaArn);
                return;
            }
        }

        _pipeline.AcceptFailures([.. batch.Select(r => (r, errorCode, lastError ?? "The transformation failed.", retries + 1, (string?)lambdaArn))]);
    }

    private string Name => _streamArn[(_streamArn.LastIndexOf('/') + 1)..];

    private void Deliver(List<IncomingRecord> batch, string[] ids, Dictionary<string, Result> results, int attempts, string lambdaArn)
    {
        var ok = new List<IncomingRecord>();
        var keys = new List<IReadOnlyDictionary<string, string>?>();
        var failed = new List<(IncomingRecord, string, string, int, string?)>();
        long succeeded = 0;
        for (int i = 0; i < batch.Count; i++)
        {
            if (!results.TryGetValue(ids[i], out Result? result))
            {
                failed.Add((batch[i], "Lambda.MissingRecordId", $"The transformation's answer has no record with recordId {ids[i]}.", attempts, lambdaArn));
                continue;
            }

            switch (result.Status)
            {
                case "Ok" when result.Data is { } data:
                    ok.Add(new IncomingRecord(data, batch[i].ArrivalMs));
                    keys.Add(result.PartitionKeys);
                    succeeded++;
                    break;
                case "Ok":
                    failed.Add((batch[i], "Lambda.MissingData", $"The transformation answered Ok for recordId {ids[i]} without base64 data.", attempts, lambdaArn));
                    break;
                case "Dropped":
                    succeeded++;
                    break;
                case "ProcessingFailed":
                    failed.Add((batch[i], "Lambda.ProcessingFailed", $"The transformation answered ProcessingFailed for recordId {ids[i]}.", attempts, lambdaArn));
                    break;
                default:
                    failed.Add((batch[i], "Lambda.InvalidResult", $"The transformation answered result '{result.Status}' for recordId {ids[i]}; expected Ok, Dropped or ProcessingFailed.", attempts, lambdaArn));
                    break;
            }
        }

        FirehoseMetrics.Add(_context.Metrics.ProcessingRecords, succeeded, Name);
        if (ok.Count > 0)
        {
            _pipeline.Accept(ok.ToArray(), keys, backedUp: true);
        }

        if (failed.Count > 0)
        {
            _pipeline.AcceptFailures(failed);
        }
    }

    private string RecordId(int index)
    {
        long invocation = Interlocked.Increment(ref _invocations);
        return string.Create(CultureInfo.InvariantCulture, $"{invocation:D20}{index:D6}");
    }

    private byte[] Request(List<IncomingRecord> batch, string[] ids)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("invocationId", _context.Uuid());
            json.WriteString("deliveryStreamArn", _streamArn);
            json.WriteString("region", _context.Engine.Region);
            json.WriteStartArray("records");
            for (int i = 0; i < batch.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("recordId", ids[i]);
                json.WriteNumber("approximateArrivalTimestamp", batch[i].ArrivalMs);
                json.WriteBase64String("data", batch[i].Data.Span);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static bool TryParse(ReadOnlyMemory<byte> payload, out Dictionary<string, Result>? results, out string? error)
    {
        results = null;
        error = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("records", out JsonElement records) || records.ValueKind != JsonValueKind.Array)
            {
                error = "The transformation's answer is not {\"records\":[...]}.";
                return false;
            }

            var parsed = new Dictionary<string, Result>(StringComparer.Ordinal);
            foreach (JsonElement r in records.EnumerateArray())
            {
                if (r.ValueKind != JsonValueKind.Object || !r.TryGetProperty("recordId", out JsonElement id) || id.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                string? status = r.TryGetProperty("result", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                byte[]? data = r.TryGetProperty("data", out JsonElement d) && d.ValueKind == JsonValueKind.String && d.TryGetBytesFromBase64(out byte[]? bytes) ? bytes : null;
                Dictionary<string, string>? keys = null;
                if (r.TryGetProperty("metadata", out JsonElement metadata) && metadata.ValueKind == JsonValueKind.Object
                    && metadata.TryGetProperty("partitionKeys", out JsonElement pk) && pk.ValueKind == JsonValueKind.Object)
                {
                    keys = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (JsonProperty p in pk.EnumerateObject())
                    {
                        keys[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                    }
                }

                parsed[id.GetString()!] = new Result(status ?? "(none)", data, keys);
            }

            results = parsed;
            return true;
        }
        catch (JsonException ex)
        {
            error = $"The transformation's answer is not valid JSON: {ex.Message}";
            return false;
        }
    }

    public void Dispose() => _timer.Dispose();

    private sealed record Result(string Status, byte[]? Data, Dictionary<string, string>? PartitionKeys);
}
