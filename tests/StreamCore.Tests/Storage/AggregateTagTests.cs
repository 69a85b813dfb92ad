using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using StreamCore.Aggregation;
using StreamCore.Storage;

namespace StreamCore.Tests.Storage;

/// <summary>
/// The tag set at append for payloads that begin as KPL aggregates (what lets the consumer skip the payloads of plain
/// records): for any payload it says exactly what the aggregation format's own frame check says of the magic and the
/// length, on the single and the batch append, and it leaves the record's kind as it was given.
/// </summary>
public class AggregateTagTests
{
    private static ShardLog NewLog() =>
        new(new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 64 * 1024), maxSegmentSlots: 256, maxSegmentBytes: 64 * 1024);

    // The reference: the format's definition, not storage's constant.
    private static bool BeginsAsAggregate(byte[] payload) =>
        payload.Length > AggregatedRecordFormat.Overhead && payload.AsSpan().StartsWith(AggregatedRecordFormat.Magic);

    private static List<RecordEntry> Entries(ShardLog log)
    {
        var entries = new List<RecordEntry>();
        for (long next = 0; ;)
        {
            LogSlice slice = log.Read(next, 10_000, long.MaxValue, long.MinValue);
            if (slice.Count == 0)
            {
                return entries;
            }

            for (int i = 0; i < slice.Count; i++)
            {
                entries.Add(slice.Segment.Entries[slice.FirstSlot + i]);
            }

            next = slice.EndIndex;
        }
    }

    /// <summary>Payloads around the boundaries: the magic or a near miss of it, then 0 to 40 more bytes.</summary>
    private static Arbitrary<byte[][]> Payloads() =>
        Gen.Elements<byte[]>([], [0xF3], [0xF3, 0x89, 0x9A], [0xF3, 0x89, 0x9A, 0xC2], [0xF3, 0x89, 0x9A, 0xC3], [0xC2, 0x9A, 0x89, 0xF3], [0x00, 0xF3, 0x89, 0x9A, 0xC2])
            .SelectMany(head => Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)).Select(tail => (byte[])[.. head, .. tail]))
            .ArrayOf()
            .ToArbitrary();

    [Property(MaxTest = 200)]
    public Property The_tag_matches_the_format_and_keeps_the_kind_on_both_append_paths()
    {
        return Prop.ForAll(Payloads(), Gen.Choose(1, 5).ToArbitrary(), (payloads, kind) =>
        {
            ShardLog single = NewLog();
            foreach (byte[] payload in payloads)
            {
                Assert.Equal(AppendStatus.Appended, single.Append("k"u8, payload, 1_000, out _, kind));
            }

            ShardLog batch = NewLog();
            if (payloads.Length > 0)
            {
                PendingRecord[] records = [.. payloads.Select(p => new PendingRecord("k", 1, p))];
                Assert.Equal(AppendStatus.Appended, batch.AppendBatch(records, 1_000, out _, kind));
            }

            foreach (ShardLog log in new[] { single, batch })
            {
                List<RecordEntry> entries = Entries(log);
                Assert.Equal(payloads.Length, entries.Count);
                for (int i = 0; i < payloads.Length; i++)
                {
                    Assert.Equal(BeginsAsAggregate(payloads[i]), entries[i].StartsWithAggregateMagic);
                    Assert.Equal(kind, entries[i].Kind);
                    Assert.Equal(payloads[i].Length, entries[i].DataLength);
                }
            }
        });
    }

    /// <summary>
    /// The consumer's one-pass check of a batch (no record made): "certainly plain" from any start exactly when no record
    /// from there on may be an aggregate, with the bytes of their payloads; read in batches of a few records so starts,
    /// ends and segment boundaries vary.
    /// </summary>
    [Property(MaxTest = 100)]
    public Property A_batch_is_certainly_plain_exactly_when_none_of_its_records_may_be_an_aggregate()
    {
        return Prop.ForAll(Payloads(), Gen.Choose(1, 7).ToArbitrary(), (payloads, batchSize) =>
        {
            using var engine = new StreamEngine();
            DataStream stream = engine.CreateStream("s", 1);
            foreach (byte[] payload in payloads)
            {
                stream.Append("k", payload);
            }

            using ShardReader reader = stream.OpenReader(stream.Shards[0].ShardId, ShardPosition.TrimHorizon, batchSize);
            int seen = 0;
            while (reader.TryRead(out RecordBatch batch))
            {
                for (int start = 0; start <= batch.Count; start++)
                {
                    bool expected = true;
                    long bytes = 0;
                    for (int i = start; i < batch.Count; i++)
                    {
                        expected &= !batch[i].MayBeAggregate;
                        bytes += batch[i].Data.Length;
                    }

                    Assert.Equal(expected, batch.AreCertainlyPlain(start, out long dataBytes));
                    Assert.Equal(expected ? bytes : 0, dataBytes);
                }

                seen += batch.Count;
            }

            Assert.Equal(payloads.Length, seen);
        });
    }
}
