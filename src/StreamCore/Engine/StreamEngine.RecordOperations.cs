using System.Buffers;
using StreamCore.Engine.Encryption;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Hashing;
using StreamCore.Engine.Metrics;
using StreamCore.Storage;
using StreamCore.Engine.Throughput;

namespace StreamCore;

/// <summary>
/// The data plane's write side, the one path both faces call (PutRecord, PutRecords, <c>DataStream.Append</c>):
/// routing, reshard retry, fault rules, KMS key checks, encryption, throughput admission and the write metrics,
/// each exactly once. The faces validate request shapes and translate results; nothing else.
/// </summary>
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

    /// <summary>
    /// Appends one record to the shard that owns its hash key: <c>explicitHashKey</c>, or else the MD5 of
    /// <paramref name="partitionKey"/> (whose UTF-8 bytes are <c>partitionKeyUtf8</c>). The record's shape and size are the
    /// caller's to check (see <see cref="RecordRules.EncodePartitionKey"/>). Reads the clock once. <c>operation</c>
    /// names the Kinesis operation whose fault rules apply (PutRecord); the event-bus face passes null.
    /// </summary>
    internal SequenceNumber Append(StreamState stream, string partitionKey, UInt128? explicitHashKey, ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, string? operation, out ShardState shard)
    {
        UInt128 hashKey = explicitHashKey ?? KeyHashes.Hash(partitionKey, partitionKeyUtf8);
        long now = NowMs;
        shard = stream.Router!.Route(hashKey);
        if (operation is not null && Faults.Check(operation, stream.Name, shard.Id) is { } fault)
        {
            throw fault;
        }

        RecordCipher? cipher = stream.ActiveCipher;
        if (cipher is not null)
        {
            Options.KeyProvider.GetKey(cipher.KeyId); // KMS errors for a disabled or missing key
        }

        if (Throughput?.AdmitWrite(stream, shard, partitionKeyUtf8.Length + data.Length, now) is { } throttled)
        {
            StreamMetrics.Add(Metrics.WriteThrottled, 1, stream, shard);
            throw throttled;
        }

        return cipher is null
            ? AppendStored(stream, hashKey, partitionKeyUtf8, data, data.Length, 1, now, ref shard)
            : AppendEncrypted(stream, cipher, hashKey, partitionKeyUtf8, data, now, ref shard);
    }

    private SequenceNumber AppendEncrypted(StreamState stream, RecordCipher cipher, UInt128 hashKey, ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, long nowMs, ref ShardState shard)
    {
        int length = data.Length + RecordCipher.Overhead;
        byte[]? rented = length > 1024 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> stored = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            cipher.Encrypt(data, stored);
            return AppendStored(stream, hashKey, partitionKeyUtf8, stored, data.Length, cipher.RecordKind, nowMs, ref shard);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private SequenceNumber AppendStored(StreamState stream, UInt128 hashKey, ReadOnlySpan<byte> partitionKeyUtf8, ReadOnlySpan<byte> data, int plainLength, int kind, long nowMs, ref ShardState shard)
    {
        while (true)
        {
            AppendStatus status = shard.Log.Append(partitionKeyUtf8, data, nowMs, out long index, kind);
            if (status == AppendStatus.Appended)
            {
                StreamMetrics.Add(Metrics.IncomingRecords, 1, stream, shard);
                StreamMetrics.Add(Metrics.IncomingBytes, partitionKeyUtf8.Length + plainLength, stream, shard);
                return shard.SequenceNumberAt(index, nowMs);
            }

            // A reshard publishes the new router before it closes the parents, so a closed shard means "route again";
            // the same closed shard again means the stream itself is gone.
            ShardState rerouted = stream.Router!.Route(hashKey);
            if (status != AppendStatus.Closed || rerouted == shard)
            {
                throw AppendFailure(stream, shard, status);
            }

            shard = rerouted;
        }
    }

    /// <summary>
    /// Appends a batch (PutRecords, <c>DataStream.Append(AppendBatch)</c>): every record is size-checked before anything
    /// is written (a record that breaks the stream's rules fails the whole call, nothing stored), the partition keys are
    /// hashed several at a time (<see cref="Md5MultiBuffer"/>) and the payloads encrypted; fault rules and throttling
    /// then refuse single records, in request order; the rest is written with one reservation, one clock read and one
    /// publication per shard, request order kept within each shard. <c>operation</c> names the Kinesis operation
    /// whose fault rules apply (PutRecords), or is null for none.
    /// </summary>
    /// <returns>The number of records refused.</returns>
    internal int AppendBatch<TOutcomes>(StreamState stream, AppendBuffer records, string? operation, ref TOutcomes outcomes)
        where TOutcomes : struct, IAppendOutcomes
    {
        RequireWritable(stream);
        int count = records.Count;
        if (records.MaxPutLength > stream.MaxRecordSizeKiB * 1024)
        {
            for (int i = 0; i < count; i++)
            {
                RecordRules.CheckSize(stream, records.PutLength(i)); // the first record over the limit, as a loop would find it
            }
        }

        records.HashPartitionKeys();
        RecordCipher? cipher = stream.ActiveCipher;
        if (cipher is not null)
        {
            records.Encrypt(cipher);
        }

        if (operation is not null && Faults.Check(operation, stream.Name, null) is { } fault)
        {
            throw fault;
        }

        RequireKeys(stream, activeOnly: true);
        Span<int> write = records.Order(count);
        int writing = 0, refused = 0;
        long now = NowMs;
        bool perRecordFaults = operation is not null && Faults.HasPerRecordRules;
        ThroughputGovernor? throughput = Throughput;
        for (int i = 0; i < count; i++)
        {
            // Per-record faults and throttling refuse single records, in request order; the others are stored.
            KinesisException? refusal = null;
            ShardState? target = null;
            if (perRecordFaults || throughput is not null)
            {
                target = stream.Router!.Route(records.HashKey(i));
                refusal = perRecordFaults ? Faults.CheckRecord(stream.Name, target.Id) : null;
                refusal ??= throughput?.AdmitWrite(stream, target, records.PutLength(i), now);
            }

            if (refusal is not null)
            {
                outcomes.Refused(i, refusal);
                refused++;
                if (refusal is ProvisionedThroughputExceededException)
                {
                    StreamMetrics.Add(Metrics.WriteThrottled, 1, stream, target);
                }
            }
            else
            {
                write[writing++] = i;
            }
        }

        return refused + AppendRouted(stream, records, writing, ref outcomes, cipher?.RecordKind ?? 1, now);
    }

    /// <summary>
    /// Appends the buffer's records <c>Order(remaining)</c> to the shards that own their hash keys, one batch reservation
    /// per shard, keeping request order within each shard; reports each outcome and returns the failure count. A shard
    /// closed by a concurrent reshard sends its records through the new router.
    /// </summary>
    private int AppendRouted<TOutcomes>(StreamState stream, AppendBuffer records, int remaining, ref TOutcomes outcomes, int kind, long now)
        where TOutcomes : struct, IAppendOutcomes
    {
        int failed = 0;
        while (remaining > 0)
        {
            HashKeyRouter<ShardState> router = stream.Router!;
            int groups = records.GroupByShard(router, records.Order(remaining));
            Span<int> retry = records.Order(remaining); // refilled from the groups, which live apart
            int retrying = 0;
            for (int g = 0; g < groups; g++)
            {
                ShardState shard = records.Group(g, out ReadOnlySpan<int> group);
                var writer = records.Writer(group);
                AppendStatus status = shard.Log.AppendBatch(ref writer, records.StoredBytes(group), now, out long first, kind);
                if (status == AppendStatus.Closed && stream.Router != router)
                {
                    foreach (int i in group)
                    {
                        retry[retrying++] = i; // resharded under us: route these again
                    }
                }
                else if (status == AppendStatus.Appended)
                {
                    StreamMetrics.Add(Metrics.IncomingRecords, group.Length, stream, shard);
                    StreamMetrics.Add(Metrics.IncomingBytes, records.PutBytesOf(group), stream, shard); // what was put, not what is stored
                    outcomes.Stored(group, shard, shard.SequenceNumberAt(first, now));
                }
                else
                {
                    Exception error = AppendFailure(stream, shard, status);
                    foreach (int i in group)
                    {
                        outcomes.Refused(i, error);
                    }

                    failed += group.Length;
                }
            }

            remaining = retrying;
        }

        return failed;
    }

    internal Exception AppendFailure(StreamState stream, ShardState shard, AppendStatus status) => status switch
    {
        AppendStatus.MemoryFull => ErrorMessages.MemoryCapReached(shard.IdText, stream.Name, AccountId, Budget.Cap, Budget.Policy.ToString()),
        _ => ErrorMessages.StreamNotFound(stream.Name, AccountId),
    };
}
