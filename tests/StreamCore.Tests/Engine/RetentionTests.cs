using FsCheck;
using FsCheck.Xunit;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Engine;

public class RetentionTests
{
    private static List<string> ReadAll(DataStream stream)
    {
        var texts = new List<string>();
        ShardReader reader = stream.OpenReader(new ShardId(0), ShardPosition.TrimHorizon);
        while (reader.TryRead(out RecordBatch batch))
        {
            foreach (StreamRecord r in batch)
            {
                texts.Add(System.Text.Encoding.UTF8.GetString(r.Data.Span));
            }
        }

        return texts;
    }

    [Property(MaxTest = 60)]
    public bool After_any_clock_advance_exactly_the_records_older_than_retention_are_gone(NonEmptyArray<PositiveInt> gapsMinutes, PositiveInt finalAdvanceMinutes)
    {
        using var t = new TestEngine(o => o.SegmentRecordCapacity = 256);
        DataStream stream = t.Engine.CreateStream("s", 1);
        var arrivals = new List<(string Text, DateTimeOffset At)>();
        int i = 0;
        foreach (PositiveInt gap in gapsMinutes.Get.Take(400))
        {
            t.Clock.Advance(TimeSpan.FromMinutes(gap.Get % 180));
            string text = "r" + i++;
            stream.Append("k", System.Text.Encoding.UTF8.GetBytes(text));
            arrivals.Add((text, t.Clock.GetUtcNow()));
        }

        t.Clock.Advance(TimeSpan.FromMinutes(finalAdvanceMinutes.Get % (60 * 30)));
        DateTimeOffset now = t.Clock.GetUtcNow();
        List<string> expected = [.. arrivals.Where(a => now - a.At < TimeSpan.FromHours(24)).Select(a => a.Text)];
        List<string> viaReader = ReadAll(stream);
        List<string> viaKinesis = t.DrainAsync(t.IteratorAsync("s", "shardId-000000000000", ShardIteratorType.TRIM_HORIZON).Result).Result;
        return expected.SequenceEqual(viaReader) && expected.SequenceEqual(viaKinesis);
    }

    [Fact]
    public void A_record_is_readable_until_exactly_its_retention_has_passed()
    {
        using var t = new TestEngine();
        DataStream stream = t.Engine.CreateStream("s", 1);
        stream.Append("k", "x"u8);
        t.Clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1));
        Assert.Single(ReadAll(stream));
        t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Empty(ReadAll(stream));
    }

    [Fact]
    public void The_sweep_releases_memory_of_expired_records_on_the_fake_clock()
    {
        using var t = new TestEngine(o => o.SegmentRecordCapacity = 256);
        DataStream stream = t.Engine.CreateStream("s", 1);
        for (int i = 0; i < 5_000; i++)
        {
            stream.Append("k", new byte[100]);
        }

        t.Clock.Advance(TimeSpan.FromHours(1));
        stream.Append("k", new byte[100]);
        long before = t.Engine.RetainedBytes;
        t.Clock.Advance(TimeSpan.FromHours(23) + TimeSpan.FromMinutes(1));
        Assert.True(t.Engine.RetainedBytes < before / 4, $"retained {t.Engine.RetainedBytes} of {before}");
        Assert.Single(ReadAll(stream));
    }

    [Fact]
    public async Task Decreasing_retention_hides_older_records_at_once_and_increasing_never_resurrects_them()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await t.Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 48 });
        DataStream stream = t.Engine.GetStream("s");
        stream.Append("k", "old"u8);
        t.Clock.Advance(TimeSpan.FromHours(30));
        stream.Append("k", "new"u8);
        Assert.Equal(["old", "new"], ReadAll(stream));
        await t.Client.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 24 });
        Assert.Equal(["new"], ReadAll(stream));
        await t.Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 72 });
        Assert.Equal(["new"], ReadAll(stream));
    }
}
