using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamCore.Connectors;
using StreamCore.Delivery;
using StreamCore.Errors;
using StreamCore.Kinesis;

namespace StreamCore.Analytics;

/// <summary>
/// Writes window results to another stream (through the processing layer's sink: the event-bus face of the embedded
/// engine, or any <see cref="IKinesisClient"/>) or to a Firehose delivery stream (<see cref="IFirehoseClient"/>), one
/// record per result, as they come: <c>await run.Results.WriteToStreamAsync(output)</c>. Each result is written
/// exactly once, or the write fails: records rejected with a retryable error are retried (see
/// <see cref="WindowResultWriteOptions"/>); any other error, or retries exhausted, faults the returned task with the
/// service's exception, and no result after the failed batch is read. A retried record may land after records that
/// came after it.
/// </summary>
/// <remarks>
/// The default record is one line of JSON: <c>{"key":"/home","windowStart":"2026-03-01T11:00:00.000Z",
/// "windowEnd":"2026-03-01T11:01:00.000Z","value":3,"firing":"OnTime"}</c> and a newline (numbers, booleans and strings
/// as themselves, other values by their invariant text); the default partition key is the key's text.
/// </remarks>
public static class WindowResultWriter
{
    /// <summary>Writes each result as a record of <paramref name="stream"/> (the embedded engine's event-bus face).</summary>
    /// <typeparam name="TKey">The key.</typeparam>
    /// <typeparam name="TResult">The aggregation's result.</typeparam>
    /// <param name="results">The results, for example <see cref="WindowRun{TEvent, TKey, TResult}.Results"/>.</param>
    /// <param name="stream">The stream written to.</param>
    /// <param name="partitionKey">A result's partition key; default the key's text.</param>
    /// <param name="encode">A result's record data; default a JSON line.</param>
    /// <param name="options">Batching and retries.</param>
    /// <param name="cancellationToken">Stops writing.</param>
    /// <returns>The number of records written once <paramref name="results"/> ends.</returns>
    public static Task<long> WriteToStreamAsync<TKey, TResult>(
        this IAsyncEnumerable<WindowResult<TKey, TResult>> results,
        DataStream stream,
        Func<WindowResult<TKey, TResult>, string>? partitionKey = null,
        Func<WindowResult<TKey, TResult>, byte[]>? encode = null,
        WindowResultWriteOptions? options = null,
        CancellationToken cancellationToken = default)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(stream);
        return WriteAsync(results, new StreamTarget(new DataStreamRecordSink(stream)), partitionKey, encode, WindowResultWriteOptions.Checked(options), cancellationToken);
    }

    /// <summary>Writes each result as a record of the stream <paramref name="streamName"/> through any Kinesis.</summary>
    /// <typeparam name="TKey">The key.</typeparam>
    /// <typeparam name="TResult">The aggregation's result.</typeparam>
    /// <param name="results">The results, for example <see cref="WindowRun{TEvent, TKey, TResult}.Results"/>.</param>
    /// <param name="client">The Kinesis client (the embedded engine's, the StreamCore server's, Amazon Kinesis').</param>
    /// <param name="streamName">The stream written to.</param>
    /// <param name="partitionKey">A result's partition key; default the key's text.</param>
    /// <param name="encode">A result's record data; default a JSON line.</param>
    /// <param name="options">Batching and retries.</param>
    /// <param name="cancellationToken">Stops writing.</param>
    /// <returns>The number of records written once <paramref name="results"/> ends.</returns>
    public static Task<long> WriteToStreamAsync<TKey, TResult>(
        this IAsyncEnumerable<WindowResult<TKey, TResult>> results,
        IKinesisClient client,
        string streamName,
        Func<WindowResult<TKey, TResult>, string>? partitionKey = null,
        Func<WindowResult<TKey, TResult>, byte[]>? encode = null,
        WindowResultWriteOptions? options = null,
        CancellationToken cancellationToken = default)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(streamName);
        return WriteAsync(results, new StreamTarget(RecordSink.For(client, streamName)), partitionKey, encode, WindowResultWriteOptions.Checked(options), cancellationToken);
    }

    /// <summary>Writes each result as a record of the Firehose delivery stream <paramref name="deliveryStreamName"/> (PutRecordBatch).</summary>
    /// <typeparam name="TKey">The key.</typeparam>
    /// <typeparam name="TResult">The aggregation's result.</typeparam>
    /// <param name="results">The results, for example <see cref="WindowRun{TEvent, TKey, TResult}.Results"/>.</param>
    /// <param name="firehose">The Firehose client.</param>
    /// <param name="deliveryStreamName">The delivery stream (DirectPut).</param>
    /// <param name="encode">A result's record data; default a JSON line (so objects hold one result a line).</param>
    /// <param name="options">Batching and retries.</param>
    /// <param name="cancellationToken">Stops writing.</param>
    /// <returns>The number of records written once <paramref name="results"/> ends.</returns>
    public static Task<long> WriteToDeliveryStreamAsync<TKey, TResult>(
        this IAsyncEnumerable<WindowResult<TKey, TResult>> results,
        IFirehoseClient firehose,
        string deliveryStreamName,
        Func<WindowResult<TKey, TResult>, byte[]>? encode = null,
        WindowResultWriteOptions? options = null,
        CancellationToken cancellationToken = default)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(firehose);
        ArgumentException.ThrowIfNullOrEmpty(deliveryStreamName);
        return WriteAsync(results, new DeliveryStreamTarget(firehose, deliveryStreamName), null, encode, WindowResultWriteOptions.Checked(options), cancellationToken);
    }

    /// <summary>The default record: one line of JSON.</summary>
    internal static byte[] JsonLine<TKey, TResult>(WindowResult<TKey, TResult> result)
        where TKey : notnull
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WritePropertyName("key");
            WriteValue(json, result.Key);
            json.WriteString("windowStart", result.Window.StartTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("windowEnd", result.Window.EndTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WritePropertyName("value");
            WriteValue(json, result.Value);
            json.WriteString("firing", result.Firing.ToString());
            json.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue<T>(Utf8JsonWriter json, T value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): json.WriteNumberValue(f); break;
            case decimal m: json.WriteNumberValue(m); break;
            case IFormattable formattable: json.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture)); break;
            default: json.WriteStringValue(value.ToString()); break;
        }
    }

    private static string DefaultPartitionKey<TKey, TResult>(WindowResult<TKey, TResult> result)
        where TKey : notnull
    {
        string key = result.Key is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : result.Key.ToString() ?? string.Empty;
        return key.Length == 0 ? "-" : key; // a partition key has 1 to 256 characters
    }

    private static async Task<long> WriteAsync<TKey, TResult>(
        IAsyncEnumerable<WindowResult<TKey, TResult>> results,
        ResultTarget target,
        Func<WindowResult<TKey, TResult>, string>? partitionKey,
        Func<WindowResult<TKey, TResult>, byte[]>? encode,
        WindowResultWriteOptions options,
        CancellationToken cancellationToken)
        where TKey : notnull
    {
        partitionKey ??= DefaultPartitionKey;
        encode ??= JsonLine;
        long written = 0;
        var batch = new List<EncodedResult>(options.MaxBatchSize);
        long bytes = 0;
        IAsyncEnumerator<WindowResult<TKey, TResult>> enumerator = results.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                ValueTask<bool> next = enumerator.MoveNextAsync();
                if (!next.IsCompleted && batch.Count > 0)
                {
                    // Nothing more at hand: write what there is before waiting for the next result.
                    written += await FlushAsync(target, batch, options, cancellationToken).ConfigureAwait(false);
                    bytes = 0;
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                WindowResult<TKey, TResult> result = enumerator.Current;
                var record = new EncodedResult(target.UsesPartitionKeys ? partitionKey(result) : string.Empty, encode(result));
                long size = record.Data.Length + Encoding.UTF8.GetByteCount(record.PartitionKey);
                if (batch.Count > 0 && (batch.Count == options.MaxBatchSize || bytes + size > target.MaxBatchBytes))
                {
                    written += await FlushAsync(target, batch, options, cancellationToken).ConfigureAwait(false);
                    bytes = 0;
                }

                batch.Add(record);
                bytes += size;
            }

            if (batch.Count > 0)
            {
                written += await FlushAsync(target, batch, options, cancellationToken).ConfigureAwait(false);
            }
        }

        return written;
    }

    /// <summary>Writes the batch (and empties it), retrying the records that fail with a retryable error.</summary>
    private static async Task<int> FlushAsync(ResultTarget target, List<EncodedResult> batch, WindowResultWriteOptions options, CancellationToken cancellationToken)
    {
        int count = batch.Count;
        List<EncodedResult> pending = [.. batch];
        batch.Clear();
        TimeSpan delay = options.RetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            var errors = new ResultError[pending.Count];
            try
            {
                await target.WriteAsync(pending, errors, cancellationToken).ConfigureAwait(false);
            }
            catch (KinesisException ex) when (IsRetryable(ex.ErrorCode))
            {
                // The whole call was refused (throttled, unavailable): every record is retried.
                Array.Fill(errors, new ResultError(ex.ErrorCode, ex.Message));
            }

            List<EncodedResult>? failed = null;
            ResultError last = default;
            for (int i = 0; i < errors.Length; i++)
            {
                if (errors[i].Code is not { } code)
                {
                    continue;
                }

                if (!IsRetryable(code))
                {
                    throw Error(code, $"A window result could not be written to {target.Description}: {errors[i].Message}");
                }

                (failed ??= []).Add(pending[i]);
                last = errors[i];
            }

            if (failed is null)
            {
                return count;
            }

            if (attempt >= options.MaxAttempts)
            {
                throw Error(last.Code!, $"{failed.Count.ToString(CultureInfo.InvariantCulture)} window results could not be written to {target.Description} after {attempt.ToString(CultureInfo.InvariantCulture)} attempts: {last.Message}");
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
                delay += delay;
            }

            pending = failed;
        }
    }

    private static bool IsRetryable(string code) => code is "ProvisionedThroughputExceededException" or "InternalFailure" or "InternalFailureException" or "ServiceUnavailableException" or "KMSThrottlingException";

    private static KinesisException Error(string code, string message) => code switch
    {
        "ProvisionedThroughputExceededException" => new ProvisionedThroughputExceededException(message),
        "ServiceUnavailableException" => new ServiceUnavailableException(message),
        "InternalFailure" or "InternalFailureException" => new InternalFailureException(message),
        "ResourceNotFoundException" => new ResourceNotFoundException(message),
        "KMSThrottlingException" => new KMSThrottlingException(message),
        _ => new InvalidArgumentException(message),
    };

    private readonly record struct EncodedResult(string PartitionKey, byte[] Data);

    private readonly record struct ResultError(string? Code, string? Message);

    /// <summary>Where the records go: a stream (through a <see cref="RecordSink"/>) or a delivery stream.</summary>
    private abstract class ResultTarget
    {
        public abstract string Description { get; }

        public abstract long MaxBatchBytes { get; }

        public abstract bool UsesPartitionKeys { get; }

        public abstract ValueTask WriteAsync(List<EncodedResult> records, ResultError[] errors, CancellationToken cancellationToken);
    }

    private sealed class StreamTarget(RecordSink sink) : ResultTarget
    {
        public override string Description => $"stream {sink.StreamName}";

        public override long MaxBatchBytes => 5L * 1024 * 1024; // PutRecords: 5 MiB per call

        public override bool UsesPartitionKeys => true;

        public override async ValueTask WriteAsync(List<EncodedResult> records, ResultError[] errors, CancellationToken cancellationToken)
        {
            var input = new SinkRecord[records.Count];
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = new SinkRecord(records[i].PartitionKey, null, null, records[i].Data);
            }

            var output = new SinkResult[input.Length];
            await sink.PutRecordsAsync(input, output, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < output.Length; i++)
            {
                if (!output[i].Succeeded)
                {
                    errors[i] = new ResultError(output[i].ErrorCode, output[i].ErrorMessage);
                }
            }
        }
    }

    private sealed class DeliveryStreamTarget(IFirehoseClient firehose, string name) : ResultTarget
    {
        public override string Description => $"delivery stream {name}";

        public override long MaxBatchBytes => 4L * 1024 * 1024; // PutRecordBatch: 4 MiB per call

        public override bool UsesPartitionKeys => false;

        public override async ValueTask WriteAsync(List<EncodedResult> records, ResultError[] errors, CancellationToken cancellationToken)
        {
            var request = new PutRecordBatchRequest { DeliveryStreamName = name, Records = new List<Delivery.Record>(records.Count) };
            foreach (EncodedResult record in records)
            {
                request.Records.Add(new Delivery.Record { Data = new MemoryStream(record.Data, writable: false) });
            }

            PutRecordBatchResponse response = await firehose.PutRecordBatchAsync(request, cancellationToken).ConfigureAwait(false);
            List<PutRecordBatchResponseEntry> entries = response.RequestResponses ?? [];
            if (entries.Count != records.Count)
            {
                throw new InternalFailureException($"PutRecordBatch returned {entries.Count.ToString(CultureInfo.InvariantCulture)} results for {records.Count.ToString(CultureInfo.InvariantCulture)} records.");
            }

            for (int i = 0; i < entries.Count; i++)
            {
                if (entries[i].ErrorCode is { } code)
                {
                    errors[i] = new ResultError(code, entries[i].ErrorMessage);
                }
            }
        }
    }
}
