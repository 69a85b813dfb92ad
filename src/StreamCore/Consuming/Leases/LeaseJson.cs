using System.Buffers;
using System.Text.Json;

namespace StreamCore.Consuming;

/// <summary>
/// A lease as a JSON object with the KCL's attribute names (as its DynamoDB items have them), for
/// <see cref="FileSystemLeaseStore"/>'s files. Absent fields are left out; the state is base64.
/// </summary>
internal static class LeaseJson
{
    public static byte[] Write(Lease lease)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString(LeaseAttributes.LeaseKey, lease.LeaseKey);
            WriteIfNotNull(json, LeaseAttributes.LeaseOwner, lease.LeaseOwner);
            json.WriteNumber(LeaseAttributes.LeaseCounter, lease.LeaseCounter);
            WriteIfNotNull(json, LeaseAttributes.Checkpoint, lease.Checkpoint);
            json.WriteNumber(LeaseAttributes.CheckpointSubSequenceNumber, lease.CheckpointSubSequenceNumber);
            WriteIfNotNull(json, LeaseAttributes.PendingCheckpoint, lease.PendingCheckpoint);
            if (lease.PendingCheckpointSubSequenceNumber is { } pendingSub)
            {
                json.WriteNumber(LeaseAttributes.PendingCheckpointSubSequenceNumber, pendingSub);
            }

            if (lease.PendingCheckpointState is { } state)
            {
                json.WriteBase64String(LeaseAttributes.PendingCheckpointState, state);
            }

            json.WriteNumber(LeaseAttributes.OwnerSwitchesSinceCheckpoint, lease.OwnerSwitchesSinceCheckpoint);
            WriteSet(json, LeaseAttributes.ParentShardId, lease.ParentShardIds);
            WriteSet(json, LeaseAttributes.ChildShardIds, lease.ChildShardIds);
            WriteIfNotNull(json, LeaseAttributes.StartingHashKey, lease.StartingHashKey);
            WriteIfNotNull(json, LeaseAttributes.EndingHashKey, lease.EndingHashKey);
            WriteIfNotNull(json, LeaseAttributes.CheckpointOwner, lease.CheckpointOwner);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a lease file's content.</summary>
    /// <exception cref="InvalidDataException">The content is not a lease (named with <paramref name="path"/>).</exception>
    public static Lease Read(byte[] content, string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(content);
            JsonElement o = document.RootElement;
            return new Lease
            {
                LeaseKey = o.GetProperty(LeaseAttributes.LeaseKey).GetString()!,
                LeaseOwner = String(o, LeaseAttributes.LeaseOwner),
                LeaseCounter = o.GetProperty(LeaseAttributes.LeaseCounter).GetInt64(),
                Checkpoint = String(o, LeaseAttributes.Checkpoint),
                CheckpointSubSequenceNumber = Number(o, LeaseAttributes.CheckpointSubSequenceNumber) ?? 0,
                PendingCheckpoint = String(o, LeaseAttributes.PendingCheckpoint),
                PendingCheckpointSubSequenceNumber = Number(o, LeaseAttributes.PendingCheckpointSubSequenceNumber),
                PendingCheckpointState = o.TryGetProperty(LeaseAttributes.PendingCheckpointState, out JsonElement state) ? state.GetBytesFromBase64() : null,
                OwnerSwitchesSinceCheckpoint = Number(o, LeaseAttributes.OwnerSwitchesSinceCheckpoint) ?? 0,
                ParentShardIds = Set(o, LeaseAttributes.ParentShardId),
                ChildShardIds = Set(o, LeaseAttributes.ChildShardIds),
                StartingHashKey = String(o, LeaseAttributes.StartingHashKey),
                EndingHashKey = String(o, LeaseAttributes.EndingHashKey),
                CheckpointOwner = String(o, LeaseAttributes.CheckpointOwner),
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"The lease file '{path}' is not a lease: {ex.Message}", ex);
        }
    }

    private static void WriteIfNotNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteSet(Utf8JsonWriter json, string name, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (string id in ids)
        {
            json.WriteStringValue(id);
        }

        json.WriteEndArray();
    }

    private static string? String(JsonElement o, string name) => o.TryGetProperty(name, out JsonElement value) ? value.GetString() : null;

    private static long? Number(JsonElement o, string name) => o.TryGetProperty(name, out JsonElement value) ? value.GetInt64() : null;

    private static string[] Set(JsonElement o, string name) =>
        o.TryGetProperty(name, out JsonElement value) ? [.. value.EnumerateArray().Select(e => e.GetString()!)] : [];
}
