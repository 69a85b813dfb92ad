using System.Text;
using StreamCore.EventSources.Filtering;

namespace StreamCore.Tests.EventSources.Filtering;

/// <summary>Runs a pattern against a record built from JSON text (or raw bytes) and metadata.</summary>
internal static class FilterSupport
{
    public const string StreamArn = "arn:aws:kinesis:us-east-1:123456789012:stream/app-events";

    public static readonly DateTimeOffset Arrival = DateTimeOffset.FromUnixTimeMilliseconds(1_545_084_650_987);

    public static bool Matches(string pattern, string data, string partitionKey = "1") =>
        Matches(pattern, Encoding.UTF8.GetBytes(data), partitionKey);

    public static bool Matches(string pattern, byte[] data, string partitionKey = "1")
    {
        FilterPattern compiled = RecordFilter.CompilePattern(pattern);
        var input = new FilterInput(data, partitionKey, "49590338271490256608559692538361571095921575989136588898", Arrival, "shardId-000000000006")
        {
            EventSourceArn = StreamArn,
            AwsRegion = "us-east-1",
            InvokeIdentityArn = "arn:aws:iam::123456789012:role/lambda-role",
        };
        return compiled.Matches(input);
    }

    /// <summary>A pattern on one field of the data: <c>{"data": {"f": LEAF}}</c>.</summary>
    public static string OnField(string leaf, string field = "f") => $"{{\"data\": {{\"{field}\": {leaf}}}}}";
}
