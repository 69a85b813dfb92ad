using System.Globalization;
using System.Text;

namespace StreamCore.Errors;

/// <summary>
/// Collects constraint failures of one request and throws them as one <see cref="ValidationException"/> in
/// AWS's format (at most 10 items, <c>; </c>-joined). Used by both faces; allocates only when something fails.
/// </summary>
internal struct ValidationErrors
{
    private const int MaxReported = 10;
    private List<string>? _items;

    public readonly bool Any => _items is { Count: > 0 };

    public void Add(string? value, string path, string constraint)
    {
        _items ??= [];
        if (_items.Count < MaxReported)
        {
            string shown = value is null ? "null" : $"'{value}'";
            _items.Add($"Value {shown} at '{path}' failed to satisfy constraint: Member must {constraint}");
        }
    }

    /// <summary>A failure whose constraint text is not a "Member must ..." one (map keys and values).</summary>
    public void AddConstraint(string? value, string path, string constraint)
    {
        _items ??= [];
        if (_items.Count < MaxReported)
        {
            string shown = value is null ? "null" : $"'{value}'";
            _items.Add($"Value {shown} at '{path}' failed to satisfy constraint: {constraint}");
        }
    }

    public void Required(object? value, string path)
    {
        if (value is null)
        {
            Add(null, path, "not be null");
        }
    }

    public void Length(string? value, string path, int min, int max)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length < min)
        {
            Add(value, path, $"have length greater than or equal to {min.ToString(CultureInfo.InvariantCulture)}");
        }
        else if (value.Length > max)
        {
            Add(value, path, $"have length less than or equal to {max.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>A list member's size: not null, and between <paramref name="min"/> and <paramref name="max"/> entries.</summary>
    public void Size<T>(IReadOnlyCollection<T>? value, string path, int min, int max)
    {
        if (value is null)
        {
            Add(null, path, "not be null");
        }
        else if (value.Count < min)
        {
            Add($"[{string.Join(", ", value)}]", path, $"have length greater than or equal to {min.ToString(CultureInfo.InvariantCulture)}");
        }
        else if (value.Count > max)
        {
            Add($"[{value.Count.ToString(CultureInfo.InvariantCulture)} entries]", path, $"have length less than or equal to {max.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    public void Range(long? value, string path, long min, long max)
    {
        if (value is null)
        {
            return;
        }

        string shown = value.Value.ToString(CultureInfo.InvariantCulture);
        if (value < min)
        {
            Add(shown, path, $"have value greater than or equal to {min.ToString(CultureInfo.InvariantCulture)}");
        }
        else if (value > max)
        {
            Add(shown, path, $"have value less than or equal to {max.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    /// <summary>
    /// A pattern constraint. An empty value fails it too (no pattern of the model matches the empty string), so an
    /// empty member reports both its pattern and its minimum length, as AWS does.
    /// </summary>
    public void Pattern(string? value, string path, Func<string, bool> matches, string pattern)
    {
        if (value is not null && !matches(value))
        {
            Add(value, path, $"satisfy regular expression pattern: {pattern}");
        }
    }

    public void Enum(string? value, string path, IReadOnlyList<string> allowed)
    {
        if (value is not null && !allowed.Contains(value))
        {
            Add(value, path, $"satisfy enum value set: [{string.Join(", ", allowed)}]");
        }
    }

    public readonly void ThrowIfAny()
    {
        if (Message is { } message)
        {
            throw new ValidationException(message);
        }
    }

    /// <summary>The failures in AWS's format, or null when there are none (for services whose exception type differs).</summary>
    public readonly string? Message
    {
        get
        {
            if (_items is not { Count: > 0 } items)
            {
                return null;
            }

            var text = new StringBuilder();
            text.Append(items.Count.ToString(CultureInfo.InvariantCulture))
                .Append(items.Count == 1 ? " validation error detected: " : " validation errors detected: ")
                .AppendJoin("; ", items);
            return text.ToString();
        }
    }
}

/// <summary>The member constraints of the Kinesis model that both faces check.</summary>
internal static partial class Constraints
{
    public const string ConsumerArnPattern = "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+";

    public const string NamePattern = "[a-zA-Z0-9_.-]+";
    public const string StreamArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";
    public const string HashKeyPattern = "0|([1-9]\\d{0,38})";
    public const string SequenceNumberPattern = "0|([1-9]\\d{0,128})";

    public const int MinRetentionHours = 24;
    public const int MaxRetentionHours = 8760;
    public const int MaxPartitionKeyLength = 256;
    public const int MaxRecordsPerPutRecords = 500;
    public const int MaxPutRecordsBytes = 10 * 1024 * 1024;
    public const int MinMaxRecordSizeKiB = 1024;
    public const int MaxMaxRecordSizeKiB = 10240;
    public const int MaxGetRecordsLimit = 10_000;
    public const int MaxGetRecordsBytes = 10 * 1024 * 1024;
    public const int MaxTagsPerStream = 50;
    public const int MaxShardCount = 100_000;

    /// <summary><c>[a-zA-Z0-9_.-]+</c></summary>
    public static bool IsName(string value)
    {
        foreach (char c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return value.Length > 0;
    }

    /// <summary><c>0|([1-9]\d{0,38})</c></summary>
    public static bool IsHashKey(string value) =>
        value.Length is > 0 and <= 39 && !value.AsSpan().ContainsAnyExceptInRange('0', '9') && (value.Length == 1 || value[0] != '0');

    /// <summary><c>0|([1-9]\d{0,128})</c></summary>
    public static bool IsSequenceNumberText(string value) =>
        value.Length is > 0 and <= 129 && !value.AsSpan().ContainsAnyExceptInRange('0', '9') && (value.Length == 1 || value[0] != '0');

    /// <summary>The model's ConsumerARN pattern, matched whole (AWS's validator matches the entire value).</summary>
    public static bool IsConsumerArn(string value) => ConsumerArnRegex().IsMatch(value);

    [System.Text.RegularExpressions.GeneratedRegex(@"\A(?:(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+)\z", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex ConsumerArnRegex();

    /// <summary>A consumer ARN member: the model's pattern, 1-2048 characters.</summary>
    public static void ConsumerArnMember(ref ValidationErrors errors, string? value)
    {
        errors.Pattern(value, "consumerARN", IsConsumerArn, ConsumerArnPattern);
        errors.Length(value, "consumerARN", 1, 2048);
    }

    /// <summary><c>arn:aws.*:kinesis:.*:\d{12}:stream/\S+</c></summary>
    public static bool IsStreamArn(string value) => StreamArn.TryParse(value, out _);

    // Within a member AWS reports the constraints in the order of its model: not null, pattern, then length.

    public static void StreamName(ref ValidationErrors errors, string? value, string path = "streamName")
    {
        errors.Pattern(value, path, IsName, NamePattern);
        errors.Length(value, path, 1, 128);
    }

    public static void StreamArnMember(ref ValidationErrors errors, string? value, string path = "streamARN")
    {
        errors.Pattern(value, path, IsStreamArn, StreamArnPattern);
        errors.Length(value, path, 1, 2048);
    }

    /// <summary>The stream address members (<c>streamName</c>, <c>streamARN</c>), both optional in the model.</summary>
    public static void StreamAddress(ref ValidationErrors errors, string? streamName, string? streamArn)
    {
        StreamName(ref errors, streamName);
        StreamArnMember(ref errors, streamArn);
    }

    /// <summary>A shard id member: <c>[a-zA-Z0-9_.-]+</c>, 1-128 characters.</summary>
    public static void ShardIdMember(ref ValidationErrors errors, string? value, string path, bool required = true)
    {
        if (required)
        {
            errors.Required(value, path);
        }

        errors.Pattern(value, path, IsName, NamePattern);
        errors.Length(value, path, 1, 128);
    }

    /// <summary>A consumer name member: <c>[a-zA-Z0-9_.-]+</c>, 1-128 characters.</summary>
    public static void ConsumerName(ref ValidationErrors errors, string? value, bool required)
    {
        if (required)
        {
            errors.Required(value, "consumerName");
        }

        errors.Pattern(value, "consumerName", IsName, NamePattern);
        errors.Length(value, "consumerName", 1, 128);
    }

    /// <summary>A sequence number member: <c>0|([1-9]\d{0,128})</c>.</summary>
    public static void SequenceNumberMember(ref ValidationErrors errors, string? value, string path) =>
        errors.Pattern(value, path, IsSequenceNumberText, SequenceNumberPattern);

    public static void PartitionKey(ref ValidationErrors errors, string? value, string path)
    {
        errors.Required(value, path);
        errors.Length(value, path, 1, MaxPartitionKeyLength);
    }

    public static void ExplicitHashKey(ref ValidationErrors errors, string? value, string path) =>
        errors.Pattern(value, path, IsHashKey, HashKeyPattern);
}

/// <summary>The parts of a stream ARN: <c>arn:&lt;partition&gt;:kinesis:&lt;region&gt;:&lt;account&gt;:stream/&lt;name&gt;</c>.</summary>
internal readonly record struct StreamArn(string Partition, string Region, string AccountId, string StreamName)
{
    public static string Format(string partition, string region, string accountId, string streamName) =>
        $"arn:{partition}:kinesis:{region}:{accountId}:stream/{streamName}";

    public static bool TryParse(string arn, out StreamArn parsed)
    {
        parsed = default;
        string[] parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || !parts[1].StartsWith("aws", StringComparison.Ordinal) || parts[2] != "kinesis"
            || parts[4].Length != 12 || parts[4].AsSpan().ContainsAnyExceptInRange('0', '9') || !parts[5].StartsWith("stream/", StringComparison.Ordinal))
        {
            return false;
        }

        string name = parts[5]["stream/".Length..];
        if (name.Length == 0 || name.Any(char.IsWhiteSpace))
        {
            return false;
        }

        parsed = new StreamArn(parts[1], parts[3], parts[4], name);
        return true;
    }
}
