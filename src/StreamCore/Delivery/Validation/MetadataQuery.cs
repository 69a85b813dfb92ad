using System.Globalization;
using System.Text.Json;

namespace StreamCore.Delivery.Validation;

/// <summary>
/// A MetadataExtractionQuery of the form Firehose documents (<c>{customer_id:.customer_id, device:.device.type}</c>):
/// each key names a simple JQ path of object members (<c>.a.b</c>, <c>."a b"</c>). Evaluated on a record's JSON, a
/// string member gives its text, a number or boolean its JSON text; anything else (absent, null, an object or array, a
/// record that is not JSON) fails, and the record goes to the error output.
/// </summary>
internal sealed class MetadataQuery
{
    private readonly (string Key, string[] Path)[] _keys;

    private MetadataQuery((string, string[])[] keys) => _keys = keys;

    public IEnumerable<string> Keys => _keys.Select(k => k.Key);

    public static bool TryParse(string text, out MetadataQuery? query, out string? error)
    {
        query = null;
        error = null;
        string t = text.Trim();
        if (t.Length < 2 || t[0] != '{' || t[^1] != '}')
        {
            error = $"the query '{text}' is not of the form {{key:.path, ...}}";
            return false;
        }

        var keys = new List<(string, string[])>();
        foreach (string entry in t[1..^1].Split(','))
        {
            int colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = $"the entry '{entry.Trim()}' of '{text}' is not key:.path";
                return false;
            }

            string key = entry[..colon].Trim().Trim('"');
            string path = entry[(colon + 1)..].Trim();
            if (key.Length == 0 || !TryParsePath(path, out string[]? members))
            {
                error = $"the entry '{entry.Trim()}' of '{text}' is not key:.path with a simple JQ path such as .customer_id or .device.type";
                return false;
            }

            keys.Add((key, members!));
        }

        query = new MetadataQuery([.. keys]);
        return true;
    }

    private static bool TryParsePath(string path, out string[]? members)
    {
        members = null;
        var list = new List<string>();
        int i = 0;
        while (i < path.Length)
        {
            if (path[i] != '.')
            {
                return false;
            }

            i++;
            if (i < path.Length && path[i] == '"')
            {
                int end = path.IndexOf('"', i + 1);
                if (end < 0)
                {
                    return false;
                }

                list.Add(path[(i + 1)..end]);
                i = end + 1;
                continue;
            }

            int start = i;
            while (i < path.Length && (char.IsAsciiLetterOrDigit(path[i]) || path[i] == '_'))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }

            list.Add(path[start..i]);
        }

        members = [.. list];
        return members.Length > 0;
    }

    /// <summary>Evaluates every key on <paramref name="json"/>; false (with the reason) when one cannot be.</summary>
    public bool TryEvaluate(ReadOnlyMemory<byte> json, Dictionary<string, string> into, out string? error)
    {
        error = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            foreach ((string key, string[] path) in _keys)
            {
                JsonElement e = document.RootElement;
                foreach (string member in path)
                {
                    if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(member, out e))
                    {
                        error = $"The partition key '{key}' could not be extracted: the record has no value at .{string.Join('.', path)}.";
                        return false;
                    }
                }

                string? value = e.ValueKind switch
                {
                    JsonValueKind.String => e.GetString(),
                    JsonValueKind.Number => e.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => null,
                };
                if (value is null)
                {
                    error = $"The partition key '{key}' could not be extracted: the value at .{string.Join('.', path)} is {e.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)}, not a string, number or boolean.";
                    return false;
                }

                into[ObjectKeys.PrefixTemplate.QueryName(key)] = value;
            }

            return true;
        }
        catch (JsonException ex)
        {
            error = $"The record is not valid JSON: {ex.Message}";
            return false;
        }
    }
}
