using System.Text;
using StreamCore.Errors;

namespace StreamCore.Engine;

/// <summary>Record and shard rules both faces apply before touching state.</summary>
internal static class RecordRules
{
    /// <summary>
    /// A buffer size that holds the key's UTF-8 bytes (at most 3 per UTF-16 unit) when the key is of valid length;
    /// small so that stack buffers stay cheap to clear.
    /// </summary>
    public static int MaxUtf8Length(string? partitionKey) =>
        partitionKey is { Length: > 0 and <= Constraints.MaxPartitionKeyLength } ? partitionKey.Length * 3 : 0;

    /// <summary>
    /// Validates a record (partition key length, record size, stream writable) and encodes its partition key to UTF-8.
    /// </summary>
    public static int EncodePartitionKey(StreamEngine engine, StreamState stream, string partitionKey, int dataLength, Span<byte> destination, string path)
    {
        if (partitionKey is null || partitionKey.Length is 0 or > Constraints.MaxPartitionKeyLength)
        {
            var errors = default(ValidationErrors);
            Constraints.PartitionKey(ref errors, partitionKey, path);
            errors.ThrowIfAny();
        }

        int keyLength = Encoding.UTF8.GetBytes(partitionKey, destination);
        CheckSize(stream, keyLength + dataLength);
        engine.RequireWritable(stream);
        return keyLength;
    }

    public static void CheckSize(StreamState stream, int recordBytes)
    {
        int max = stream.MaxRecordSizeKiB;
        if (recordBytes > max * 1024)
        {
            throw ErrorMessages.RecordTooLarge(recordBytes, max);
        }
    }

    /// <summary>A shard that may be read: the stream exists and is not CREATING, and the shard exists.</summary>
    public static ShardState ReadableShard(StreamEngine engine, StreamState stream, ShardId shardId)
    {
        if (stream.Status == DataStreamStatus.Creating || !stream.TryGetShard(shardId, engine.NowMs, out ShardState shard))
        {
            throw ErrorMessages.ShardDoesNotExist(shardId, stream.Name, engine.AccountId);
        }

        return shard;
    }
}
