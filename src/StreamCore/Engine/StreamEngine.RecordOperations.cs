using System.Collections.Concurrent;
using System.Security.Cryptography;
using StreamCore.Encryption;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Hashing;
using StreamCore.Kinesis;
using StreamCore.Metrics;
using StreamCore.Reading;
using StreamCore.Storage;
using StreamCore.Throughput;

namespace StreamCore;

/// <summary>The data plane: appends, their rules and failures.</summary>
public sealed partial class StreamEngine
{
    /// <summary>The cutoff a read uses: records that arrived at or before it are expired.</summary>
    internal static long ExpiryCutoff(StreamState stream, long nowMs) => Math.Max(nowMs - stream.RetentionMs, stream.ExpiredBeforeMs);

    /// <summary>Throws unless the stream accepts writes (not CREATING; DELETING streams still do, as in Kinesis).</summary>
    internal void RequireWritable(StreamState stream)
    {
        if (stream.Status == DataStreamStatus.Creating)
        {
            throw ErrorMessages.StreamNotFound(stream.Name, AccountId);
        }
    }

    /// <summary>Appends one record to the shard that owns <paramref name="hashKey"/>. Validation is the caller's.</summary>
    internal SequenceNumber Append(StreamState stream, UInt128 hashKey, ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, long nowMs, out ShardState shard)
    {
        if (stream.ActiveCipher is { } cipher)
        {
            return AppendEncrypted(stream, cipher, hashKey, partitionKeyUtf8, data, nowMs, out shard);
        }

        return AppendStored(stream, hashKey, partitionKeyUtf8, data, data.Length, 1, nowMs, out shard);
    }

    private SequenceNumber AppendEncrypted(StreamState stream, RecordCipher cipher, UInt128 hashKey, ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, long nowMs, out ShardState shard)
    {
        int length = data.Length + RecordCipher.Overhead;
        byte[]? rented = length > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> stored = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            cipher.Encrypt(data, stored);
            return AppendStored(stream, hashKey, partitionKeyUtf8, stored, data.Length, cipher.RecordKind, nowMs, out shard);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private SequenceNumber AppendStored(StreamState stream, UInt128 hashKey, ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, int plainLength, int kind, long nowMs, out ShardState shard)
    {
        while (true)
        {
            shard = stream.Router!.Route(hashKey);
            AppendStatus status = shard.Log.Append(partitionKeyUtf8, data, nowMs, out long index, kind);
            if (status == AppendStatus.Appended)
            {
                StreamMetrics.Add(Metrics.IncomingRecords, 1, stream, shard);
                StreamMetrics.Add(Metrics.IncomingBytes, partitionKeyUtf8.Length + plainLength, stream, shard);
                return shard.SequenceNumberAt(index, nowMs);
            }

            // A reshard publishes the new router before it closes the parents, so a closed shard means "route again";
            // the same closed shard again means the stream itself is gone.
            if (status != AppendStatus.Closed || stream.Router!.Route(hashKey) == shard)
            {
                throw AppendFailure(stream, shard, status);
            }
        }
    }

    internal Exception AppendFailure(StreamState stream, ShardState shard, AppendStatus status) => status switch
    {
        AppendStatus.MemoryFull => ErrorMessages.MemoryCapReached(shard.IdText, stream.Name, AccountId, Budget.Cap, Budget.Policy.ToString()),
        _ => ErrorMessages.StreamNotFound(stream.Name, AccountId),
    };
}
