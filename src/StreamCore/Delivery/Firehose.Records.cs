using System.Buffers;
using StreamCore.Delivery.Validation;
using StreamCore.Delivery.Buffering;
using StreamCore.Errors;

namespace StreamCore.Delivery;

public sealed partial class Firehose
{
    /// <summary>The largest record, before base64: 1,000 KiB.</summary>
    public const int MaxRecordBytes = 1_024_000;

    /// <summary>The most records of one PutRecordBatch.</summary>
    public const int MaxBatchRecords = 500;

    /// <summary>The most bytes of one PutRecordBatch: 4 MiB.</summary>
    public const int MaxBatchBytes = 4 * 1024 * 1024;

    /// <inheritdoc/>
    public Task<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        e.Required(request.Record, "record");
        if (request.Record is { } record)
        {
            e.Required(record.Data, "record.data");
            DataLength(ref e, record.Data, "record.data");
        }

        e.ThrowIfAny();
        DeliveryStreamState state = Writable(request.DeliveryStreamName!);
        Span<IncomingRecord> one = [new IncomingRecord(Bytes(request.Record!.Data!), Engine.NowMs)];
        Accept(state, one);
        FirehoseMetrics.Add(_context.Metrics.IncomingPutRequests, 1, state.Name);
        return Task.FromResult(new PutRecordResponse { RecordId = NextRecordId(), Encrypted = state.Encrypted });
    }

    /// <inheritdoc/>
    public Task<PutRecordBatchResponse> PutRecordBatchAsync(PutRecordBatchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var e = default(ValidationErrors);
        FirehoseConstraints.DeliveryStreamName(ref e, request.DeliveryStreamName);
        e.Size(request.Records, "records", 1, MaxBatchRecords);
        long total = 0;
        for (int i = 0; i < (request.Records?.Count ?? 0); i++)
        {
            Record? record = request.Records![i];
            if (record?.Data is not { Length: <= MaxRecordBytes } data)
            {
                // Paths are built only for a record that is wrong (a valid batch allocates none).
                string path = FirehoseConstraints.Item("records", i);
                e.Required(record, path);
                e.Required(record?.Data, path + ".data");
                DataLength(ref e, record?.Data, path + ".data");
            }

            total += record?.Data?.Length ?? 0;
        }

        e.ThrowIfAny();
        if (total > MaxBatchBytes)
        {
            throw new InvalidArgumentException($"Records size exceeds 4 MB limit: the batch holds {total} bytes, at most {MaxBatchBytes} are accepted.");
        }

        DeliveryStreamState state = Writable(request.DeliveryStreamName!);
        List<Record> records = request.Records!;
        long now = Engine.NowMs;
        int count = records.Count;

        // A pooled array (cleared on return, so it holds no caller's bytes): the pipeline copies what it keeps.
        IncomingRecord[] incoming = ArrayPool<IncomingRecord>.Shared.Rent(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                incoming[i] = new IncomingRecord(Bytes(records[i].Data!), now);
            }

            Accept(state, incoming.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<IncomingRecord>.Shared.Return(incoming, clearArray: true);
        }

        var responses = new List<PutRecordBatchResponseEntry>(count);
        long first = ReserveRecordIds(count);
        for (int i = 0; i < count; i++)
        {
            responses.Add(new PutRecordBatchResponseEntry { RecordId = RecordId(first + i) });
        }

        FirehoseMetrics.Add(_context.Metrics.IncomingPutRequests, 1, state.Name);
        return Task.FromResult(new PutRecordBatchResponse { FailedPutCount = 0, Encrypted = state.Encrypted, RequestResponses = responses });
    }

    private static void DataLength(ref ValidationErrors e, MemoryStream? data, string path)
    {
        if (data is { Length: > MaxRecordBytes })
        {
            e.Add($"[{data.Length} bytes]", path, $"have length less than or equal to {MaxRecordBytes}");
        }
    }

    /// <summary>The record's bytes: its whole content, whatever its position (as the SDK sends it); no copy when the buffer is exposed.</summary>
    private static ReadOnlyMemory<byte> Bytes(MemoryStream data) =>
        data.TryGetBuffer(out ArraySegment<byte> segment) ? segment : data.ToArray();

    private DeliveryStreamState Writable(string name)
    {
        DeliveryStreamState state = Find(name);
        if (state.Type == "KinesisStreamAsSource")
        {
            throw new InvalidArgumentException("This operation is not permitted on KinesisStreamAsSource delivery stream type.");
        }

        if (state.Status != "ACTIVE")
        {
            throw new ResourceNotFoundException($"Firehose {name} under account {Account} not found.");
        }

        if (state.Stopping)
        {
            throw Stopped(state);
        }

        return state;
    }

    /// <summary>A put to a delivery stream whose Firehose was stopped (StopAsync, DisposeAsync): it delivers nothing more.</summary>
    private ServiceUnavailableException Stopped(DeliveryStreamState state) =>
        new($"Firehose {state.Name} under account {Account} is stopped (its Firehose was stopped or disposed) and accepts no more records.");

    /// <summary>Hands records to the delivery stream's pipeline (through its transformation, when it has one).</summary>
    private void Accept(DeliveryStreamState state, ReadOnlySpan<IncomingRecord> records)
    {
        long bytes = 0;
        foreach (IncomingRecord r in records)
        {
            bytes += r.Data.Length;
        }

        try
        {
            // A transformation retired by UpdateDestination refuses the records whole: route them again, to its
            // successor or straight to the pipeline. Only a stopping stream refuses them (its pipeline, or the same
            // transformation twice, says so).
            Transformation.LambdaTransformation? refusedBy = null;
            while (true)
            {
                if (state.Transformation is not { } transformation)
                {
                    state.Target.Accept(records);
                    break;
                }

                if (transformation.TryAccept(records))
                {
                    break;
                }

                if (ReferenceEquals(transformation, refusedBy) || state.Stopping)
                {
                    throw new ServiceUnavailableException($"Delivery stream {state.Name} is stopping and accepts no more records.");
                }

                refusedBy = transformation;
            }
        }
        catch (ServiceUnavailableException)
        {
            // Stopped between the status check and the append: refused whole, nothing buffered. A deleted stream is
            // gone; a stopped one (its Firehose stopped) is still there and says so.
            if (state.Status == "ACTIVE")
            {
                throw Stopped(state);
            }

            throw new ResourceNotFoundException($"Firehose {state.Name} under account {Account} not found.");
        }

        FirehoseMetrics.Add(_context.Metrics.IncomingRecords, records.Length, state.Name);
        FirehoseMetrics.Add(_context.Metrics.IncomingBytes, bytes, state.Name);
    }
}
