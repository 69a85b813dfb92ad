using System.Text;

namespace StreamCore.EventSources.Filtering;

/// <summary>The top-level names of a Kinesis record's filter view (<see cref="FilterInput"/>).</summary>
internal enum RecordField : byte
{
    /// <summary>A name the record does not have: always absent.</summary>
    Unknown,
    Data,
    PartitionKey,
    SequenceNumber,
    ApproximateArrivalTimestamp,
    KinesisSchemaVersion,
    EventSource,
    EventVersion,
    EventId,
    EventName,
    InvokeIdentityArn,
    AwsRegion,
    EventSourceArn,
}

/// <summary>
/// The conditions on the leaf values at one path of the event (the array of a pattern's leaf): the leaf matches
/// when any condition matches any leaf value there, or, with <c>{"exists": false}</c> among them, when the event has
/// no leaf value at that path anywhere (absence is checked over the whole event, as event-ruler does, not per
/// array element).
/// </summary>
internal sealed class PatternLeaf(ValueMatcher[] matchers, bool allowsAbsent, RecordField root, byte[][] pathBelowRoot, string path)
{
    public ValueMatcher[] Matchers { get; } = matchers;

    public bool AllowsAbsent { get; } = allowsAbsent;

    /// <summary>The record field the path starts at.</summary>
    public RecordField Root { get; } = root;

    /// <summary>The path's names below <see cref="Root"/> (inside the data's JSON).</summary>
    public byte[][] PathBelowRoot { get; } = pathBelowRoot;

    /// <summary>The path as written, dotted (for messages and tests).</summary>
    public string Path { get; } = path;

    public bool MatchesAny(LeafValue value)
    {
        foreach (ValueMatcher matcher in Matchers)
        {
            if (matcher.Matches(value))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>One name of a pattern object: conditions on its leaf values, a nested object, or (after <c>$or</c> merges) both.</summary>
internal sealed class PatternField(string name, PatternLeaf? leaf, PatternObject? nested, RecordField recordField)
{
    public string Name { get; } = name;

    public byte[] NameUtf8 { get; } = Encoding.UTF8.GetBytes(name);

    public PatternLeaf? Leaf { get; } = leaf;

    public PatternObject? Object { get; } = nested;

    /// <summary>At the top level, which field of the record this name is.</summary>
    public RecordField RecordField { get; } = recordField;
}

/// <summary>An object of the pattern: every field must match (AND), in the same event object.</summary>
internal sealed class PatternObject
{
    public PatternObject(PatternField[] fields)
    {
        Fields = fields;
        var leaves = new List<PatternLeaf>();
        Collect(this, leaves);
        Leaves = [.. leaves];
        AllLeavesAllowAbsent = leaves.TrueForAll(l => l.AllowsAbsent);
    }

    public PatternField[] Fields { get; }

    /// <summary>Every leaf below this object.</summary>
    public PatternLeaf[] Leaves { get; }

    /// <summary>Whether the object can match an event that lacks it (every leaf below says <c>exists: false</c>).</summary>
    public bool AllLeavesAllowAbsent { get; }

    private static void Collect(PatternObject node, List<PatternLeaf> into)
    {
        foreach (PatternField field in node.Fields)
        {
            if (field.Leaf is { } leaf)
            {
                into.Add(leaf);
            }

            if (field.Object is { } nested)
            {
                Collect(nested, into);
            }
        }
    }
}
