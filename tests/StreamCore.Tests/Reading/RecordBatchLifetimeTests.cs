using System.Runtime.CompilerServices;
using System.Text;
using StreamCore.Storage;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Reading;

/// <summary>Fault 4 of issue 9: a batch is valid until its reader reads again or is disposed, and says so when used later.</summary>
public class RecordBatchLifetimeTests
{
    private static TestEngine NewEngine() => new(o =>
    {
        o.SegmentRecordCapacity = 256;
        o.SegmentArenaBytes = 32 * 1024;
        o.MaxRetainedBytes = 256 * 1024;
        o.MemoryLimitPolicy = MemoryLimitPolicy.TrimOldest;
    });

    private static void Fill(DataStream stream, string prefix, int count)
    {
        for (int i = 0; i < count; i++)
        {
            stream.Append("k", Encoding.UTF8.GetBytes(prefix + i));
        }
    }

    [Fact]
    public void A_batch_used_after_its_reader_read_again_throws()
    {
        using TestEngine t = NewEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        Fill(stream, "r", 10);
        using ShardReader reader = stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon, maxBatchRecords: 5);
        Assert.True(reader.TryRead(out RecordBatch first));
        StreamRecord kept = first[0];
        Assert.Equal("r0", Encoding.UTF8.GetString(kept.Data.Span));
        Assert.True(reader.TryRead(out RecordBatch second));
        Assert.Equal("r5", Encoding.UTF8.GetString(second[0].Data.Span));

        InvalidOperationException stale = Assert.Throws<InvalidOperationException>(() => first[0]);
        Assert.Contains("read again", stale.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => kept.Data);
        Assert.Throws<InvalidOperationException>(() => kept.SequenceNumber);
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (StreamRecord r in first)
            {
                _ = r;
            }
        });
    }

    [Fact]
    public void A_batch_used_after_its_reader_was_disposed_throws()
    {
        using TestEngine t = NewEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        Fill(stream, "r", 10);
        ShardReader reader = stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        Assert.True(reader.TryRead(out RecordBatch batch));
        reader.Dispose();
        Assert.Throws<InvalidOperationException>(() => batch[0].Data);
    }

    [Fact]
    public void A_batch_whose_reader_was_collected_still_shows_its_own_records()
    {
        using TestEngine t = NewEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        Fill(stream, "old", 600); // three segments: the oldest one can be trimmed
        RecordBatch batch = ReadOnceAndDrop(stream);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // The cap forces the oldest storage (this batch's first) out and back into use, again and again.
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        DataStream other = t.Engine.CreateStream("other", 1);
        Fill(other, "new", 20_000);
        for (int i = 0; i < batch.Count; i++)
        {
            Assert.Equal("old" + i, Encoding.UTF8.GetString(batch[i].Data.Span));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static RecordBatch ReadOnceAndDrop(DataStream stream)
    {
        ShardReader reader = stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        Assert.True(reader.TryRead(out RecordBatch batch));
        return batch; // the reader is never disposed and becomes garbage
    }
}
