using System.Diagnostics;

namespace StreamCore;

/// <summary>
/// A Kinesis sequence number: a decimal string of about 56 digits that orders records within a shard.
/// </summary>
/// <remarks>
/// The value follows the layout AWS uses (47 hex digits): <c>2</c> | shard creation epoch seconds (9) |
/// low hex digit of the shard index (1) | sequence index within the shard (16, top bit clear) | <c>00</c> |
/// record arrival epoch seconds (9) | shard index (8) | version <c>2</c>. Numeric order is therefore the shard's
/// creation time, then write order within the shard; a sequence number names the shard it came from. The
/// value is kept as its raw 192-bit integer, so comparison is an integer compare and neither parsing nor
/// formatting allocates.
/// </remarks>
public readonly struct SequenceNumber : IEquatable<SequenceNumber>, IComparable<SequenceNumber>, ISpanFormattable
{
    /// <summary>The longest decimal form a valid sequence number has (2^188 has 57 digits).</summary>
    internal const int MaxDecimalDigits = 57;

    // The sequence index an EndingSequenceNumber carries: larger than any record's.
    internal const long ClosingSequenceIndex = long.MaxValue;

    private const long MaxSeconds = (1L << 36) - 1;

    // Invariant: bits 128..191 of the value; bits 60..63 are always clear for a valid number.
    private readonly ulong _high;

    // Invariant: bits 0..127 of the value.
    private readonly UInt128 _low;

    private SequenceNumber(ulong high, UInt128 low)
    {
        _high = high;
        _low = low;
    }

    internal SequenceNumber(long shardCreationSeconds, int shardIndex, long sequenceIndex, long arrivalSeconds)
    {
        Debug.Assert(shardCreationSeconds is >= 0 and <= MaxSeconds);
        Debug.Assert(arrivalSeconds is >= 0 and <= MaxSeconds);
        Debug.Assert(sequenceIndex >= 0 && shardIndex >= 0);
        _low = (UInt128)2
            | ((UInt128)(uint)shardIndex << 4)
            | ((UInt128)(ulong)arrivalSeconds << 36)
            | ((UInt128)(ulong)sequenceIndex << 80);
        _high = ((ulong)sequenceIndex >> 48)
            | ((ulong)(shardIndex & 0xF) << 16)
            | ((ulong)shardCreationSeconds << 20)
            | (2UL << 56);
    }

    /// <summary>The shard this sequence number belongs to.</summary>
    public ShardId ShardId => new(ShardIndex);

    internal int ShardIndex => (int)(uint)(_low >> 4);

    internal long ShardCreationSeconds => (long)((_high >> 20) & MaxSeconds);

    // 0 for a shard's StartingSequenceNumber; record n of a shard (0-based) has n + 1.
    internal long SequenceIndex => (long)((ulong)(_low >> 80) | (_high & 0xFFFF) << 48);

    internal long ArrivalSeconds => (long)(ulong)((_low >> 36) & MaxSeconds);

    /// <summary>
    /// Parses the decimal form of a sequence number and checks that it has the layout StreamCore and AWS
    /// produce. Does not allocate.
    /// </summary>
    /// <param name="text">Decimal digits.</param>
    /// <param name="value">The parsed sequence number.</param>
    /// <returns><see langword="false"/> when the text is not a well-formed sequence number.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out SequenceNumber value)
    {
        value = default;
        if (text.IsEmpty || text.Length > MaxDecimalDigits || text.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        // Accumulate 19 digits at a time into three 64-bit limbs.
        ulong l0 = 0, l1 = 0, l2 = 0;
        int first = text.Length % 19;
        if (first == 0)
        {
            first = 19;
        }

        for (int start = 0, len = first; start < text.Length; start += len, len = 19)
        {
            ReadOnlySpan<char> chunk = text.Slice(start, len);
            ulong multiplier = Pow10(len);
            ulong add = 0;
            foreach (char c in chunk)
            {
                add = (add * 10) + (ulong)(c - '0');
            }

            UInt128 p0 = ((UInt128)l0 * multiplier) + add;
            UInt128 p1 = ((UInt128)l1 * multiplier) + (ulong)(p0 >> 64);
            UInt128 p2 = ((UInt128)l2 * multiplier) + (ulong)(p1 >> 64);
            if ((p2 >> 64) != 0)
            {
                return false;
            }

            l0 = (ulong)p0;
            l1 = (ulong)p1;
            l2 = (ulong)p2;
        }

        var candidate = new SequenceNumber(l2, ((UInt128)l1 << 64) | l0);
        if (!candidate.HasValidLayout())
        {
            return false;
        }

        value = candidate;
        return true;
    }

    /// <summary>Parses a sequence number, throwing <see cref="FormatException"/> when it is malformed.</summary>
    /// <param name="text">Decimal digits.</param>
    /// <returns>The parsed sequence number.</returns>
    public static SequenceNumber Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out SequenceNumber value)
            ? value
            : throw new FormatException($"'{text}' is not a Kinesis sequence number: expected the decimal digits of a value StreamCore or Kinesis issued.");
    }

    private bool HasValidLayout() =>
        (_high >> 56) == 2 // leading hex digit 2, nothing above it
        && (byte)(_low & 0xF) == 2 // version 2
        && (byte)(_low >> 72) == 0 // the reserved byte
        && ((_high >> 16) & 0xF) == (ulong)(ShardIndex & 0xF)
        && (_high & 0x8000) == 0 // top bit of the sequence index
        && ShardIndex >= 0;

    /// <summary>Formats the sequence number as its decimal digits.</summary>
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[63];
        _ = TryFormat(buffer, out int written, default, null);
        return new string(buffer[..written]);
    }

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        Span<uint> limbs = stackalloc uint[DecimalLimbs];
        ToDecimalLimbs(limbs);
        Span<char> digits = stackalloc char[DecimalLimbs * 9];
        for (int i = 0; i < DecimalLimbs; i++)
        {
            WriteNineDigits(digits.Slice(digits.Length - (9 * (i + 1)), 9), limbs[i]);
        }

        ReadOnlySpan<char> significant = digits.TrimStart('0');
        if (significant.IsEmpty)
        {
            significant = "0";
        }

        if (significant.Length > destination.Length)
        {
            charsWritten = 0;
            return false;
        }

        significant.CopyTo(destination);
        charsWritten = significant.Length;
        return true;
    }

    /// <summary>Base-10^9 limbs of a 192-bit value: 7 hold every valid sequence number (57 digits), least significant first.</summary>
    internal const int DecimalLimbs = 7;

    /// <summary>
    /// The sequence number <paramref name="records"/> records later in the same shard and second: the sequence index
    /// (bits 80..143 of the value) plus <paramref name="records"/>, one 192-bit addition. Equal to building the number
    /// from its fields (a property test says so).
    /// </summary>
    internal SequenceNumber Advance(long records)
    {
        Debug.Assert(records >= 0 && SequenceIndex + records >= SequenceIndex);
        UInt128 add = (UInt128)(ulong)records << 80;
        UInt128 low = _low + add;
        ulong carry = low < _low ? 1UL : 0UL;
        return new SequenceNumber(_high + ((ulong)records >> 48) + carry, low);
    }

    /// <summary>Bits 128..191 of the value.</summary>
    internal ulong High => _high;

    /// <summary>Bits 0..127 of the value.</summary>
    internal UInt128 Low => _low;

    /// <summary>
    /// The value in base 10^9, least significant limb first (<see cref="DecimalLimbs"/> of them). Long division of the
    /// 192-bit value, as six 32-bit limbs, by 10^9: each step is a 64-bit division by a constant (a multiply), so it
    /// costs a few dozen multiplies rather than 128-bit software divisions.
    /// </summary>
    internal void ToDecimalLimbs(Span<uint> decimalLimbs)
    {
        const uint Billion = 1_000_000_000;
        Span<uint> limbs = [(uint)(ulong)_low, (uint)((ulong)_low >> 32), (uint)(ulong)(_low >> 64), (uint)(ulong)(_low >> 96), (uint)_high, (uint)(_high >> 32)];
        decimalLimbs[..DecimalLimbs].Clear();
        int top = 5;
        for (int d = 0; d < DecimalLimbs; d++)
        {
            ulong remainder = 0;
            for (int i = top; i >= 0; i--)
            {
                ulong current = (remainder << 32) | limbs[i];
                limbs[i] = (uint)(current / Billion);
                remainder = current % Billion;
            }

            decimalLimbs[d] = (uint)remainder;
            while (top > 0 && limbs[top] == 0)
            {
                top--;
            }

            if (top == 0 && limbs[0] == 0)
            {
                break;
            }
        }
    }

    // "00", "01", ... "99": two digits per division.
    private static ReadOnlySpan<byte> DigitPairs => "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    // Two digits a step; inner groups keep their leading zeros (the caller trims the number's own).
    internal static void WriteNineDigits(Span<char> destination, uint value)
    {
        ReadOnlySpan<byte> pairs = DigitPairs;
        for (int i = 8; i > 0; i -= 2)
        {
            uint rest = value / 100;
            int pair = (int)(value - (rest * 100)) * 2;
            destination[i - 1] = (char)pairs[pair];
            destination[i] = (char)pairs[pair + 1];
            value = rest;
        }

        destination[0] = (char)('0' + value);
    }

    private static ulong Pow10(int n)
    {
        ulong p = 1;
        for (int i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }

    /// <inheritdoc />
    public bool Equals(SequenceNumber other) => _high == other._high && _low == other._low;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SequenceNumber other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_high, _low);

    /// <inheritdoc />
    public int CompareTo(SequenceNumber other)
    {
        int c = _high.CompareTo(other._high);
        return c != 0 ? c : _low.CompareTo(other._low);
    }

    /// <summary>Compares two sequence numbers for equality.</summary>
    public static bool operator ==(SequenceNumber left, SequenceNumber right) => left.Equals(right);

    /// <summary>Compares two sequence numbers for inequality.</summary>
    public static bool operator !=(SequenceNumber left, SequenceNumber right) => !left.Equals(right);

    /// <summary>Orders sequence numbers numerically.</summary>
    public static bool operator <(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) < 0;

    /// <summary>Orders sequence numbers numerically.</summary>
    public static bool operator >(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) > 0;

    /// <summary>Orders sequence numbers numerically.</summary>
    public static bool operator <=(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) <= 0;

    /// <summary>Orders sequence numbers numerically.</summary>
    public static bool operator >=(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) >= 0;
}
