using System.Text.RegularExpressions;

namespace StreamCore.Functions;

/// <summary>
/// A <c>FunctionName</c> member as Lambda accepts it: a name (<c>my-function</c>), a name with a qualifier
/// (<c>my-function:$LATEST</c>), a partial ARN (<c>123456789012:function:my-function</c>) or a full ARN
/// (<c>arn:aws:lambda:us-east-1:123456789012:function:my-function</c>). The parts it leaves out are the registry's.
/// </summary>
internal readonly partial record struct FunctionName(string? Partition, string? Region, string? AccountId, string Name, string? Qualifier)
{
    /// <summary>The model's FunctionName pattern, as AWS's validation message quotes it.</summary>
    public const string Pattern = @"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";

    /// <summary>The longest FunctionName of CreateEventSourceMapping and UpdateEventSourceMapping.</summary>
    public const int MaxLength = 256;

    /// <summary>The longest name a function may be registered under (Lambda's CreateFunction limit).</summary>
    public const int MaxNameLength = 64;

    /// <summary>Parses <paramref name="value"/> against the model's pattern (matched whole).</summary>
    public static bool TryParse(string value, out FunctionName parsed)
    {
        parsed = default;
        Match match = FunctionNameRegex().Match(value);
        if (!match.Success)
        {
            return false;
        }

        static string? Part(Group group, int trim) => group.Success ? group.Value[..^trim] : null;
        string? partition = match.Groups["arn"].Success ? (match.Groups["partition"].Success ? match.Groups["partition"].Value : string.Empty) : null;
        parsed = new FunctionName(
            partition,
            Part(match.Groups["region"], 1),
            Part(match.Groups["account"], 1),
            match.Groups["name"].Value,
            match.Groups["qualifier"].Success ? match.Groups["qualifier"].Value : null);
        return true;
    }

    /// <summary>Whether <paramref name="name"/> is a name a function may be registered under: <c>[a-zA-Z0-9-_]{1,64}</c>.</summary>
    public static bool IsRegistrableName(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"\A(?<arn>arn:(?<partition>aws[a-zA-Z-]*)?:lambda:)?(?<region>[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(?<account>\d{12}:)?(function:)?(?<name>[a-zA-Z0-9-_\.]+)(:(?<qualifier>\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex FunctionNameRegex();
}
