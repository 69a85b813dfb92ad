using System.Text.Json;
using StreamCore.Connectors;

namespace StreamCore.EventSources;

/// <summary>
/// The one seam between mappings and filter patterns. Until the pattern engine (EventSources/Filtering) is wired in,
/// a pattern must be one well-formed JSON object, and records are not filtered.
/// </summary>
internal static class MappingFilters
{
    /// <summary>Lambda's default quota of filters per mapping.</summary>
    public const int MaxFilters = 5;

    /// <summary>The longest pattern, in characters.</summary>
    public const int MaxPatternLength = 4096;

    /// <summary>Checks a mapping's patterns; an invalid one is Lambda's InvalidParameterValueException.</summary>
    public static object? Compile(IReadOnlyList<string?> patterns)
    {
        foreach (string? pattern in patterns)
        {
            if (pattern is not { Length: > 0 } || !IsJsonObject(pattern))
            {
                throw new Functions.InvalidParameterValueException("Invalid filter pattern definition.");
            }
        }

        return null;
    }

    /// <summary>Whether a record passes the mapping's filters.</summary>
    public static bool Matches(MappingSettings settings, in SourceRecord record, ShardId shardId, MappingRunner runner) => true;

    private static bool IsJsonObject(string pattern)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(pattern);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
