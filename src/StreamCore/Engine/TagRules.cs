using System.Globalization;
using StreamCore.Errors;

namespace StreamCore.Engine;

/// <summary>Kinesis's rules for stream tags.</summary>
internal static class TagRules
{
    /// <summary>Validates tags about to be added to <paramref name="existing"/> (null for a new stream).</summary>
    public static void ValidateAdd(IReadOnlyDictionary<string, string> tags, IReadOnlyDictionary<string, string>? existing)
    {
        var errors = default(ValidationErrors);
        foreach ((string key, string value) in tags)
        {
            errors.Length(key, "tags.key", 1, 128);
            errors.Length(value, "tags.value", 0, 256);
        }

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
