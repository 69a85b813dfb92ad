using System.Globalization;

namespace StreamCore.Consuming;

/// <summary>
/// A position in a shard as the KCL checkpoints it: a record's sequence number and, for a user record taken out of a
/// KPL aggregate, its subsequence number; or one of the sentinels TRIM_HORIZON, LATEST, AT_TIMESTAMP (nothing
/// processed yet) and SHARD_END (the shard is done). Ordered: the sentinels of nothing-yet first, then by sequence
/// number and subsequence number, SHARD_END last.
/// </summary>
public readonly struct ExtendedSequenceNumber : IEquatable<ExtendedSequenceNumber>, IComparable<ExtendedSequenceNumber>
{
    // Null only in default(ExtendedSequenceNumber), which reads as TRIM_HORIZON.
    private readonly string? _sequenceNumber;

    private ExtendedSequenceNumber(string sequenceNumber, long subSequenceNumber)
    {
        _sequenceNumber = sequenceNumber;
        SubSequenceNumber = subSequenceNumber;
    }

    /// <summary>Before the oldest retained record.</summary>
    public static ExtendedSequenceNumber TrimHorizon => new(Lease.TrimHorizon, 0);

    /// <summary>After the newest record when reading starts.</summary>
    public static ExtendedSequenceNumber Latest => new(Lease.Latest, 0);

    /// <summary>At the initial timestamp of the consumer's options.</summary>
    public static ExtendedSequenceNumber AtTimestamp => new(Lease.AtTimestamp, 0);

    /// <summary>The shard is closed and every record of it was processed.</summary>
    public static ExtendedSequenceNumber ShardEnd => new(Lease.ShardEnd, 0);

    /// <summary>The sequence number (decimal digits), or the sentinel's name.</summary>
    public string SequenceNumber => _sequenceNumber ?? Lease.TrimHorizon;

    /// <summary>The user record's place within an aggregate (0 for a record that is not aggregated).</summary>
    public long SubSequenceNumber { get; }

    /// <summary>Whether this is one of the sentinels rather than a record's position.</summary>
    public bool IsSentinel => SequenceNumber is Lease.TrimHorizon or Lease.Latest or Lease.AtTimestamp or Lease.ShardEnd;

    /// <summary>The position of a record (or of a user record within an aggregate).</summary>
    /// <param name="sequenceNumber">The record's sequence number: decimal digits.</param>
    /// <param name="subSequenceNumber">The user record's subsequence number: 0 or more.</param>
    /// <returns>The position.</returns>
    /// <exception cref="ArgumentException">The sequence number is not decimal digits, or the subsequence number is negative.</exception>
    public static ExtendedSequenceNumber Of(string sequenceNumber, long subSequenceNumber = 0)
    {
        ArgumentNullException.ThrowIfNull(sequenceNumber);
        if (sequenceNumber.Length == 0 || sequenceNumber.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            throw new ArgumentException($"'{sequenceNumber}' is not a sequence number: expected decimal digits, as a record's SequenceNumber.", nameof(sequenceNumber));
        }

        if (subSequenceNumber < 0)
        {
            throw new ArgumentException($"Subsequence number {subSequenceNumber.ToString(CultureInfo.InvariantCulture)} is not valid: expected 0 or more.", nameof(subSequenceNumber));
        }

        return new(sequenceNumber, subSequenceNumber);
    }

    /// <summary>Reads a lease's checkpoint (sentinel or sequence number) and subsequence number.</summary>
    internal static ExtendedSequenceNumber FromLease(string? checkpoint, long subSequenceNumber) =>
        checkpoint is null ? TrimHorizon : new(checkpoint, subSequenceNumber);

    /// <inheritdoc/>
    public int CompareTo(ExtendedSequenceNumber other)
    {
        int rank = Rank(SequenceNumber).CompareTo(Rank(other.SequenceNumber));
        if (rank != 0 || IsSentinel)
        {
            return rank;
        }

        int digits = CompareDigits(SequenceNumber, other.SequenceNumber);
        return digits != 0 ? digits : SubSequenceNumber.CompareTo(other.SubSequenceNumber);
    }

    // The sentinels of "nothing processed yet" are below every record; SHARD_END above.
    private static int Rank(string value) => value switch
    {
        Lease.TrimHorizon or Lease.Latest or Lease.AtTimestamp => 0,
        Lease.ShardEnd => 2,
        _ => 1,
    };

    // Numeric order of two decimal strings of any length (sequence numbers exceed 128 bits' 39 digits on some streams).
    private static int CompareDigits(string a, string b)
    {
        ReadOnlySpan<char> x = a.AsSpan().TrimStart('0'), y = b.AsSpan().TrimStart('0');
        return x.Length != y.Length ? x.Length.CompareTo(y.Length) : x.SequenceCompareTo(y);
    }

    /// <inheritdoc/>
    public bool Equals(ExtendedSequenceNumber other) => IsSentinel || other.IsSentinel
        ? string.Equals(SequenceNumber, other.SequenceNumber, StringComparison.Ordinal)
        : CompareTo(other) == 0;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ExtendedSequenceNumber other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => IsSentinel ? SequenceNumber.GetHashCode(StringComparison.Ordinal) : HashCode.Combine(SequenceNumber.TrimStart('0'), SubSequenceNumber);

    /// <summary>The sequence number, and the subsequence number when it is not 0.</summary>
    /// <returns>For example <c>4959...</c> or <c>4959.../3</c>.</returns>
    public override string ToString() => SubSequenceNumber == 0 ? SequenceNumber : string.Create(CultureInfo.InvariantCulture, $"{SequenceNumber}/{SubSequenceNumber}");

    /// <summary>Compares two positions.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether they are the same position.</returns>
    public static bool operator ==(ExtendedSequenceNumber left, ExtendedSequenceNumber right) => left.Equals(right);

    /// <summary>Compares two positions.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(ExtendedSequenceNumber left, ExtendedSequenceNumber right) => !left.Equals(right);

    /// <summary>Compares two positions.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether <paramref name="left"/> comes first.</returns>
    public static bool operator <(ExtendedSequenceNumber left, ExtendedSequenceNumber right) => left.CompareTo(right) < 0;

    /// <summary>Compares two positions.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether <paramref name="left"/> comes later.</returns>
    public static bool operator >(ExtendedSequenceNumber left, ExtendedSequenceNumber right) => left.CompareTo(right) > 0;

    /// <summary>Compares two positions.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether <paramref name="left"/> comes first or they are the same.</returns>
    public static bool operator <=(ExtendedSequenceNumber left, ExtendedSequenceNumber right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two positions.</summary>
    /// <param name="left">One position.</param>
    /// <param name="right">Another.</param>
    /// <returns>Whether <paramref name="left"/> comes later or they are the same.</returns>
    public static bool operator >=(ExtendedSequenceNumber left, ExtendedSequenceNumber right) => left.CompareTo(right) >= 0;
}
