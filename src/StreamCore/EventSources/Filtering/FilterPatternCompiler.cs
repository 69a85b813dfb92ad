using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace StreamCore.EventSources.Filtering;

/// <summary>
/// Compiles one filter pattern (the JSON text of a <c>FilterCriteria.Filters[].Pattern</c>) into trees of field
/// paths, following event-ruler's JsonRuleCompiler: keys are AND'd, a leaf's array is OR'd, <c>$or</c> forks the
/// pattern into branches (each branch a whole pattern, so two fields of one branch must match in the same array
/// element), and a key written twice keeps its last value. Every error names what is wrong.
/// </summary>
internal static class FilterPatternCompiler
{
    /// <summary>At most this many branches after <c>$or</c> expansion (a pattern of 4,096 characters could otherwise fork 2^100 ways).</summary>
    public const int MaxBranches = 1024;

    private const string Or = "$or";

    // event-ruler's Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP.
    private static readonly HashSet<string> ReservedInsideOr =
    [
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr",
        "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after", "date-on-or-after",
        "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range", "ip-address-not-in-range",
    ];

    private static readonly Dictionary<string, RecordField> RecordFields = new(StringComparer.Ordinal)
    {
        ["data"] = RecordField.Data,
        ["partitionKey"] = RecordField.PartitionKey,
        ["sequenceNumber"] = RecordField.SequenceNumber,
        ["approximateArrivalTimestamp"] = RecordField.ApproximateArrivalTimestamp,
        ["kinesisSchemaVersion"] = RecordField.KinesisSchemaVersion,
        ["eventSource"] = RecordField.EventSource,
        ["eventVersion"] = RecordField.EventVersion,
        ["eventID"] = RecordField.EventId,
        ["eventName"] = RecordField.EventName,
        ["invokeIdentityArn"] = RecordField.InvokeIdentityArn,
        ["awsRegion"] = RecordField.AwsRegion,
        ["eventSourceARN"] = RecordField.EventSourceArn,
    };

    /// <summary>Compiles <paramref name="pattern"/>, or throws <see cref="FilterPatternException"/> saying what is wrong.</summary>
    public static FilterPattern Compile(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(pattern, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false, MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new FilterPatternException($"the pattern is not valid JSON ({FirstSentence(ex.Message)})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FilterPatternException("the pattern must be a JSON object, e.g. {\"data\": {\"field\": [\"value\"]}}");
            }

            var branches = new List<Dictionary<string, LeafSpec>>();
            ParseObject(branches, [], document.RootElement, insideOr: false);
            return new FilterPattern(pattern, [.. branches.Select(Build)]);
        }
    }

    private static void ParseObject(List<Dictionary<string, LeafSpec>> branches, List<string> path, JsonElement value, bool insideOr)
    {
        bool any = false;
        foreach (JsonProperty property in value.EnumerateObject())
        {
            any = true;
            string name = property.Name;
            if (name == Or && property.Value.ValueKind == JsonValueKind.Array)
            {
                ParseOr(branches, path, property.Value);
                continue;
            }

            if (insideOr && ReservedInsideOr.Contains(name))
            {
                throw new FilterPatternException($"\"{name}\" is a reserved keyword and cannot be a field name inside {Or}");
            }

            path.Add(name);
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    ParseObject(branches, path, property.Value, insideOr);
                    break;
                case JsonValueKind.Array:
                    WriteLeaf(branches, path, property.Value);
                    break;
                default:
                    throw new FilterPatternException($"\"{Dotted(path)}\" must be an object or an array of match values, e.g. \"{name}\": [\"value\"]");
            }

            path.RemoveAt(path.Count - 1);
        }

        if (!any)
        {
            throw new FilterPatternException(path.Count == 0 ? "empty objects are not allowed: the pattern names no field" : $"empty objects are not allowed (at \"{Dotted(path)}\")");
        }
    }

    private static void ParseOr(List<Dictionary<string, LeafSpec>> branches, List<string> path, JsonElement array)
    {
        // Fork: every branch so far continues once per $or alternative (event-ruler's parseIntoOrRelationship).
        List<Dictionary<string, LeafSpec>> before = [.. branches.Select(b => new Dictionary<string, LeafSpec>(b))];
        branches.Clear();
        int alternatives = 0;
        foreach (JsonElement alternative in array.EnumerateArray())
        {
            alternatives++;
            if (alternative.ValueKind != JsonValueKind.Object)
            {
                throw new FilterPatternException($"only JSON objects are allowed in the array of {Or}{At(path)}");
            }

            List<Dictionary<string, LeafSpec>> forked = [.. before.Select(b => new Dictionary<string, LeafSpec>(b))];
            if (forked.Count == 0)
            {
                forked.Add([]);
            }

            ParseObject(forked, path, alternative, insideOr: true);
            branches.AddRange(forked);
            if (branches.Count > MaxBranches)
            {
                throw new FilterPatternException($"the pattern is too complex: its {Or} clauses expand to more than {MaxBranches.ToString(CultureInfo.InvariantCulture)} combinations");
            }
        }

        if (alternatives < 2)
        {
            throw new FilterPatternException($"{Or} needs an array of at least 2 objects{At(path)}");
        }
    }

    private static void WriteLeaf(List<Dictionary<string, LeafSpec>> branches, List<string> path, JsonElement array)
    {
        var matchers = new List<ValueMatcher>();
        bool allowsAbsent = false;
        bool any = false;
        foreach (JsonElement element in array.EnumerateArray())
        {
            any = true;
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    if (ParseMatchExpression(path, element) is { } matcher)
                    {
                        matchers.Add(matcher);
                    }
                    else
                    {
                        allowsAbsent = true;
                    }

                    break;
                case JsonValueKind.String:
                    matchers.Add(new ExactStringMatcher(element.GetString()!));
                    break;
                case JsonValueKind.Number:
                    // Exact matching compares numbers as their text (EventBridge: 300, 300.0 and 3.0e2 differ).
                    matchers.Add(new ExactLiteralMatcher(LeafKind.Number, element.GetRawText()));
                    break;
                case JsonValueKind.True:
                    matchers.Add(new ExactLiteralMatcher(LeafKind.True, "true"));
                    break;
                case JsonValueKind.False:
                    matchers.Add(new ExactLiteralMatcher(LeafKind.False, "false"));
                    break;
                case JsonValueKind.Null:
                    matchers.Add(new ExactLiteralMatcher(LeafKind.Null, "null"));
                    break;
                default:
                    throw new FilterPatternException($"a match value must be a string, number, true, false, null or a match expression object; got an array in \"{Dotted(path)}\"");
            }
        }

        if (!any)
        {
            throw new FilterPatternException($"empty arrays are not allowed (at \"{Dotted(path)}\")");
        }

        if (branches.Count == 0)
        {
            branches.Add([]);
        }

        var spec = new LeafSpec([.. path], [.. matchers], allowsAbsent);
        string key = string.Join('\0', path);
        foreach (Dictionary<string, LeafSpec> branch in branches)
        {
            // The last occurrence of a key wins (EventBridge, and event-ruler's rule.put).
            branch[key] = spec;
        }
    }

    /// <summary>A match expression object; null for <c>{"exists": false}</c>, which the leaf records as allowing absence.</summary>
    private static ValueMatcher? ParseMatchExpression(List<string> path, JsonElement expression)
    {
        JsonProperty[] members = [.. expression.EnumerateObject()];
        if (members.Length == 0)
        {
            throw new FilterPatternException($"a match expression needs an operator, e.g. {{\"prefix\": \"abc\"}} (at \"{Dotted(path)}\")");
        }

        if (members.Length > 1)
        {
            throw new FilterPatternException($"only one key is allowed in a match expression; got {string.Join(", ", members.Select(m => $"\"{m.Name}\""))} (at \"{Dotted(path)}\")");
        }

        string op = members[0].Name;
        JsonElement value = members[0].Value;
        string at = $" (at \"{Dotted(path)}\")";
        switch (op)
        {
            case "prefix":
            case "suffix":
            {
                IgnoreCaseAnchor anchor = op == "prefix" ? IgnoreCaseAnchor.Prefix : IgnoreCaseAnchor.Suffix;
                if (value.ValueKind == JsonValueKind.String)
                {
                    string text = value.GetString()!;
                    return anchor == IgnoreCaseAnchor.Prefix ? new PrefixMatcher(text) : new SuffixMatcher(text);
                }

                if (value.ValueKind == JsonValueKind.Object && SingleMember(value) is { Name: "equals-ignore-case", Value: { ValueKind: JsonValueKind.String } folded })
                {
                    return new IgnoreCaseMatcher(folded.GetString()!, anchor);
                }

                throw new FilterPatternException($"{op} match pattern must be a string or {{\"equals-ignore-case\": \"...\"}}{at}");
            }

            case "equals-ignore-case":
                return value.ValueKind == JsonValueKind.String
                    ? new IgnoreCaseMatcher(value.GetString()!, IgnoreCaseAnchor.Whole)
                    : throw new FilterPatternException($"equals-ignore-case match pattern must be a string{at}");
            case "wildcard":
                return value.ValueKind == JsonValueKind.String
                    ? Wildcard(value.GetString()!, at)
                    : throw new FilterPatternException($"wildcard match pattern must be a string{at}");
            case "anything-but":
                return AnythingBut(value, at);
            case "numeric":
                return Numeric(value, at);
            case "exists":
                return value.ValueKind switch
                {
                    JsonValueKind.True => ExistsMatcher.Instance,
                    JsonValueKind.False => null,
                    _ => throw new FilterPatternException($"exists match pattern must be either true or false{at}"),
                };
            case "cidr":
                return value.ValueKind == JsonValueKind.String && IPNetwork.TryParse(value.GetString(), out IPNetwork network)
                    ? new CidrMatcher(network)
                    : throw new FilterPatternException($"cidr match pattern must be a string in CIDR notation, e.g. \"10.0.0.0/24\"{at}");
            default:
                throw new FilterPatternException($"unrecognized match type \"{op}\"; expected one of prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, cidr{at}");
        }
    }

    private static AnythingButMatcher AnythingBut(JsonElement value, string at)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return new AnythingButMatcher([new ExactStringMatcher(value.GetString()!)]);
            case JsonValueKind.Number:
                return new AnythingButMatcher([NumericMatcher.EqualTo(Number(value, "anything-but", at))]);
            case JsonValueKind.Array:
            {
                var excluded = new List<ValueMatcher>();
                bool strings = false, numbers = false;
                foreach (JsonElement element in value.EnumerateArray())
                {
                    if (element.ValueKind == JsonValueKind.String)
                    {
                        strings = true;
                        excluded.Add(new ExactStringMatcher(element.GetString()!));
                    }
                    else if (element.ValueKind == JsonValueKind.Number)
                    {
                        numbers = true;
                        excluded.Add(NumericMatcher.EqualTo(Number(element, "anything-but", at)));
                    }
                    else
                    {
                        throw new FilterPatternException($"inside an anything-but list only strings or numbers are allowed, not {Kind(element)}{at}");
                    }
                }

                if (strings == numbers)
                {
                    throw new FilterPatternException((strings ? "inside an anything-but list either all values are numbers or all are strings; mixed types are not supported" : "an anything-but list must not be empty") + at);
                }

                return new AnythingButMatcher(excluded);
            }

            case JsonValueKind.Object:
            {
                if (SingleMember(value) is not { } member)
                {
                    throw new FilterPatternException($"anything-but takes one operator object, e.g. {{\"anything-but\": {{\"prefix\": \"abc\"}}}}{at}");
                }

                (string op, JsonElement operand) = member;
                switch (op)
                {
                    case "prefix":
                    case "suffix":
                        if (operand.ValueKind != JsonValueKind.String || operand.GetString()!.Length == 0)
                        {
                            throw new FilterPatternException($"anything-but {op} must be a non-empty string{at}");
                        }

                        return new AnythingButMatcher([op == "prefix" ? new PrefixMatcher(operand.GetString()!) : new SuffixMatcher(operand.GetString()!)]);
                    case "equals-ignore-case":
                        return new AnythingButMatcher(StringsOf(operand, op, at).Select(s => (ValueMatcher)new IgnoreCaseMatcher(s, IgnoreCaseAnchor.Whole)).ToList());
                    case "wildcard":
                        return new AnythingButMatcher(StringsOf(operand, op, at).Select(s => Wildcard(s, at)).ToList());
                    default:
                        throw new FilterPatternException($"unsupported anything-but pattern \"{op}\"; expected prefix, suffix, equals-ignore-case or wildcard{at}");
                }
            }

            default:
                throw new FilterPatternException($"the value of anything-but must be a string, a number, an array of strings or of numbers, or an operator object, not {Kind(value)}{at}");
        }
    }

    private static NumericMatcher Numeric(JsonElement value, string at)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FilterPatternException($"the value of numeric must be an array, e.g. {{\"numeric\": [\">\", 0, \"<=\", 5]}}{at}");
        }

        JsonElement[] terms = [.. value.EnumerateArray()];
        if (terms.Length is not (2 or 4))
        {
            throw new FilterPatternException($"numeric takes an operator and a number, or a lower and an upper bound (4 terms); got {terms.Length.ToString(CultureInfo.InvariantCulture)} terms{at}");
        }

        string first = Operator(terms[0], at);
        double n = Number(terms[1], first, at);
        if (first is "=" or "<" or "<=")
        {
            if (terms.Length != 2)
            {
                throw new FilterPatternException($"numeric \"{first}\" takes a single number; only \">\" or \">=\" may be followed by an upper bound{at}");
            }

            return first switch
            {
                "=" => NumericMatcher.EqualTo(n),
                "<" => new NumericMatcher(double.NegativeInfinity, false, n, true),
                _ => new NumericMatcher(double.NegativeInfinity, false, n, false),
            };
        }

        if (terms.Length == 2)
        {
            return new NumericMatcher(n, first == ">", double.PositiveInfinity, false);
        }

        string second = Operator(terms[2], at);
        if (second is not ("<" or "<="))
        {
            throw new FilterPatternException($"the upper bound of a numeric range takes \"<\" or \"<=\", not \"{second}\"{at}");
        }

        double top = Number(terms[3], second, at);
        if (!(n < top))
        {
            throw new FilterPatternException($"the bottom of a numeric range must be less than its top ({terms[1].GetRawText()} is not less than {terms[3].GetRawText()}){at}");
        }

        return new NumericMatcher(n, first == ">", top, second == "<");
    }

    private static string Operator(JsonElement term, string at)
    {
        string? op = term.ValueKind == JsonValueKind.String ? term.GetString() : null;
        return op is "=" or "<" or "<=" or ">" or ">="
            ? op
            : throw new FilterPatternException($"unrecognized numeric operator {term.GetRawText()}; expected one of =, <, <=, >, >={at}");
    }

    private static double Number(JsonElement term, string op, string at) =>
        term.ValueKind == JsonValueKind.Number && term.TryGetDouble(out double value) && double.IsFinite(value)
            ? value
            : throw new FilterPatternException($"the value of {op} must be a number, not {term.GetRawText()}{at}");

    /// <summary>Splits a wildcard pattern at its unescaped stars, checking its escapes.</summary>
    private static WildcardMatcher Wildcard(string pattern, string at)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        bool lastWasStar = false;
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*')
            {
                if (lastWasStar)
                {
                    throw new FilterPatternException($"consecutive wildcard characters are not allowed in \"{pattern}\"{at}");
                }

                segments.Add(current.ToString());
                current.Clear();
                lastWasStar = true;
                continue;
            }

            lastWasStar = false;
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length || pattern[i + 1] is not ('*' or '\\'))
                {
                    throw new FilterPatternException($"in wildcard \"{pattern}\" a backslash may only escape * or \\{at}");
                }

                c = pattern[++i];
            }

            current.Append(c);
        }

        segments.Add(current.ToString());
        return new WildcardMatcher(segments);
    }

    private static List<string> StringsOf(JsonElement operand, string op, string at)
    {
        if (operand.ValueKind == JsonValueKind.String)
        {
            return [operand.GetString()!];
        }

        if (operand.ValueKind == JsonValueKind.Array && operand.GetArrayLength() > 0 && operand.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
        {
            return [.. operand.EnumerateArray().Select(e => e.GetString()!)];
        }

        throw new FilterPatternException($"anything-but {op} takes a string or a non-empty array of strings{at}");
    }

    private static (string Name, JsonElement Value)? SingleMember(JsonElement value)
    {
        JsonProperty[] members = [.. value.EnumerateObject()];
        return members.Length == 1 ? (members[0].Name, members[0].Value) : null;
    }

    /// <summary>One branch's flat path→leaf map as a tree of objects, with the top-level names resolved to record fields.</summary>
    private static PatternObject Build(Dictionary<string, LeafSpec> branch)
    {
        var root = new NodeBuilder();
        foreach (LeafSpec spec in branch.Values)
        {
            NodeBuilder node = root;
            for (int i = 0; i < spec.Path.Length; i++)
            {
                FieldBuilder field = node.Field(spec.Path[i]);
                if (i == spec.Path.Length - 1)
                {
                    field.Leaf = spec;
                }
                else
                {
                    node = field.Nested ??= new NodeBuilder();
                }
            }
        }

        foreach (FieldBuilder field in root.Fields)
        {
            if (field.Name == "data" && field.Leaf is not null)
            {
                throw new FilterPatternException("\"data\" must be an object naming fields of the record's JSON data, e.g. {\"data\": {\"field\": [\"value\"]}}, not an array of values");
            }
        }

        return root.Freeze(depth: 0);
    }

    private static string Dotted(List<string> path) => string.Join('.', path);

    private static string At(List<string> path) => path.Count == 0 ? string.Empty : $" (at \"{Dotted(path)}\")";

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => element.GetRawText(),
    };

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }

    private sealed record LeafSpec(string[] Path, ValueMatcher[] Matchers, bool AllowsAbsent);

    private sealed class FieldBuilder(string name)
    {
        public string Name { get; } = name;

        public LeafSpec? Leaf { get; set; }

        public NodeBuilder? Nested { get; set; }
    }

    private sealed class NodeBuilder
    {
        public List<FieldBuilder> Fields { get; } = [];

        public FieldBuilder Field(string name)
        {
            FieldBuilder? field = Fields.Find(f => f.Name == name);
            if (field is null)
            {
                field = new FieldBuilder(name);
                Fields.Add(field);
            }

            return field;
        }

        public PatternObject Freeze(int depth) => new([.. Fields.Select(f =>
        {
            RecordField record = depth == 0 ? RecordFields.GetValueOrDefault(f.Name, RecordField.Unknown) : RecordField.Unknown;
            PatternLeaf? leaf = f.Leaf is { } spec
                ? new PatternLeaf(spec.Matchers, spec.AllowsAbsent, RecordFields.GetValueOrDefault(spec.Path[0], RecordField.Unknown), [.. spec.Path.Skip(1).Select(Encoding.UTF8.GetBytes)], string.Join('.', spec.Path))
                : null;
            return new PatternField(f.Name, leaf, f.Nested?.Freeze(depth + 1), record);
        })]);
    }
}

/// <summary>A filter pattern that cannot be compiled; the message says what is wrong with it.</summary>
internal sealed class FilterPatternException(string reason) : Exception(reason);
