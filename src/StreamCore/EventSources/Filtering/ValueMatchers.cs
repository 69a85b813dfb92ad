using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;

namespace StreamCore.EventSources.Filtering;

/// <summary>The JSON type of a leaf value of the event.</summary>
internal enum LeafKind : byte
{
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>
/// One leaf value of the event as the matchers see it: its JSON type and its text (a string's unescaped UTF-8, a
/// number's JSON text as written, since exact matching compares numbers as text: 300, 300.0 and 3.0e2 differ).
/// </summary>
internal readonly ref struct LeafValue(LeafKind kind, ReadOnlySpan<byte> text)
{
    public LeafKind Kind { get; } = kind;

    public ReadOnlySpan<byte> Text { get; } = text;

    public bool IsString => Kind == LeafKind.String;

    /// <summary>The value of a JSON number as an IEEE double (what <c>numeric</c> and numeric anything-but compare).</summary>
    public bool TryGetNumber(out double value)
    {
        value = 0;
        return Kind == LeafKind.Number && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }
}

/// <summary>One condition of a pattern's leaf (an element of the leaf's array): exact value, prefix, numeric range, ...</summary>
internal abstract class ValueMatcher
{
    public abstract bool Matches(LeafValue value);

    /// <summary>Runs <paramref name="test"/> on the value's text as UTF-16 (for the case-insensitive and IP operators).</summary>
    protected static bool OnChars<TState>(ReadOnlySpan<byte> utf8, TState state, Func<ReadOnlySpan<char>, TState, bool> test)
    {
        int max = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        char[]? rented = null;
        Span<char> chars = max <= 512 ? stackalloc char[512] : (rented = ArrayPool<char>.Shared.Rent(max));
        try
        {
            int written = Encoding.UTF8.GetChars(utf8, chars);
            return test(chars[..written], state);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}

/// <summary><c>"text"</c>: the string, character for character.</summary>
internal sealed class ExactStringMatcher(string text) : ValueMatcher
{
    private readonly byte[] _utf8 = Encoding.UTF8.GetBytes(text);

    public override bool Matches(LeafValue value) => value.IsString && value.Text.SequenceEqual(_utf8);
}

/// <summary>A number, <c>true</c>, <c>false</c> or <c>null</c>: the same JSON type with the same text.</summary>
internal sealed class ExactLiteralMatcher(LeafKind kind, string text) : ValueMatcher
{
    private readonly byte[] _utf8 = Encoding.UTF8.GetBytes(text);

    public override bool Matches(LeafValue value) => value.Kind == kind && (kind != LeafKind.Number || value.Text.SequenceEqual(_utf8));
}

/// <summary><c>{"prefix": "p"}</c> (strings only).</summary>
internal sealed class PrefixMatcher(string prefix) : ValueMatcher
{
    private readonly byte[] _utf8 = Encoding.UTF8.GetBytes(prefix);

    public override bool Matches(LeafValue value) => value.IsString && value.Text.StartsWith(_utf8);
}

/// <summary><c>{"suffix": "s"}</c> (strings only).</summary>
internal sealed class SuffixMatcher(string suffix) : ValueMatcher
{
    private readonly byte[] _utf8 = Encoding.UTF8.GetBytes(suffix);

    public override bool Matches(LeafValue value) => value.IsString && value.Text.EndsWith(_utf8);
}

/// <summary>How a case-insensitive comparison anchors: the whole string, its start or its end.</summary>
internal enum IgnoreCaseAnchor
{
    Whole,
    Prefix,
    Suffix,
}

/// <summary><c>{"equals-ignore-case": "v"}</c>, and prefix/suffix with <c>equals-ignore-case</c> (strings only).</summary>
internal sealed class IgnoreCaseMatcher(string text, IgnoreCaseAnchor anchor) : ValueMatcher
{
    private readonly bool _ascii = Ascii.IsValid(text);

    public override bool Matches(LeafValue value)
    {
        if (!value.IsString)
        {
            return false;
        }

        // A pure-ASCII value against a pure-ASCII pattern is compared without transcoding (the common case).
        if (_ascii && Ascii.IsValid(value.Text))
        {
            ReadOnlySpan<byte> v = value.Text;
            return anchor switch
            {
                IgnoreCaseAnchor.Whole => v.Length == text.Length && Ascii.EqualsIgnoreCase(v, text),
                IgnoreCaseAnchor.Prefix => v.Length >= text.Length && Ascii.EqualsIgnoreCase(v[..text.Length], text),
                _ => v.Length >= text.Length && Ascii.EqualsIgnoreCase(v[^text.Length..], text),
            };
        }

        return OnChars(value.Text, (text, anchor), static (chars, state) => state.anchor switch
        {
            IgnoreCaseAnchor.Whole => chars.Equals(state.text, StringComparison.OrdinalIgnoreCase),
            IgnoreCaseAnchor.Prefix => chars.StartsWith(state.text, StringComparison.OrdinalIgnoreCase),
            _ => chars.EndsWith(state.text, StringComparison.OrdinalIgnoreCase),
        });
    }
}

/// <summary>
/// <c>{"wildcard": "a*b"}</c> (strings only): <c>*</c> stands for any run of characters, <c>\*</c> and <c>\\</c> for
/// a literal star and backslash. The pattern is split at its stars into literal segments at compile time; matching
/// anchors the first and last segments and finds the others in order (leftmost), which is exact for star-only globs.
/// </summary>
internal sealed class WildcardMatcher : ValueMatcher
{
    private readonly byte[][] _segments;

    /// <param name="segments">The literal pieces between stars (at least two when there is a star).</param>
    public WildcardMatcher(IReadOnlyList<string> segments) => _segments = [.. segments.Select(Encoding.UTF8.GetBytes)];

    public override bool Matches(LeafValue value)
    {
        if (!value.IsString)
        {
            return false;
        }

        ReadOnlySpan<byte> text = value.Text;
        if (_segments.Length == 1)
        {
            return text.SequenceEqual(_segments[0]);
        }

        byte[] first = _segments[0];
        byte[] last = _segments[^1];
        if (text.Length < first.Length + last.Length || !text.StartsWith(first) || !text.EndsWith(last))
        {
            return false;
        }

        ReadOnlySpan<byte> middle = text[first.Length..^last.Length];
        for (int i = 1; i < _segments.Length - 1; i++)
        {
            int at = middle.IndexOf(_segments[i]);
            if (at < 0)
            {
                return false;
            }

            middle = middle[(at + _segments[i].Length)..];
        }

        return true;
    }
}

/// <summary>
/// <c>{"numeric": [op, n, ...]}</c> and numeric equality: a JSON number compared as an IEEE double within the bounds
/// (each open or closed, or absent). A string such as "46" is never a number.
/// </summary>
internal sealed class NumericMatcher(double lower, bool lowerOpen, double upper, bool upperOpen) : ValueMatcher
{
    public static NumericMatcher EqualTo(double value) => new(value, false, value, false);

    public double Lower => lower;

    public bool LowerOpen => lowerOpen;

    public double Upper => upper;

    public bool UpperOpen => upperOpen;

    public override bool Matches(LeafValue value) =>
        value.TryGetNumber(out double number)
        && (lowerOpen ? number > lower : number >= lower)
        && (upperOpen ? number < upper : number <= upper);
}

/// <summary><c>{"cidr": "10.0.0.0/24"}</c>: a string that is an IPv4 or IPv6 address inside the network.</summary>
internal sealed class CidrMatcher(IPNetwork network) : ValueMatcher
{
    public override bool Matches(LeafValue value) =>
        value.IsString && value.Text.Length <= 64
        && OnChars(value.Text, network, static (chars, net) => IPAddress.TryParse(chars, out IPAddress? address) && net.Contains(address));
}

/// <summary>
/// <c>{"anything-but": ...}</c>: a leaf value that none of the excluded conditions matches, whatever its type (as in
/// event-ruler, where <c>anything-but: "x"</c> matches the number 5 and <c>anything-but: 5</c> matches the string "5").
/// The field must still be present with a leaf value: a missing field does not match.
/// </summary>
internal sealed class AnythingButMatcher(IReadOnlyList<ValueMatcher> excluded) : ValueMatcher
{
    private readonly ValueMatcher[] _excluded = [.. excluded];

    public override bool Matches(LeafValue value)
    {
        foreach (ValueMatcher matcher in _excluded)
        {
            if (matcher.Matches(value))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary><c>{"exists": true}</c>: any leaf value (a string, number, boolean or null; not an object).</summary>
internal sealed class ExistsMatcher : ValueMatcher
{
    public static readonly ExistsMatcher Instance = new();

    public override bool Matches(LeafValue value) => true;
}
