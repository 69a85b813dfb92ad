using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using StreamCore.Kinesis;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Server.Services.Kinesis;

/// <summary>
/// PutRecords and GetRecords answers in JSON 1.1, written member by member with a <see cref="Utf8JsonWriter"/> straight
/// into the response: a GetRecords record's payload is base64-encoded from the response's one copy of the stored bytes
/// and its sequence number formatted from the one before, without the <see cref="MemoryStream"/> and strings the
/// model would otherwise materialize per record. The bytes equal what the source-generated contracts write (a test
/// compares them); every other operation goes through those contracts.
/// </summary>
internal static class KinesisRecordsJsonWriter
{
    // Flush to the response whenever this much is pending, so a 10 MiB answer streams instead of piling up.
    private const int FlushBytes = 64 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JsonProtocol.Options.Encoder, SkipValidation = true };
    private static readonly EpochSecondsJsonConverter Epoch = new();

    /// <summary>Writes a GetRecords answer.</summary>
    public static async Task WriteAsync(PipeWriter output, GetRecordsResponse value, CancellationToken cancellationToken)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        var formatter = new SequenceNumberFormatter();
        writer.WriteStartObject();
        writer.WriteStartArray("Records"u8);
        List<Record> records = value.Records;
        for (int i = 0; i < records.Count; i++)
        {
            WriteRecord(writer, records[i], formatter);
            if (writer.BytesPending >= FlushBytes)
            {
                writer.Flush();
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        writer.WriteEndArray();
        if (value.NextShardIterator is { } iterator)
        {
            writer.WriteString("NextShardIterator"u8, iterator);
        }

        if (value.MillisBehindLatest is { } behind)
        {
            writer.WriteNumber("MillisBehindLatest"u8, behind);
        }

        if (value.ChildShards is { } children)
        {
            writer.WritePropertyName("ChildShards"u8);
            JsonSerializer.Serialize(writer, children, JsonProtocol.Contract<List<ChildShard>>());
        }

        writer.WriteEndObject();
        writer.Flush();
    }

    /// <summary>Writes a PutRecords answer.</summary>
    public static void Write(IBufferWriter<byte> output, PutRecordsResponse value)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartObject();
        if (value.FailedRecordCount is { } failed)
        {
            writer.WriteNumber("FailedRecordCount"u8, failed);
        }

        if (value.Records is { } records)
        {
            writer.WriteStartArray("Records"u8);
            foreach (PutRecordsResultEntry entry in records)
            {
                writer.WriteStartObject();
                WriteIfSet(writer, "SequenceNumber"u8, entry.SequenceNumber);
                WriteIfSet(writer, "ShardId"u8, entry.ShardId);
                WriteIfSet(writer, "ErrorCode"u8, entry.ErrorCode);
                WriteIfSet(writer, "ErrorMessage"u8, entry.ErrorMessage);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        WriteIfSet(writer, "EncryptionType"u8, value.EncryptionType?.Value);
        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WriteRecord(Utf8JsonWriter writer, Record record, SequenceNumberFormatter formatter)
    {
        writer.WriteStartObject();
        if (record.TryGetPageSequenceNumber(out SequenceNumber sequenceNumber))
        {
            writer.WriteString("SequenceNumber"u8, formatter.Format(sequenceNumber));
        }
        else
        {
            WriteIfSet(writer, "SequenceNumber"u8, record.SequenceNumber);
        }

        if (record.ApproximateArrivalTimestamp is { } arrival)
        {
            writer.WritePropertyName("ApproximateArrivalTimestamp"u8);
            Epoch.Write(writer, arrival, JsonProtocol.Options);
        }

        if (record.TryGetPageData(out ReadOnlySpan<byte> data))
        {
            writer.WriteBase64String("Data"u8, data);
        }
        else if (record.Data is { } stream)
        {
            writer.WriteBase64String("Data"u8, WireBlobs.Span(stream));
        }

        if (record.TryGetPagePartitionKey(out ReadOnlySpan<byte> key))
        {
            writer.WriteString("PartitionKey"u8, key);
        }
        else
        {
            WriteIfSet(writer, "PartitionKey"u8, record.PartitionKey);
        }

        WriteIfSet(writer, "EncryptionType"u8, record.EncryptionType?.Value);
        writer.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
