using System.Buffers;
using System.Text;
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
    /// Appends a PutRecords batch: every record is size-checked, hashed and encrypted before anything is written (a
    /// bad record fails the whole call); fault rules and throttling then refuse single records, in request order; the
    /// rest is written with one reservation per shard, request order kept within each shard. Reads the clock once.
    /// <c>operation</c> names the Kinesis operation whose fault rules apply (PutRecords), or is null for none.
    /// </summary>
    /// <returns>The number of records refused.</returns>
    internal int AppendBatch<TOutcomes>(StreamState stream, Span<BatchRecord> records, string? operation, ref TOutcomes outcomes)
        where TOutcomes : struct, IAppendOutcomes
    {
        RequireWritable(stream);
        int count = records.Length;
        RecordCipher? cipher = stream.ActiveCipher;
        Span<byte> keyBuffer = stackalloc byte[PartitionKeyHash.MaxPartitionKeyBytes];
        for (int i = 0; i < count; i++)
        {
            ref BatchRecord record = ref records[i];
            RecordRules.CheckSize(stream, record.PartitionKeyUtf8Length + record.PlainLength);
            if (!record.HasExplicitHashKey)
            {
                int written = Encoding.UTF8.GetBytes(record.PartitionKey, keyBuffer);
                record.HashKey = KeyHashes.Hash(record.PartitionKey, keyBuffer[..written]);
            }

            if (cipher is not null)
            {
                byte[] stored = new byte[record.PlainLength + RecordCipher.Overhead];
                cipher.Encrypt(record.Data.Span, stored);
                record.Data = stored;
            }
        }

        if (operation is not null && Faults.Check(operation, stream.Name, null) is { } fault)
        {
            throw fault;
        }

        RequireKeys(stream, activeOnly: true);
        var write = new int[count];
        int writing = 0, refused = 0;
        long now = NowMs;
        bool perRecordFaults = operation is not null && Faults.HasPerRecordRules;
        ThroughputGovernor? throughput = Throughput;
        for (int i = 0; i < count; i++)
        {
            // Per-record faults and throttling refuse single records, in request order; the others are stored.
            ShardState? target = perRecordFaults || throughput is not null ? stream.Router!.Route(records[i].HashKey) : null;
            KinesisException? refusal = perRecordFaults ? Faults.CheckRecord(stream.Name, target!.Id) : null;
            refusal ??= throughput?.AdmitWrite(stream, target!, records[i].PartitionKeyUtf8Length + records[i].PlainLength, now);
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

        return refused + AppendRouted(stream, records, write, writing, ref outcomes, cipher?.RecordKind ?? 1, now);
    }

    /// <summary>
    /// Appends records to the shards that own their hash keys, one batch reservation per shard, keeping request
    /// order within each shard; reports each outcome and returns the failure count. A shard closed by a concurrent
    /// reshard sends its records through the new router.
    /// </summary>
    private int AppendRouted<TOutcomes>(StreamState stream, Span<BatchRecord> records, int[] order, int remaining, ref TOutcomes outcomes, int kind, long now)
        where TOutcomes : struct, IAppendOutcomes
    {
        int failed = 0;
        int[] shardOf = new int[remaining];
        var batch = new PendingRecord[remaining];
        while (remaining > 0)
        {
            // Route the records still to write, then group them by shard, keeping request order within a group.
            HashKeyRouter<ShardState> router = stream.Router!;
            ShardState[] byIndex = stream.Shards;
            for (int i = 0; i < remaining; i++)
            {
                shardOf[i] = router.Route(records[order[i]].HashKey).Id.Index;
            }

            Array.Sort(shardOf, order, 0, remaining);
            int retry = 0;
            for (int start = 0; start < remaining;)
            {
                int end = start;
                while (end < remaining && shardOf[end] == shardOf[start])
                {
                    end++;
                }

                Array.Sort(order, start, end - start); // request order within the shard
                ShardState shard = byIndex[shardOf[start]];
                int n = end - start;
                long bytes = 0;
                for (int j = 0; j < n; j++)
                {
                    ref readonly BatchRecord r = ref records[order[start + j]];
                    batch[j] = new PendingRecord(r.PartitionKey, r.PartitionKeyUtf8Length, r.Data);
                    bytes += r.PartitionKeyUtf8Length + r.PlainLength; // what was put, not what is stored
                }

                AppendStatus status = shard.Log.AppendBatch(batch.AsSpan(0, n), now, out long first, kind);
                if (status == AppendStatus.Closed && stream.Router != router)
                {
                    for (int j = start; j < end; j++)
                    {
                        order[retry++] = order[j]; // resharded under us: route these again
                    }
                }
                else if (status == AppendStatus.Appended)
                {
                    StreamMetrics.Add(Metrics.IncomingRecords, n, stream, shard);
                    StreamMetrics.Add(Metrics.IncomingBytes, bytes, stream, shard);
                    for (int j = 0; j < n; j++)
                    {
                        outcomes.Stored(order[start + j], shard, shard.SequenceNumberAt(first + j, now));
                    }
                }
                else
                {
                    Exception error = AppendFailure(stream, shard, status);
                    for (int j = start; j < end; j++)
                    {
                        outcomes.Refused(order[j], error);
                    }

                    failed += n;
                }

                start = end;
            }

            remaining = retry;
        }

        return failed;
    }

    internal Exception AppendFailure(StreamState stream, ShardState shard, AppendStatus status) => status switch
    {
        AppendStatus.MemoryFull => ErrorMessages.MemoryCapReached(shard.IdText, stream.Name, AccountId, Budget.Cap, Budget.Policy.ToString()),
        _ => ErrorMessages.StreamNotFound(stream.Name, AccountId),
    };
}
