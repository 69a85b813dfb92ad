using StreamCore.Functions;
using StreamCore.EventSources.Filtering;

namespace StreamCore.Tests.EventSources.Filtering;

/// <summary>Every malformed pattern is rejected with Lambda's InvalidParameterValueException and a message naming the fault.</summary>
public class InvalidPatternTests
{
    [Theory]
    [InlineData("{\"data\": {\"f\": [\"x\"]", "not valid JSON")]
    [InlineData("[{\"data\": {}}]", "must be a JSON object")]
    [InlineData("\"data\"", "must be a JSON object")]
    [InlineData("{}", "empty objects are not allowed")]
    [InlineData("{\"data\": {}}", "empty objects are not allowed (at \"data\")")]
    [InlineData("{\"data\": {\"f\": \"x\"}}", "\"data.f\" must be an object or an array")]
    [InlineData("{\"data\": {\"f\": 5}}", "\"data.f\" must be an object or an array")]
    [InlineData("{\"data\": {\"f\": []}}", "empty arrays are not allowed (at \"data.f\")")]
    [InlineData("{\"data\": {\"f\": [[\"x\"]]}}", "got an array in \"data.f\"")]
    [InlineData("{\"data\": [\"x\"]}", "\"data\" must be an object")]
    [InlineData("{\"data\": {\"f\": [{}]}}", "a match expression needs an operator")]
    [InlineData("{\"data\": {\"f\": [{\"prefix\": \"a\", \"suffix\": \"b\"}]}}", "only one key is allowed in a match expression")]
    [InlineData("{\"data\": {\"f\": [{\"regex\": \"a.*\"}]}}", "unrecognized match type \"regex\"")]
    [InlineData("{\"data\": {\"f\": [{\"prefix\": 5}]}}", "prefix match pattern must be a string")]
    [InlineData("{\"data\": {\"f\": [{\"prefix\": {\"ignore\": \"a\"}}]}}", "prefix match pattern must be a string")]
    [InlineData("{\"data\": {\"f\": [{\"suffix\": null}]}}", "suffix match pattern must be a string")]
    [InlineData("{\"data\": {\"f\": [{\"equals-ignore-case\": 1}]}}", "equals-ignore-case match pattern must be a string")]
    [InlineData("{\"data\": {\"f\": [{\"wildcard\": \"a**b\"}]}}", "consecutive wildcard characters are not allowed")]
    [InlineData("{\"data\": {\"f\": [{\"wildcard\": \"a\\\\b\"}]}}", "a backslash may only escape")]
    [InlineData("{\"data\": {\"f\": [{\"wildcard\": \"a\\\\\"}]}}", "a backslash may only escape")]
    [InlineData("{\"data\": {\"f\": [{\"wildcard\": 3}]}}", "wildcard match pattern must be a string")]
    [InlineData("{\"data\": {\"f\": [{\"exists\": \"true\"}]}}", "exists match pattern must be either true or false")]
    [InlineData("{\"data\": {\"f\": [{\"numeric\": 5}]}}", "the value of numeric must be an array")]
    [InlineData("{\"data\": {\"f\": [{\"numeric\": [\">\"]}]}}", "numeric takes an operator and a number")]
    [InlineData("{\"data\": {\"f\": [{\"numeric\": [\"!=\", 5]}]}}", "unrecognized numeric operator \"!=\"")]
    [InlineData("{\"data\": {\"f\": [{\"numeric\": [\">\", \"5\"]}]}}", "the value of > must be a number")]
    [InlineData("{\"data\": {\"f\": [{\"numeric\": [\"=\", 5, \"<\", 6]}]}}", "numeric \"=\" takes a single number")]
    [InlineData("{\"data\": {\"f\": [{\"numeric\": [\"<\", 5, \">\", 1]}]}}", "numeric \"<\" takes a single number")]
    [InlineData("{\"data\": {\"f\": [{\"numeric\": [\">\", 5, \">\", 6]}]}}", "takes \"<\" or \"<=\", not \">\"")]
    [InlineData("{\"data\": {\"f\": [{\"numeric\": [\">\", 5, \"<\", 5]}]}}", "the bottom of a numeric range must be less than its top")]
    [InlineData("{\"data\": {\"f\": [{\"numeric\": [\">\", 6, \"<=\", 5]}]}}", "the bottom of a numeric range must be less than its top")]
    [InlineData("{\"data\": {\"f\": [{\"anything-but\": [\"a\", 1]}]}}", "mixed types are not supported")]
    [InlineData("{\"data\": {\"f\": [{\"anything-but\": []}]}}", "an anything-but list must not be empty")]
    [InlineData("{\"data\": {\"f\": [{\"anything-but\": true}]}}", "the value of anything-but must be")]
    [InlineData("{\"data\": {\"f\": [{\"anything-but\": [null]}]}}", "only strings or numbers are allowed, not null")]
    [InlineData("{\"data\": {\"f\": [{\"anything-but\": {\"prefix\": \"\"}}]}}", "anything-but prefix must be a non-empty string")]
    [InlineData("{\"data\": {\"f\": [{\"anything-but\": {\"numeric\": [\">\", 1]}}]}}", "unsupported anything-but pattern \"numeric\"")]
    [InlineData("{\"data\": {\"f\": [{\"anything-but\": {\"prefix\": \"a\", \"suffix\": \"b\"}}]}}", "anything-but takes one operator object")]
    [InlineData("{\"data\": {\"f\": [{\"anything-but\": {\"wildcard\": []}}]}}", "takes a string or a non-empty array of strings")]
    [InlineData("{\"data\": {\"f\": [{\"cidr\": \"10.0.0.0/99\"}]}}", "cidr match pattern must be a string in CIDR notation")]
    [InlineData("{\"data\": {\"$or\": [{\"a\": [1]}]}}", "$or needs an array of at least 2 objects")]
    [InlineData("{\"data\": {\"$or\": [{\"a\": [1]}, \"b\"]}}", "only JSON objects are allowed in the array of $or")]
    [InlineData("{\"data\": {\"$or\": [{\"numeric\": [1]}, {\"prefix\": [\"a\"]}]}}", "\"numeric\" is a reserved keyword")]
    [InlineData("{\"data\": {\"f\": [\"x\"]} // comment\n}", "not valid JSON")]
    public void Is_rejected_with_InvalidParameterValueException(string pattern, string expected)
    {
        var ex = Assert.Throws<InvalidParameterValueException>(() => RecordFilter.CompilePattern(pattern, 2));
        Assert.Equal("InvalidParameterValueException", ex.ErrorCode);
        Assert.StartsWith("Invalid filter pattern definition. FilterCriteria.Filters[2].Pattern: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void An_empty_pattern_is_rejected(string? pattern)
    {
        var ex = Assert.Throws<InvalidParameterValueException>(() => RecordFilter.Compile([pattern]));
        Assert.Contains("FilterCriteria.Filters[0].Pattern is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_filters_than_the_quota_are_rejected_and_the_quota_can_be_raised()
    {
        string[] six = [.. Enumerable.Range(0, 6).Select(i => $"{{\"data\": {{\"n\": [{i}]}}}}")];
        var ex = Assert.Throws<InvalidParameterValueException>(() => RecordFilter.Compile(six));
        Assert.Contains("has 6 filters; an event source mapping accepts at most 5", ex.Message, StringComparison.Ordinal);
        Assert.Equal(6, RecordFilter.Compile(six, maxFilters: 10).Patterns.Count);
        Assert.Equal(5, RecordFilter.Compile(six[..5]).Patterns.Count);
    }

    [Fact]
    public void The_bad_filter_is_named_by_its_index()
    {
        var ex = Assert.Throws<InvalidParameterValueException>(() => RecordFilter.Compile(["{\"data\": {\"a\": [1]}}", "{\"data\": {\"a\": 1}}"]));
        Assert.Contains("Filters[1]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_or_that_forks_too_many_ways_is_rejected()
    {
        string or = "\"$or\": [{\"a\": [1]}, {\"b\": [2]}]";
        string pattern = "{\"data\": {" + string.Join(", ", Enumerable.Range(0, 11).Select(i => $"\"n{i}\": {{{or}}}")) + "}}";
        var ex = Assert.Throws<InvalidParameterValueException>(() => RecordFilter.CompilePattern(pattern));
        Assert.Contains("expand to more than 1024 combinations", ex.Message, StringComparison.Ordinal);

        string ten = "{\"data\": {" + string.Join(", ", Enumerable.Range(0, 10).Select(i => $"\"n{i}\": {{{or}}}")) + "}}";
        Assert.Equal(1024, RecordFilter.CompilePattern(ten).Branches.Length);
    }
}
