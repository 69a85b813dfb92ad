using System.Globalization;
using System.Numerics;
using FsCheck;
using FsCheck.Xunit;

namespace StreamCore.Tests.Primitives;

/// <summary>The incremental formatter writes exactly what the full formatter writes, for any sequence of numbers.</summary>
public class SequenceNumberFormatterTests
{
    private const long MaxSeconds = (1L << 36) - 1;

    /// <summary>
    /// One step of a run: mostly the next record of the same shard (same or a later second), sometimes a jump
    /// anywhere (another shard, an earlier number, the largest fields).
    /// </summary>
    public sealed record Step(int Kind, long Seconds, int Shard, long Index, long Arrival);

    [Property(MaxTest = 500)]
    public bool Equals_the_full_formatter_for_any_sequence_of_numbers(Step[] steps, NonNegativeInt start)
    {
        var formatter = new SequenceNumberFormatter();
        long creation = 1_700_000_000, index = start.Get, arrival = 1_700_000_000;
        int shard = 0;
        foreach (Step step in steps)
        {
            switch (Math.Abs(step.Kind % 6))
            {
                case 0 or 1: index++; break; // the next record, same second
                case 2: index++; arrival = Math.Min(MaxSeconds, arrival + Math.Abs(step.Arrival % 5)); break; // a later second
                case 3: index += Math.Abs(step.Index % 1000); break; // a gap
                case 4: // anywhere, including smaller numbers and the extremes of every field
                    creation = Math.Abs(step.Seconds % (MaxSeconds + 1));
                    shard = Math.Abs(step.Shard);
                    index = step.Index == long.MinValue ? long.MaxValue : Math.Abs(step.Index);
                    arrival = Math.Abs(step.Arrival % (MaxSeconds + 1));
                    break;
                default: arrival = Math.Max(0, arrival - 1); break; // the clock stepped back
            }

            var number = new SequenceNumber(creation, shard, index, arrival);
            if (!formatter.Format(number).SequenceEqual(number.ToString()))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void Carries_across_every_limb_and_grows_digits()
    {
        // From 0 (one digit) upwards by powers of two: every carry chain and digit count change is crossed.
        var formatter = new SequenceNumberFormatter();
        for (long i = 0; i < 5_000; i++)
        {
            var number = new SequenceNumber(0, 0, i * 997, i / 3);
            Assert.Equal(number.ToString(), new string(formatter.Format(number)));
        }

        var max = new SequenceNumber(MaxSeconds, int.MaxValue, long.MaxValue, MaxSeconds);
        Assert.Equal(max.ToString(), formatter.FormatToString(max));
        Assert.Equal(BigInteger.Parse(max.ToString(), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture), formatter.FormatToString(max));
    }

    [Property(MaxTest = 500)]
    public bool Advance_equals_building_the_number_with_the_later_index(NonNegativeInt creation, NonNegativeInt shard, long index, NonNegativeInt arrival, int records)
    {
        long start = index == long.MinValue ? 0 : Math.Abs(index);
        long step = Math.Abs((long)records);
        if (start > long.MaxValue - step)
        {
            start = long.MaxValue - step; // the largest index is the closing number's
        }

        var first = new SequenceNumber(creation.Get, shard.Get, start, arrival.Get);
        return first.Advance(step) == new SequenceNumber(creation.Get, shard.Get, start + step, arrival.Get)
            && first.Advance(0) == first;
    }

    [Fact]
    public void Advance_carries_from_the_low_48_bits_of_the_index_into_the_high_word()
    {
        var first = new SequenceNumber(1_700_000_000, 7, (1L << 48) - 2, 1_700_000_001);
        Assert.Equal(new SequenceNumber(1_700_000_000, 7, (1L << 48) + 5, 1_700_000_001), first.Advance(7));
    }
}
