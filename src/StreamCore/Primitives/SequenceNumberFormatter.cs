namespace StreamCore;

/// <summary>
/// Formats a run of sequence numbers, each from the one before: consecutive numbers of a shard differ by a small
/// multiple of 2^80 (the next record) plus a small multiple of 2^36 (a later arrival second), so the next number's
/// decimal digits are the last one's plus the delta's, added limb by limb in base 10^9, and only the limbs that
/// changed are written out again. That replaces the 192-bit long division of <see cref="SequenceNumber.TryFormat"/>
/// (seven passes of six divisions) with four multiply-adds per limb. Any other step (a smaller number, another shard
/// far away) falls back to the full conversion. Equal to <see cref="SequenceNumber.ToString()"/> for any sequence of
/// numbers (a property test says so). One per run of numbers (a call's results); not thread-safe.
/// </summary>
internal sealed class SequenceNumberFormatter
{
    private const uint Billion = 1_000_000_000;
    private const int Limbs = SequenceNumber.DecimalLimbs;
    private const int Digits = Limbs * 9;

    // 2^0, 2^32, 2^64 and 2^96 in base 10^9 (least significant limb first): a 128-bit delta's four 32-bit words times these.
    private static readonly uint[][] WordPowers = [Powers(0), Powers(32), Powers(64), Powers(96)];

    private bool _started;
    private ulong _high;
    private UInt128 _low;
    private readonly uint[] _limbs = new uint[Limbs];
    private readonly char[] _digits = new char[Digits];

    /// <summary>The decimal digits of <paramref name="value"/>, valid until the next call.</summary>
    public ReadOnlySpan<char> Format(SequenceNumber value)
    {
        Span<uint> limbs = _limbs;
        Span<char> digits = _digits;
        if (!_started || !TryAdvance(value, limbs, digits))
        {
            value.ToDecimalLimbs(limbs);
            for (int i = 0; i < Limbs; i++)
            {
                SequenceNumber.WriteNineDigits(digits.Slice(Digits - (9 * (i + 1)), 9), limbs[i]);
            }

            _started = true;
        }

        _high = value.High;
        _low = value.Low;
        int top = Limbs - 1;
        while (top > 0 && limbs[top] == 0)
        {
            top--;
        }

        int length = (9 * top) + DigitCount(limbs[top]);
        return digits[(Digits - length)..];
    }

    /// <summary>Formats <paramref name="value"/> into a new string.</summary>
    public string FormatToString(SequenceNumber value) => new(Format(value));

    // Adds the delta from the last value to the last limbs; false when the delta is negative or 2^128 or more.
    private bool TryAdvance(SequenceNumber value, Span<uint> limbs, Span<char> digits)
    {
        UInt128 low = value.Low;
        ulong borrow = low < _low ? 1UL : 0UL;
        if (value.High < _high || value.High - _high != borrow)
        {
            return false;
        }

        UInt128 delta = low - _low; // wraps exactly when a borrow was taken from the high word
        Span<ulong> sum = stackalloc ulong[Limbs];
        for (int i = 0; i < Limbs; i++)
        {
            sum[i] = limbs[i];
        }

        // Each word is below 2^32 and each power limb below 10^9: four products and a limb stay below 2^64.
        for (int w = 0; w < 4; w++)
        {
            ulong word = (uint)(delta >> (32 * w));
            if (word != 0)
            {
                uint[] power = WordPowers[w];
                for (int i = 0; i < power.Length; i++)
                {
                    sum[i] += word * power[i];
                }
            }
        }

        ulong carry = 0;
        for (int i = 0; i < Limbs; i++)
        {
            ulong limb = sum[i] + carry;
            carry = limb / Billion;
            uint next = (uint)(limb - (carry * Billion));
            if (next != limbs[i])
            {
                limbs[i] = next;
                SequenceNumber.WriteNineDigits(digits.Slice(Digits - (9 * (i + 1)), 9), next);
            }
        }

        return carry == 0;
    }

    private static int DigitCount(uint limb)
    {
        int n = 1;
        while (limb >= 10)
        {
            limb /= 10;
            n++;
        }

        return n;
    }

    private static uint[] Powers(int bits)
    {
        var limbs = new List<uint>();
        UInt128 value = UInt128.One << bits;
        while (value != 0)
        {
            limbs.Add((uint)(value % Billion));
            value /= Billion;
        }

        return [.. limbs];
    }
}
