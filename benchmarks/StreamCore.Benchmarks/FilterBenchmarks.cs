using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StreamCore.EventSources.Filtering;

namespace StreamCore.Benchmarks;

/// <summary>
/// Lambda filter criteria: the cost per record of matching a three-field pattern (exact string, numeric range,
/// prefix) against a ~200-byte JSON record, next to a bare <see cref="Utf8JsonReader"/> pass over the same bytes
/// (the floor any JSON filter pays) as the baseline. Records cycle through 1,024 variants so that about half match.
/// </summary>
[MemoryDiagnoser]
public class FilterBenchmarks
{
    private const int N = 1024;
    private const string ThreeFields = """{"data": {"eventType": ["ORDER_PLACED"], "amount": [{"numeric": [">", 10, "<=", 500]}], "region": [{"prefix": "eu-"}]}}""";
    private byte[][] _records = [];
    private FilterPattern _pattern = null!;
    private FilterPattern _metadataAndData = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pattern = RecordFilter.CompilePattern(ThreeFields);
        _metadataAndData = RecordFilter.CompilePattern("""{"partitionKey": [{"prefix": "user-"}], "data": {"eventType": ["ORDER_PLACED"], "amount": [{"numeric": [">", 10]}]}}""");
        string[] types = ["ORDER_PLACED", "ORDER_SHIPPED"];
        string[] regions = ["eu-west-1", "us-east-1"];
        _records = [.. Enumerable.Range(0, N).Select(i => Encoding.UTF8.GetBytes(
            $$"""{"orderId": "o-{{i:D8}}", "customer": {"id": {{i}}, "tier": "gold"}, "eventType": "{{types[i % 2]}}", "items": [1, 2, 3], "amount": {{(i * 7) % 600}}.25, "region": "{{regions[(i / 2) % 2]}}", "note": "a fairly ordinary order record"}"""))];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = N)]
    public int Reader_pass_over_the_record()
    {
        int tokens = 0;
        foreach (byte[] record in _records)
        {
            var reader = new Utf8JsonReader(record);
            while (reader.Read())
            {
                tokens++;
            }
        }

        return tokens;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int Three_field_pattern()
    {
        int matched = 0;
        foreach (byte[] record in _records)
        {
            if (_pattern.Matches(new FilterInput(record, "user-1", "49590338271490256608559692538361571095921575989136588898", default, "shardId-000000000000")))
            {
                matched++;
            }
        }

        return matched;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int Partition_key_and_two_data_fields()
    {
        int matched = 0;
        byte[] key = "user-1"u8.ToArray();
        foreach (byte[] record in _records)
        {
            if (_metadataAndData.Matches(new FilterInput(record, key, default, default, default)))
            {
                matched++;
            }
        }

        return matched;
    }
}
