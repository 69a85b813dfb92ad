using System.Globalization;
using StreamCore.Functions;

namespace StreamCore.EventSources.Filtering;

/// <summary>
/// An event source mapping's compiled <c>FilterCriteria</c>: a record is delivered when it matches any of the
/// filters' patterns (they are OR'd); a mapping without filters delivers every record. Compiled once at create and
/// update time, matched per record without allocating.
/// </summary>
internal sealed class RecordFilter
{
    /// <summary>Lambda's default quota of filters per event source mapping (raisable to 10).</summary>
    public const int DefaultMaxFilters = 5;

    /// <summary>The filter of a mapping without filter criteria: every record matches.</summary>
    public static readonly RecordFilter All = new([]);

    private readonly FilterPattern[] _patterns;

    private RecordFilter(FilterPattern[] patterns) => _patterns = patterns;

    /// <summary>The compiled patterns, in the order given.</summary>
    public IReadOnlyList<FilterPattern> Patterns => _patterns;

    /// <summary>
    /// Compiles the patterns of <c>FilterCriteria.Filters</c>, checking each as Lambda does; an invalid one is
    /// rejected with Lambda's <see cref="InvalidParameterValueException"/> naming the filter and what is wrong.
    /// </summary>
    /// <param name="patterns">The filters' <c>Pattern</c> texts.</param>
    /// <param name="maxFilters">The account's quota of filters per mapping.</param>
    public static RecordFilter Compile(IReadOnlyList<string?> patterns, int maxFilters = DefaultMaxFilters)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        if (patterns.Count > maxFilters)
        {
            throw new InvalidParameterValueException(
                $"The FilterCriteria has {patterns.Count.ToString(CultureInfo.InvariantCulture)} filters; an event source mapping accepts at most {maxFilters.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (patterns.Count == 0)
        {
            return All;
        }

        var compiled = new FilterPattern[patterns.Count];
        for (int i = 0; i < patterns.Count; i++)
        {
            compiled[i] = CompilePattern(patterns[i], i);
        }

        return new RecordFilter(compiled);
    }

    /// <summary>Compiles one filter's pattern; <paramref name="index"/> (0-based) names it in the error.</summary>
    public static FilterPattern CompilePattern(string? pattern, int index = 0)
    {
        string where = $"FilterCriteria.Filters[{index.ToString(CultureInfo.InvariantCulture)}].Pattern";
        if (string.IsNullOrWhiteSpace(pattern))
        {
            throw new InvalidParameterValueException($"Invalid filter pattern definition. {where} is empty; a pattern is a JSON object such as {{\"data\": {{\"field\": [\"value\"]}}}}.");
        }

        try
        {
            return FilterPattern.Compile(pattern);
        }
        catch (FilterPatternException ex)
        {
            throw new InvalidParameterValueException($"Invalid filter pattern definition. {where}: {ex.Message}.");
        }
    }

    /// <summary>Whether the record is delivered: it matches at least one pattern (or there are none).</summary>
    public bool Matches(in FilterInput record)
    {
        if (_patterns.Length == 0)
        {
            return true;
        }

        foreach (FilterPattern pattern in _patterns)
        {
            if (pattern.Matches(record))
            {
                return true;
            }
        }

        return false;
    }
}
