using System.Text;

namespace StreamCore.Delivery.ObjectKeys;

/// <summary>
/// A Prefix or ErrorOutputPrefix compiled once: literal text and <c>!{namespace:value}</c> expressions
/// (<c>timestamp</c>, <c>firehose:random-string</c>, <c>firehose:error-output-type</c>, <c>partitionKeyFromQuery</c>,
/// <c>partitionKeyFromLambda</c>). Every timestamp expression of one evaluation reads the same instant (the oldest
/// record's arrival, in the destination's time zone); every random-string occurrence is a new 11-character value.
/// </summary>
internal sealed class PrefixTemplate
{
    public const int RandomStringLength = 11;

    /// <summary>What Firehose appends to a prefix without a timestamp expression, and uses when there is no prefix.</summary>
    public const string DefaultTimePattern = "yyyy/MM/dd/HH/";

    private static readonly JavaDateFormat DefaultTime = ParseTime(DefaultTimePattern);

    private readonly Part[] _parts;

    private PrefixTemplate(string text, Part[] parts)
    {
        Text = text;
        _parts = parts;
        HasExpressions = parts.Any(p => p.Kind != PartKind.Literal);
        HasTimestamp = parts.Any(p => p.Kind == PartKind.Timestamp);
        HasErrorOutputType = parts.Any(p => p.Kind == PartKind.ErrorOutputType);
        HasPartitionKeys = parts.Any(p => p.Kind is PartKind.QueryKey or PartKind.LambdaKey);
        QueryKeys = [.. parts.Where(p => p.Kind == PartKind.QueryKey).Select(p => p.Text!).Distinct(StringComparer.Ordinal)];
        LambdaKeys = [.. parts.Where(p => p.Kind == PartKind.LambdaKey).Select(p => p.Text!).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The prefix as configured.</summary>
    public string Text { get; }

    public bool HasExpressions { get; }

    public bool HasTimestamp { get; }

    public bool HasErrorOutputType { get; }

    public bool HasPartitionKeys { get; }

    /// <summary>The keys of <c>!{partitionKeyFromQuery:KEY}</c>, in order of appearance.</summary>
    public string[] QueryKeys { get; }

    /// <summary>The keys of <c>!{partitionKeyFromLambda:KEY}</c>, in order of appearance.</summary>
    public string[] LambdaKeys { get; }

    private static JavaDateFormat ParseTime(string pattern)
    {
        _ = JavaDateFormat.TryParse(pattern, out JavaDateFormat? format, out _);
        return format!;
    }

    /// <summary>Compiles <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong (for InvalidArgumentException).</summary>
    public static bool TryParse(string text, out PrefixTemplate? template, out string? error)
    {
        var parts = new List<Part>();
        template = null;
        error = null;
        int i = 0;
        var literal = new StringBuilder();
        while (i < text.Length)
        {
            int open = text.IndexOf("!{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                literal.Append(text, i, text.Length - i);
                break;
            }

            literal.Append(text, i, open - i);
            int close = text.IndexOf('}', open + 2);
            if (close < 0)
            {
                error = $"The expression starting at position {open} of '{text}' is not closed: expected !{{namespace:value}}.";
                return false;
            }

            string body = text[(open + 2)..close];
            int colon = body.IndexOf(':', StringComparison.Ordinal);
            string ns = colon < 0 ? body : body[..colon];
            string value = colon < 0 ? string.Empty : body[(colon + 1)..];
            Part part;
            switch (ns)
            {
                case "timestamp":
                    JavaDateFormat? format = null;
                    string? timeError = "the timestamp namespace needs a DateTimeFormatter pattern";
                    if (value.Length == 0 || !JavaDateFormat.TryParse(value, out format, out timeError))
                    {
                        error = $"The expression !{{{body}}} in '{text}' is not valid: {timeError}.";
                        return false;
                    }

                    part = new Part(PartKind.Timestamp, null, format);
                    break;
                case "firehose" when value == "random-string":
                    part = new Part(PartKind.RandomString, null, null);
                    break;
                case "firehose" when value == "error-output-type":
                    part = new Part(PartKind.ErrorOutputType, null, null);
                    break;
                case "firehose":
                    error = $"The expression !{{{body}}} in '{text}' is not valid: the firehose namespace takes random-string or error-output-type.";
                    return false;
                case "partitionKeyFromQuery" or "partitionKeyFromLambda":
                    if (value.Length == 0 || value.Contains("!{", StringComparison.Ordinal))
                    {
                        error = $"The expression !{{{body}}} in '{text}' is not valid: {ns} needs a key name.";
                        return false;
                    }

                    part = new Part(ns == "partitionKeyFromQuery" ? PartKind.QueryKey : PartKind.LambdaKey, value, null);
                    break;
                default:
                    error = $"The expression !{{{body}}} in '{text}' is not valid: the namespace '{ns}' is not one of timestamp, firehose, partitionKeyFromQuery, partitionKeyFromLambda.";
                    return false;
            }

            if (body.Contains("!{", StringComparison.Ordinal))
            {
                error = $"'{text}' is not valid: '!{{' may appear only at the start of an expression.";
                return false;
            }

            if (literal.Length > 0)
            {
                parts.Add(new Part(PartKind.Literal, literal.ToString(), null));
                literal.Clear();
            }

            parts.Add(part);
            i = close + 1;
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(PartKind.Literal, literal.ToString(), null));
        }

        template = new PrefixTemplate(text, [.. parts]);
        return true;
    }

    /// <summary>
    /// The evaluated prefix. A template without a timestamp expression gets <c>yyyy/MM/dd/HH/</c> appended (when
    /// <paramref name="appendTime"/>), with no separator added, as Firehose does.
    /// </summary>
    public void AppendTo(StringBuilder key, DateTime zoned, Func<string> randomString, string? errorOutputType, IReadOnlyDictionary<string, string>? partitionKeys, bool appendTime)
    {
        foreach (Part p in _parts)
        {
            switch (p.Kind)
            {
                case PartKind.Literal:
                    key.Append(p.Text);
                    break;
                case PartKind.Timestamp:
                    p.Format!.AppendTo(key, zoned);
                    break;
                case PartKind.RandomString:
                    key.Append(randomString());
                    break;
                case PartKind.ErrorOutputType:
                    key.Append(errorOutputType);
                    break;
                case PartKind.QueryKey:
                    key.Append(partitionKeys![QueryName(p.Text!)]);
                    break;
                case PartKind.LambdaKey:
                    key.Append(partitionKeys![LambdaName(p.Text!)]);
                    break;
            }
        }

        if (appendTime && !HasTimestamp)
        {
            DefaultTime.AppendTo(key, zoned);
        }
    }

    /// <summary>The default (absent) prefix: <c>yyyy/MM/dd/HH/</c>.</summary>
    public static void AppendDefault(StringBuilder key, DateTime zoned) => DefaultTime.AppendTo(key, zoned);

    /// <summary>The name a query key has in a record's partition key map (kept apart from Lambda's keys).</summary>
    public static string QueryName(string key) => "q:" + key;

    /// <summary>The name a Lambda key has in a record's partition key map.</summary>
    public static string LambdaName(string key) => "l:" + key;

    private enum PartKind
    {
        Literal,
        Timestamp,
        RandomString,
        ErrorOutputType,
        QueryKey,
        LambdaKey,
    }

    private readonly record struct Part(PartKind Kind, string? Text, JavaDateFormat? Format);
}
