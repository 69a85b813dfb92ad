using System.Globalization;

namespace StreamCore;

/// <summary>
/// Identifies a shard within a stream: <c>shardId-</c> followed by a 12-digit, zero-padded index.
/// Indices start at 0, are assigned in creation order and are never reused within a stream.
/// </summary>
public readonly record struct ShardId : IComparable<ShardId>, ISpanFormattable
{
    private const string Prefix = "shardId-";

    /// <summary>Creates a shard id from its index.</summary>
    /// <param name="index">The zero-based shard index; must not be negative.</param>
    public ShardId(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Index = index;
    }

    /// <summary>The zero-based index of the shard within its stream.</summary>
    public int Index { get; }

    /// <summary>
    /// Parses a shard id the lenient way Kinesis does: the digits after the first <c>-</c>, or the whole
    /// string when it is purely numeric, so <c>shardId-5</c>, <c>5</c> and <c>a-00005</c> all name shard 5.
    /// </summary>
    /// <param name="text">The shard id as a caller gave it.</param>
    /// <param name="shardId">The parsed shard id.</param>
    /// <returns><see langword="true"/> when the text names a shard index in [0, 2147483647].</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out ShardId shardId)
    {
        int dash = text.IndexOf('-');
        ReadOnlySpan<char> digits = dash >= 0 ? text[(dash + 1)..] : text;
        shardId = default;
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return false;
        }

        shardId = new ShardId(index);
        return true;
    }

    /// <summary>Formats the id as Kinesis does, for example <c>shardId-000000000003</c>.</summary>
    public override string ToString() => string.Create(20, Index, static (span, index) =>
    {
        Prefix.CopyTo(span);
        index.TryFormat(span[Prefix.Length..], out _, "D12", CultureInfo.InvariantCulture);
    });

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        charsWritten = 0;
        if (destination.Length < 20)
        {
            return false;
        }

        Prefix.CopyTo(destination);
        Index.TryFormat(destination[Prefix.Length..], out _, "D12", CultureInfo.InvariantCulture);
        charsWritten = 20;
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(ShardId other) => Index.CompareTo(other.Index);

    /// <summary>Orders shard ids by index.</summary>
    public static bool operator <(ShardId left, ShardId right) => left.Index < right.Index;

    /// <summary>Orders shard ids by index.</summary>
    public static bool operator >(ShardId left, ShardId right) => left.Index > right.Index;

    /// <summary>Orders shard ids by index.</summary>
    public static bool operator <=(ShardId left, ShardId right) => left.Index <= right.Index;

    /// <summary>Orders shard ids by index.</summary>
    public static bool operator >=(ShardId left, ShardId right) => left.Index >= right.Index;
}
