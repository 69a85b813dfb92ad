using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using static StreamCore.Tests.EventSources.Filtering.FilterSupport;

namespace StreamCore.Tests.EventSources.Filtering;

/// <summary>Invariants of matching, over generated values, records and patterns.</summary>
public class FilterPropertyTests
{
    private static readonly string[] Words = ["", "a", "ab", "abc", "b", "ba", "A", "é", "x*y", "a\"b", "a\\b", "10", "ORDER_PLACED"];

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public bool A_pattern_never_matches_a_record_its_anything_but_negation_matches(int patternPick, int valuePick, bool numericPattern, bool numericValue, PositiveInt op)
    {
        string patternValue = numericPattern ? Num(patternPick) : Json(Word(patternPick));
        string eventValue = numericValue ? Num(valuePick) : Json(Word(valuePick));
        string data = $"{{\"f\": {eventValue}}}";

        // The plain condition and its anything-but form, for each operator that anything-but takes.
        (string positive, string negative) = (op.Get % 4, numericPattern) switch
        {
            (0, _) or (_, true) => ($"[{patternValue}]", $"[{{\"anything-but\": {patternValue}}}]"),
            (1, _) => ($"[{{\"prefix\": {Json(NonEmpty(patternPick))}}}]", $"[{{\"anything-but\": {{\"prefix\": {Json(NonEmpty(patternPick))}}}}}]"),
            (2, _) => ($"[{{\"suffix\": {Json(NonEmpty(patternPick))}}}]", $"[{{\"anything-but\": {{\"suffix\": {Json(NonEmpty(patternPick))}}}}}]"),
            _ => ($"[{{\"equals-ignore-case\": {patternValue}}}]", $"[{{\"anything-but\": {{\"equals-ignore-case\": {patternValue}}}}}]"),
        };
        bool matches = Matches(OnField(positive), data);
        bool negationMatches = Matches(OnField(negative), data);

        // Never both; and for strings against string conditions, exactly one (the negation is the complement).
        return !(matches && negationMatches) && (numericPattern || numericValue || matches != negationMatches);
    }

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public bool Numeric_ranges_agree_with_a_direct_comparison(NormalFloat a, NormalFloat b, NormalFloat x, int lowerOp, int upperOp, int shape)
    {
        double low = Math.Min(a.Get, b.Get), high = Math.Max(a.Get, b.Get);
        double value = (shape & 3) switch { 0 => low, 1 => high, _ => x.Get };
        string lo = (lowerOp & 1) == 0 ? ">" : ">=";
        string hi = (upperOp & 1) == 0 ? "<" : "<=";
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        string data = $"{{\"f\": {text}}}";
        bool lowerOk = lo == ">" ? value > low : value >= low;
        bool upperOk = hi == "<" ? value < high : value <= high;

        bool ok = (shape >> 2 & 3) switch
        {
            0 => Matches(OnField($"[{{\"numeric\": [\"{lo}\", {R(low)}]}}]"), data) == lowerOk,
            1 => Matches(OnField($"[{{\"numeric\": [\"{hi}\", {R(high)}]}}]"), data) == upperOk,
            2 => Matches(OnField($"[{{\"numeric\": [\"=\", {R(low)}]}}]"), data) == (value == low),
            _ => low == high || Matches(OnField($"[{{\"numeric\": [\"{lo}\", {R(low)}, \"{hi}\", {R(high)}]}}]"), data) == (lowerOk && upperOk),
        };

        // A string holding the same digits is never a number.
        return ok && !Matches(OnField($"[{{\"numeric\": [\">=\", {R(low)}]}}]"), $"{{\"f\": \"{text}\"}}");
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Matching_is_independent_of_field_order_in_the_record() =>
        Prop.ForAll(Arb.From(RecordAndPattern()), sample =>
        {
            (List<KeyValuePair<string, int>> fields, string pattern, int seed) = sample;
            string ordered = Record(fields);
            var shuffled = fields.OrderBy(f => HashCode.Combine(f.Key, seed)).ToList();
            string reordered = Record(shuffled);
            return Matches(pattern, ordered) == Matches(pattern, reordered);
        });

    /// <summary>A record of a few int fields (one nested object too) and a pattern on some of them with random values.</summary>
    private static Gen<(List<KeyValuePair<string, int>> Fields, string Pattern, int Seed)> RecordAndPattern() =>
        from count in Gen.Choose(1, 6)
        from values in Gen.ArrayOf(Gen.Choose(0, 3), count)
        from picks in Gen.ArrayOf(Gen.Choose(0, 4), count)
        from seed in Gen.Choose(0, int.MaxValue)
        select Build(values.ToList(), picks.ToList(), seed);

    private static (List<KeyValuePair<string, int>>, string, int) Build(List<int> values, List<int> picks, int seed)
    {
        var fields = values.Select((v, i) => new KeyValuePair<string, int>($"k{i}", v)).ToList();
        var conditions = new List<string>();
        for (int i = 0; i < fields.Count; i++)
        {
            // 0: not named; 1: exact value; 2: numeric lower bound; 3: anything-but; 4: exists false on a sibling.
            conditions.Add(picks[i] switch
            {
                1 => $"\"k{i}\": [{(values[i] + seed) % 4}]",
                2 => $"\"k{i}\": [{{\"numeric\": [\">=\", {seed % 3}]}}]",
                3 => $"\"k{i}\": [{{\"anything-but\": [{seed % 4}]}}]",
                4 => $"\"absent{i}\": [{{\"exists\": false}}]",
                _ => null,
            } ?? string.Empty);
        }

        string body = string.Join(", ", conditions.Where(c => c.Length > 0));
        string pattern = body.Length == 0 ? "{\"data\": {\"nested\": {\"k0\": [{\"exists\": true}]}}}" : $"{{\"data\": {{{body}, \"nested\": {{\"k0\": [{{\"exists\": true}}]}}}}}}";
        return (fields, pattern, seed);
    }

    private static string Record(List<KeyValuePair<string, int>> fields)
    {
        string inner = string.Join(", ", fields.Select(f => $"\"{f.Key}\": {f.Value}"));
        string nested = $"\"nested\": {{{inner}}}";
        return fields.Count == 0 ? $"{{{nested}}}" : $"{{{inner}, {nested}}}";
    }

    private static string Word(int pick) => Words[(int)((uint)pick % Words.Length)];

    private static string NonEmpty(int pick) => Word(pick) is { Length: > 0 } w ? w : "z";

    private static string Json(string s) => JsonSerializer.Serialize(s, FilterJson.Default.String);

    private static string Num(int pick) => ((uint)pick % 7) switch
    {
        0 => "0",
        1 => "1",
        2 => "1.0",
        3 => "-2.5",
        4 => "1e1",
        5 => "10",
        _ => "300",
    };

    private static string R(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class FilterJson : System.Text.Json.Serialization.JsonSerializerContext;
