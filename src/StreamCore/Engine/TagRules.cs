using System.Globalization;
using StreamCore.Errors;

namespace StreamCore.Engine;

/// <summary>Kinesis's rules for stream tags.</summary>
internal static class TagRules
{
    /// <summary>
    /// The tag map's member constraints as AWS reports them: one failure for the keys and one for the values, at
    /// <c>tags</c>, showing the map (kinesalite's AWS-recorded test/addTagsToStream.js).
    /// </summary>
    public static void Shape(ref ValidationErrors errors, IReadOnlyDictionary<string, string>? tags, string path = "tags")
    {
        if (tags is null)
        {
            return;
        }

        bool badKey = tags.Keys.Any(k => k.Length is < 1 or > 128);
        bool badValue = tags.Values.Any(v => v is null || v.Length > 256);
        if (badKey || badValue)
        {
            string shown = "{" + string.Join(", ", tags.Select(t => $"{t.Key}={t.Value}")) + "}";
            if (badKey)
            {
                errors.AddConstraint(shown, path, "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]");
            }

            if (badValue)
            {
                errors.AddConstraint(shown, path, "Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]");
            }
        }
    }

    /// <summary>Validates tags about to be added to <paramref name="existing"/> (null for a new stream).</summary>
    public static void ValidateAdd(IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string>? existing)
    {
        var errors = default(ValidationErrors);
        Shape(ref errors, tags);
        errors.ThrowIfAny();
        foreach ((string key, string value) in tags)
        {
            if (!IsAllowed(key) || !IsAllowed(value))
            {
                throw new InvalidArgumentException(
                    $"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - @. Tag: {key}={value}");
            }

            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidArgumentException($"Tag key {key} uses the reserved prefix 'aws:'.");
            }
        }

        int total = existing?.Count ?? 0;
        foreach (string key in tags.Keys)
        {
            if (existing is null || !existing.ContainsKey(key))
            {
                total++;
            }
        }

        if (total > Constraints.MaxTagsPerStream)
        {
            throw new InvalidArgumentException(
                $"Failed to add tags to stream: a stream may have at most {Constraints.MaxTagsPerStream.ToString(CultureInfo.InvariantCulture)} tags; the request would leave it with {total.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    private static bool IsAllowed(string text)
    {
        foreach (char c in text)
        {
            bool ok = char.IsLetterOrDigit(c) || c == ' ' || c is '_' or '.' or '/' or '=' or '+' or '-' or '@' or ':';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
