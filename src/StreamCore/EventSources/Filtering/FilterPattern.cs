using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace StreamCore.EventSources.Filtering;

/// <summary>
/// One compiled filter pattern: its <c>$or</c> branches, each a tree of field paths. <see cref="Matches"/> walks the
/// record's JSON data once per branch with a <see cref="Utf8JsonReader"/> (no document is built and nothing is
/// allocated for ordinary records), matching each object's properties against the pattern's names in one pass.
/// </summary>
internal sealed class FilterPattern
{
    private readonly bool _namesData;

    internal FilterPattern(string source, PatternObject[] branches)
    {
        Source = source;
        Branches = branches;
        _namesData = Array.Exists(branches, b => Array.Exists(b.Fields, f => f.RecordField == RecordField.Data));
    }

    /// <summary>The pattern's JSON text as given.</summary>
    public string Source { get; }

    /// <summary>The branches (one unless the pattern uses <c>$or</c>); the pattern matches when any branch does.</summary>
    public PatternObject[] Branches { get; }

    /// <summary>Compiles <paramref name="pattern"/>; throws <see cref="FilterPatternException"/> saying what is wrong.</summary>
    public static FilterPattern Compile(string pattern) => FilterPatternCompiler.Compile(pattern);

    /// <summary>Whether the record matches the pattern, as Lambda decides it.</summary>
    public bool Matches(in FilterInput record)
    {
        // Data that is not JSON leaves only the metadata to filter on: a branch that names data cannot match it.
        bool dataIsJson = !_namesData || LooksLikeJson(record.Data);
        foreach (PatternObject branch in Branches)
        {
            try
            {
                var evaluation = new Evaluation(record, dataIsJson);
                if (evaluation.Branch(branch))
                {
                    return true;
                }
            }
            catch (JsonException)
            {
                // The data turned out not to be JSON part-way through: no branch that reads it can match.
                dataIsJson = false;
                var evaluation = new Evaluation(record, dataIsJson);
                if (evaluation.Branch(branch))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A cheap first look, so binary data fails without an exception: JSON text starts with one of these.</summary>
    private static bool LooksLikeJson(ReadOnlySpan<byte> data)
    {
        int i = 0;
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i < data.Length && data[i] is (byte)'{' or (byte)'[' or (byte)'"' or (byte)'-' or (>= (byte)'0' and <= (byte)'9') or (byte)'t' or (byte)'f' or (byte)'n';
    }

    /// <summary>One record against one branch.</summary>
    private readonly ref struct Evaluation(FilterInput record, bool dataIsJson)
    {
        private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 256 };

        private readonly FilterInput _record = record;

        public bool Branch(PatternObject root)
        {
            foreach (PatternField field in root.Fields)
            {
                bool matched = field.RecordField switch
                {
                    RecordField.Data => Data(field),
                    RecordField.Unknown => Missing(field),
                    _ => Metadata(field),
                };
                if (!matched)
                {
                    return false;
                }
            }

            return true;
        }

        private bool Data(PatternField field)
        {
            if (!dataIsJson)
            {
                return false;
            }

            var reader = new Utf8JsonReader(_record.Data, isFinalBlock: true, new JsonReaderState(ReaderOptions));
            if (!reader.Read())
            {
                throw new JsonException("empty");
            }

            bool matched = ObjectValue(ref reader, field.Object!);

            // Trailing text after the JSON value makes the data not JSON.
            if (reader.Read())
            {
                throw new JsonException("trailing");
            }

            return matched;
        }

        private bool Metadata(PatternField field)
        {
            bool leafMatched = true;
            if (field.Leaf is { } leaf)
            {
                Span<byte> buffer = stackalloc byte[1024];
                leafMatched = MetadataValue(field.RecordField, buffer, out LeafValue value) ? leaf.MatchesAny(value) : leaf.AllowsAbsent;
                if (!leafMatched && leaf.AllowsAbsent)
                {
                    leafMatched = Absent(leaf);
                }
            }

            // Metadata values are strings and numbers: a nested object names nothing the record has.
            return leafMatched && (field.Object is null || ObjectMissing(field.Object));
        }

        /// <summary>The metadata field's value; false when the record has none (an unset ARN or region).</summary>
        private bool MetadataValue(RecordField field, Span<byte> buffer, out LeafValue value)
        {
            switch (field)
            {
                case RecordField.PartitionKey:
                    value = new LeafValue(LeafKind.String, _record.PartitionKeyUtf8(buffer));
                    return true;
                case RecordField.SequenceNumber:
                    value = new LeafValue(LeafKind.String, _record.SequenceNumberUtf8(buffer));
                    return true;
                case RecordField.EventId:
                    value = new LeafValue(LeafKind.String, _record.EventIdUtf8(buffer));
                    return true;
                case RecordField.ApproximateArrivalTimestamp:
                    // Epoch seconds with the milliseconds as a fraction, as the event's JSON writes it (1545084650.987).
                    double seconds = _record.ApproximateArrivalTimestamp.ToUnixTimeMilliseconds() / 1000.0;
                    seconds.TryFormat(buffer, out int written, "R", CultureInfo.InvariantCulture);
                    value = new LeafValue(LeafKind.Number, buffer[..written]);
                    return true;
                case RecordField.KinesisSchemaVersion:
                case RecordField.EventVersion:
                    value = new LeafValue(LeafKind.String, "1.0"u8);
                    return true;
                case RecordField.EventSource:
                    value = new LeafValue(LeafKind.String, "aws:kinesis"u8);
                    return true;
                case RecordField.EventName:
                    value = new LeafValue(LeafKind.String, "aws:kinesis:record"u8);
                    return true;
                default:
                    string? text = field switch
                    {
                        RecordField.InvokeIdentityArn => _record.InvokeIdentityArn,
                        RecordField.AwsRegion => _record.AwsRegion,
                        _ => _record.EventSourceArn,
                    };
                    if (text is null || Encoding.UTF8.GetMaxByteCount(text.Length) > buffer.Length)
                    {
                        value = default;
                        return text is not null && LongString(text, out value);
                    }

                    value = new LeafValue(LeafKind.String, buffer[..Encoding.UTF8.GetBytes(text, buffer)]);
                    return true;
            }
        }

        // A metadata string too long for the stack buffer (never for ARNs in practice): transcoded once, on the heap.
        private static bool LongString(string text, out LeafValue value)
        {
            value = new LeafValue(LeafKind.String, Encoding.UTF8.GetBytes(text));
            return true;
        }

        /// <summary>A field the record does not have: only <c>exists: false</c> below it can match.</summary>
        private bool Missing(PatternField field) =>
            (field.Leaf is null || (field.Leaf.AllowsAbsent && Absent(field.Leaf)))
            && (field.Object is null || ObjectMissing(field.Object));

        private bool ObjectMissing(PatternObject node)
        {
            if (!node.AllLeavesAllowAbsent)
            {
                return false;
            }

            foreach (PatternLeaf leaf in node.Leaves)
            {
                if (!Absent(leaf))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The reader is on a value; the pattern object must match it (an object, or any object in an array).</summary>
        private bool ObjectValue(ref Utf8JsonReader reader, PatternObject node)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    return Object(ref reader, node);
                case JsonTokenType.StartArray:
                    bool any = false;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (any)
                        {
                            reader.Skip();
                        }
                        else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        {
                            any = ObjectValue(ref reader, node);
                        }
                    }

                    return any || ObjectMissing(node);
                default:
                    return ObjectMissing(node);
            }
        }

        /// <summary>One pass over the object's properties: each property the pattern names is matched as it comes.</summary>
        private bool Object(ref Utf8JsonReader reader, PatternObject node)
        {
            PatternField[] fields = node.Fields;
            Span<byte> state = fields.Length <= 64 ? stackalloc byte[64] : new byte[fields.Length];
            state = state[..fields.Length];
            state.Clear();
            const byte Unseen = 0, Matched = 1;
            bool failed = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int index = -1;
                if (!failed)
                {
                    for (int i = 0; i < fields.Length; i++)
                    {
                        if (state[i] != Matched && reader.ValueTextEquals(fields[i].NameUtf8))
                        {
                            index = i;
                            break;
                        }
                    }
                }

                reader.Read();
                if (index < 0)
                {
                    reader.Skip();
                    continue;
                }

                if (Field(ref reader, fields[index]))
                {
                    state[index] = Matched;
                }
                else
                {
                    // One named field failed: the object cannot match; the rest is only read past.
                    failed = true;
                }
            }

            if (failed)
            {
                return false;
            }

            for (int i = 0; i < fields.Length; i++)
            {
                if (state[i] == Unseen && !Missing(fields[i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The reader is on the value of a property the pattern names; consumes it.</summary>
        private bool Field(ref Utf8JsonReader reader, PatternField field)
        {
            bool leafMatched = true;
            bool objectMatched = true;
            if (field.Leaf is { } leaf)
            {
                if (field.Object is null)
                {
                    leafMatched = Leaf(ref reader, leaf);
                }
                else
                {
                    Utf8JsonReader copy = reader;
                    leafMatched = Leaf(ref copy, leaf);
                }

                if (!leafMatched && leaf.AllowsAbsent)
                {
                    leafMatched = Absent(leaf);
                }
            }

            if (field.Object is { } nested)
            {
                objectMatched = ObjectValue(ref reader, nested);
            }

            return leafMatched && objectMatched;
        }

        /// <summary>The reader is on a value: any leaf value in it (through arrays, not objects) meets a condition. Consumes it.</summary>
        private static bool Leaf(ref Utf8JsonReader reader, PatternLeaf leaf)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    reader.Skip();
                    return false;
                case JsonTokenType.StartArray:
                    bool any = false;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            reader.Skip();
                        }
                        else if (reader.TokenType == JsonTokenType.StartArray)
                        {
                            any |= Leaf(ref reader, leaf);
                        }
                        else if (!any)
                        {
                            any = Scalar(ref reader, leaf);
                        }
                    }

                    return any;
                default:
                    return Scalar(ref reader, leaf);
            }
        }

        private static bool Scalar(ref Utf8JsonReader reader, PatternLeaf leaf)
        {
            if (leaf.Matchers.Length == 0)
            {
                return false;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    if (!reader.ValueIsEscaped)
                    {
                        return leaf.MatchesAny(new LeafValue(LeafKind.String, reader.ValueSpan));
                    }

                    return EscapedString(ref reader, leaf);
                case JsonTokenType.Number:
                    return leaf.MatchesAny(new LeafValue(LeafKind.Number, reader.ValueSpan));
                case JsonTokenType.True:
                    return leaf.MatchesAny(new LeafValue(LeafKind.True, default));
                case JsonTokenType.False:
                    return leaf.MatchesAny(new LeafValue(LeafKind.False, default));
                default:
                    return leaf.MatchesAny(new LeafValue(LeafKind.Null, default));
            }
        }

        private static bool EscapedString(ref Utf8JsonReader reader, PatternLeaf leaf)
        {
            int length = reader.ValueSpan.Length;
            byte[]? rented = null;
            Span<byte> buffer = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
            try
            {
                int written = reader.CopyString(buffer);
                return leaf.MatchesAny(new LeafValue(LeafKind.String, buffer[..written]));
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }

        /// <summary>Whether the record has no leaf value at the leaf's path anywhere (every array element looked at).</summary>
        private bool Absent(PatternLeaf leaf)
        {
            switch (leaf.Root)
            {
                case RecordField.Unknown:
                    return true;
                case RecordField.Data:
                    if (!dataIsJson)
                    {
                        return true;
                    }

                    var reader = new Utf8JsonReader(_record.Data, isFinalBlock: true, new JsonReaderState(ReaderOptions));
                    reader.Read();
                    return !HasLeaf(ref reader, leaf.PathBelowRoot, 0);
                default:
                    if (leaf.PathBelowRoot.Length > 0)
                    {
                        return true;
                    }

                    Span<byte> buffer = stackalloc byte[1024];
                    return !MetadataValue(leaf.Root, buffer, out _);
            }
        }

        /// <summary>The reader is on a value; whether a leaf value lies at <paramref name="path"/>[<paramref name="depth"/>..] below it. Consumes it.</summary>
        private static bool HasLeaf(ref Utf8JsonReader reader, byte[][] path, int depth)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    bool found = false;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (found)
                        {
                            reader.Skip();
                        }
                        else
                        {
                            found = HasLeaf(ref reader, path, depth);
                        }
                    }

                    return found;
                case JsonTokenType.StartObject:
                    if (depth == path.Length)
                    {
                        reader.Skip();
                        return false;
                    }

                    bool present = false;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        bool named = !present && reader.ValueTextEquals(path[depth]);
                        reader.Read();
                        if (named)
                        {
                            present = HasLeaf(ref reader, path, depth + 1);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    return present;
                default:
                    return depth == path.Length;
            }
        }
    }
}
