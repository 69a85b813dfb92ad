using StreamCore.Engine.Encryption;
using StreamCore.Engine;
using StreamCore.Errors;
using StreamCore.Engine.Metrics;
using StreamCore.Storage;

namespace StreamCore;

/// <summary>
/// The data plane's read side, the one path both faces read through (GetRecords, <c>ShardReader.TryRead</c> and the
/// subscriptions built on it): expiry, decryption, KMS key checks, read throughput and the read metrics, each once.
/// </summary>
public sealed partial class StreamEngine
{
    /// <summary>The most bytes one GetRecords call returns (10 MiB).</summary>
    internal const long MaxGetRecordsBytes = Constraints.MaxGetRecordsBytes;

    /// <summary>
    /// Reads the next batch of a shard for a long-lived reader: one pinned read of at most
    /// <paramref name="maxRecords"/> records from <paramref name="fromIndex"/>, skipping expired ones, decrypted into
    /// the reader's <paramref name="plaintext"/> buffer. The batch stays valid until the reader's next read.
    /// Reads the clock once; allocates nothing on an unencrypted stream.
    /// </summary>
    internal RecordBatch ReadBatch(StreamState stream, ShardState shard, LogPin pin, long fromIndex, int maxRecords, ref DecryptedRecords? plaintext)
    {
        long cutoff = ExpiryCutoff(stream, NowMs);
        if (stream.Ciphers.Length > 0)
        {
            RequireKeys(stream, activeOnly: false); // before the read, so a refused read leaves the reader where it was
        }

        pin.BeginRead(); // from here the previous batch is released
        Interleaving.Point("read.begun");
        LogSlice slice = shard.Log.Read(fromIndex, maxRecords, long.MaxValue, cutoff);
        Interleaving.Point("read.sliced");
        pin.EndRead(slice.FirstIndex, slice.EndIndex); // and the new one held: batches of earlier holds are stale
        if (slice.Count == 0)
        {
            return new RecordBatch(shard, slice, null, pin);
        }

        DecryptedRecords? decrypted = null;
        RecordCipher[] ciphers = KeysFor(stream);
        if (ciphers.Length > 0)
        {
            // Only streams that have ever been encrypted pay for this.
            plaintext ??= new DecryptedRecords();
            decrypted = plaintext.Load(slice, ciphers) ? plaintext : null;
        }

        if (Metrics.OutgoingRecords.Enabled || Metrics.OutgoingBytes.Enabled)
        {
            StreamMetrics.Add(Metrics.OutgoingRecords, slice.Count, stream, shard);
            StreamMetrics.Add(Metrics.OutgoingBytes, PlaintextBytes(slice), stream, shard);
        }

        return new RecordBatch(shard, slice, decrypted, pin);
    }

    /// <summary>
    /// One GetRecords call on a shard from <paramref name="fromIndex"/>: fault rules, read throughput, KMS key checks,
    /// then up to <paramref name="limit"/> records and 10 MiB handed to <paramref name="copy"/> (decrypted, valid only
    /// during the call: the storage may be recycled once the call returns), the read charged and measured once.
    /// <c>operation</c> names the Kinesis operation whose fault rules apply (GetRecords), or is null for none.
    /// </summary>
    internal GetRecordsResult GetRecords<TState>(StreamState stream, ShardState shard, long fromIndex, int limit, long nowMs, string? operation, TState state, Action<TState, StreamRecord> copy)
    {
        if (operation is not null && Faults.Check(operation, stream.Name, shard.Id) is { } fault)
        {
            throw fault;
        }

        try
        {
            Throughput?.AdmitGetRecords(stream, shard, nowMs);
        }
        catch (ProvisionedThroughputExceededException)
        {
            StreamMetrics.Add(Metrics.ReadThrottled, 1, stream, shard);
            throw;
        }

        RequireKeys(stream, activeOnly: false); // KMS errors for keys disabled since the records were written
        DecryptedRecords? plaintext = null;
        int remaining = limit;
        long remainingBytes = MaxGetRecordsBytes;
        long cutoff = ExpiryCutoff(stream, nowMs);
        long next = fromIndex;
        int records = 0;
        long bytesOut = 0;
        long millisBehind;
        bool cutByByteLimit;

        // Kinesis callers hold responses as long as they like, so records are copied out under a transient pin:
        // the engine's storage can then be recycled the moment it is trimmed. One pin for the whole call, rented
        // from the log's few pooled pins: no lock, no allocation.
        LogPin pin = shard.Log.RentPin();
        pin.BeginRead();
        try
        {
            while (remaining > 0 && remainingBytes > 0)
            {
                LogSlice slice = shard.Log.Read(next, remaining, remainingBytes, cutoff);
                next = slice.EndIndex;
                if (slice.Count == 0)
                {
                    break;
                }

                RecordCipher[] ciphers = KeysFor(stream);
                if (ciphers.Length > 0)
                {
                    plaintext ??= new DecryptedRecords();
                }

                DecryptedRecords? decrypted = plaintext is not null && plaintext.Load(slice, ciphers) ? plaintext : null;
                foreach (StreamRecord record in new RecordBatch(shard, slice, decrypted))
                {
                    copy(state, record);
                    remainingBytes -= record.StoredData.Length + record.PartitionKeyUtf8.Length;
                }

                bytesOut += PlaintextBytes(slice);
                records += slice.Count;
                remaining -= slice.Count;
            }

            millisBehind = shard.MillisBehindLatest(next, nowMs);
            cutByByteLimit = remaining > 0 && shard.Log.HasRecordAtOrAfter(next); // more was there, but not within 10 MiB
        }
        finally
        {
            pin.EndRead();
            shard.Log.ReturnPin(pin);
        }

        Throughput?.ChargeRead(shard, MaxGetRecordsBytes - remainingBytes, cutByByteLimit, nowMs);
        StreamMetrics.Add(Metrics.OutgoingRecords, records, stream, shard);
        StreamMetrics.Add(Metrics.OutgoingBytes, bytesOut, stream, shard);
        StreamMetrics.Record(Metrics.IteratorAge, millisBehind, stream, shard);

        // The end of a closed shard: no next iterator, the children to continue with, and nothing behind.
        bool atShardEnd = shard.Log.IsClosed && next >= shard.Log.EndIndex && !shard.IsOpen;
        return new GetRecordsResult(next, atShardEnd ? 0 : millisBehind, atShardEnd);
    }

    /// <summary>Starts a push subscription (SubscribeToShard), counted once as a success or as a refusal.</summary>
    internal SubscriptionState OpenSubscription(StreamState stream, ConsumerState consumer, ShardState shard)
    {
        SubscriptionState subscription;
        try
        {
            subscription = Subscribe(consumer, shard);
        }
        catch (ResourceInUseException)
        {
            StreamMetrics.Add(Metrics.SubscribeRateExceeded, 1, stream, shard);
            throw;
        }

        StreamMetrics.Add(Metrics.SubscribeSuccess, 1, stream, shard);
        return subscription;
    }

    /// <summary>Measures one event pushed to a subscriber (its records were counted as read when the subscription read them).</summary>
    internal void MeasureSubscriptionEvent(StreamState stream, ShardState shard, int records, long bytes, long millisBehindLatest)
    {
        StreamMetrics.Add(Metrics.EventRecords, records, stream, shard);
        StreamMetrics.Add(Metrics.EventBytes, bytes, stream, shard);
        StreamMetrics.Record(Metrics.EventMillisBehindLatest, millisBehindLatest, stream, shard);
    }

    /// <summary>The shard-level metric names EnableEnhancedMonitoring takes (besides ALL).</summary>
    internal static IReadOnlyList<string> ShardLevelMetricNames => StreamMetrics.ShardLevelMetricNames;

    /// <summary>
    /// The keys to decrypt a slice with, read after the slice was taken: a key joins <see cref="StreamState.Ciphers"/>
    /// before it becomes the active one, so every record the slice holds was written under a key this list has. A list
    /// read before the slice misses a key the stream got while the read ran (its records came out as ciphertext, or
    /// failed with an index out of range).
    /// </summary>
    private static RecordCipher[] KeysFor(StreamState stream) => stream.Ciphers;

    /// <summary>The bytes a slice's records hold as put: key plus plaintext (an encrypted payload less the cipher's overhead).</summary>
    private static long PlaintextBytes(LogSlice slice)
    {
        long bytes = 0;
        RecordEntry[] entries = slice.Segment.Entries;
        for (int i = slice.FirstSlot, end = slice.FirstSlot + slice.Count; i < end; i++)
        {
            ref readonly RecordEntry e = ref entries[i];
            bytes += e.KeyLength + e.DataLength - (e.Kind >= 2 ? RecordCipher.Overhead : 0);
        }

        return bytes;
    }
}
