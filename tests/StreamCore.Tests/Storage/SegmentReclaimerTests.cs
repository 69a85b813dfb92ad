using System.Text;
using StreamCore.Storage;

namespace StreamCore.Tests.Storage;

public class SegmentReclaimerTests
{
    private static ShardLog NewLog(StorageBudget budget) => new(budget, 256, 32 * 1024);

    private static void Fill(ShardLog log, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(AppendStatus.Appended, log.Append("k"u8, Encoding.UTF8.GetBytes("r" + i), i, out _));
        }
    }

    [Fact]
    public void A_rented_pin_holds_back_reclamation_during_its_read_and_releases_it_on_return()
    {
        var budget = new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 32 * 1024);
        ShardLog log = NewLog(budget);
        Fill(log, 600);
        LogPin pin = log.RentPin();
        pin.BeginRead();
        log.TrimExpired(long.MaxValue - 1);
        Assert.True(log.LimboCount > 0);
        pin.EndRead();
        log.ReturnPin(pin);
        Assert.Equal(0, log.LimboCount);
    }

    [Fact]
    public void Renting_and_returning_pins_allocates_nothing_and_takes_no_lock_in_steady_state()
    {
        var budget = new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 32 * 1024);
        ShardLog log = NewLog(budget);
        Fill(log, 10);
        log.ReturnPin(log.RentPin()); // creates the pooled pins
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            LogPin pin = log.RentPin();
            pin.BeginRead();
            _ = log.Read(0, 10, long.MaxValue, long.MinValue);
            pin.EndRead();
            log.ReturnPin(pin);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void More_rentals_than_pooled_pins_fall_back_to_ordinary_pins_and_all_protect()
    {
        var budget = new StorageBudget(null, MemoryLimitPolicy.RejectWrites, 256, 32 * 1024);
        ShardLog log = NewLog(budget);
        Fill(log, 600);
        LogPin[] pins = [.. Enumerable.Range(0, 6).Select(_ => log.RentPin())];
        Assert.Equal(6, pins.Distinct().Count());
        pins[5].BeginRead(); // a fallback pin in a read
        log.TrimExpired(long.MaxValue - 1);
        Assert.True(log.LimboCount > 0);
        pins[5].EndRead();
        foreach (LogPin pin in pins)
        {
            log.ReturnPin(pin);
        }

        Assert.Equal(0, log.LimboCount);
        Assert.True(budget.RetainedBytes >= 0);
    }
}
