using System.Text;
using StreamCore.EventSources.Filtering;
using static StreamCore.Tests.EventSources.Filtering.FilterSupport;

namespace StreamCore.Tests.EventSources.Filtering;

/// <summary>Each operator of Lambda's filter syntax, with the examples of Lambda's, EventBridge's and event-ruler's docs.</summary>
public class FilterOperatorTests
{
    private const string Order = """{"record": 12345, "order": {"type": "buy", "stock": "ANYCO", "quantity": 1000}}""";

    [Fact]
    public void Exact_string_in_nested_data_as_in_the_Lambda_Kinesis_example()
    {
        const string pattern = """{ "data" : { "order" : { "type" : [ "buy" ] } } }""";
        Assert.True(Matches(pattern, Order));
        Assert.False(Matches(pattern, Order.Replace("\"buy\"", "\"sell\"", StringComparison.Ordinal)));
        Assert.False(Matches(pattern, Order.Replace("\"buy\"", "\"Buy\"", StringComparison.Ordinal)));
        Assert.False(Matches(pattern, """{"record": 1}"""));
    }

    [Fact]
    public void Exact_strings_compare_unescaped_text()
    {
        Assert.True(Matches(OnField("""["a\"b"]"""), """{"f": "a\u0022b"}"""));
        Assert.True(Matches(OnField("""["é"]"""), """{"f": "\u00e9"}"""));
        Assert.False(Matches(OnField("""["e"]"""), """{"f": "é"}"""));
    }

    [Fact]
    public void Exact_numbers_compare_as_text_so_300_and_300_0_differ()
    {
        Assert.True(Matches(OnField("[300]"), """{"f": 300}"""));
        Assert.False(Matches(OnField("[300]"), """{"f": 300.0}"""));
        Assert.False(Matches(OnField("[300]"), """{"f": 3.0e2}"""));
        Assert.False(Matches(OnField("[300]"), """{"f": "300"}"""));
        Assert.True(Matches(OnField("[3.0e2]"), """{"f": 3.0e2}"""));
    }

    [Fact]
    public void Booleans_match_JSON_booleans_only()
    {
        Assert.True(Matches(OnField("[true]"), """{"f": true}"""));
        Assert.False(Matches(OnField("[true]"), """{"f": false}"""));
        Assert.False(Matches(OnField("[true]"), """{"f": "true"}"""));
        Assert.True(Matches(OnField("[false]"), """{"f": false}"""));
    }

    [Fact]
    public void Null_matches_JSON_null_and_not_a_missing_field_or_an_empty_string()
    {
        Assert.True(Matches(OnField("[null]"), """{"f": null}"""));
        Assert.False(Matches(OnField("[null]"), """{"g": 1}"""));
        Assert.False(Matches(OnField("[null]"), """{"f": ""}"""));
        Assert.False(Matches(OnField("[null]"), """{"f": "null"}"""));
    }

    [Fact]
    public void Empty_string_matches_only_an_empty_string()
    {
        Assert.True(Matches(OnField("""[""]"""), """{"f": ""}"""));
        Assert.False(Matches(OnField("""[""]"""), """{"f": null}"""));
        Assert.False(Matches(OnField("""[""]"""), """{"g": ""}"""));
        Assert.False(Matches(OnField("""[""]"""), """{"f": " "}"""));
    }

    [Fact]
    public void Several_values_in_a_leaf_are_ORed()
    {
        string pattern = OnField("""["aws.ec2", "aws.fargate"]""");
        Assert.True(Matches(pattern, """{"f": "aws.fargate"}"""));
        Assert.True(Matches(pattern, """{"f": "aws.ec2"}"""));
        Assert.False(Matches(pattern, """{"f": "aws.s3"}"""));
    }

    [Fact]
    public void Several_keys_are_ANDed_and_every_named_field_must_be_present()
    {
        const string pattern = """{"data": {"a": [1], "b": ["x"]}}""";
        Assert.True(Matches(pattern, """{"a": 1, "b": "x", "c": true}"""));
        Assert.False(Matches(pattern, """{"a": 1}"""));
        Assert.False(Matches(pattern, """{"a": 1, "b": "y"}"""));
    }

    [Fact]
    public void Prefix_applies_to_strings_only()
    {
        string pattern = OnField("""[{"prefix": "us-"}]""");
        Assert.True(Matches(pattern, """{"f": "us-east-1"}"""));
        Assert.True(Matches(pattern, """{"f": "us-"}"""));
        Assert.False(Matches(pattern, """{"f": "eu-west-1"}"""));
        Assert.False(Matches(pattern, """{"f": "US-east-1"}"""));
        Assert.True(Matches(OnField("""[{"prefix": "2017-10-02"}]"""), """{"f": "2017-10-02T18:43:48Z"}"""));
        Assert.True(Matches(OnField("""[{"prefix": "1"}]"""), """{"f": "12"}"""));
        Assert.False(Matches(OnField("""[{"prefix": "1"}]"""), """{"f": 12}"""));
    }

    [Fact]
    public void Suffix_applies_to_strings_only()
    {
        string pattern = OnField("""[{"suffix": ".png"}]""");
        Assert.True(Matches(pattern, """{"f": "image.png"}"""));
        Assert.False(Matches(pattern, """{"f": "image.PNG"}"""));
        Assert.False(Matches(pattern, """{"f": "image.png.jpg"}"""));
        Assert.False(Matches(OnField("""[{"suffix": "2"}]"""), """{"f": 12}"""));
    }

    [Fact]
    public void Equals_ignore_case_and_prefix_and_suffix_ignoring_case()
    {
        Assert.True(Matches(OnField("""[{"equals-ignore-case": "EC2"}]"""), """{"f": "ec2"}"""));
        Assert.True(Matches(OnField("""[{"equals-ignore-case": "ÉTÉ"}]"""), """{"f": "été"}"""));
        Assert.False(Matches(OnField("""[{"equals-ignore-case": "EC2"}]"""), """{"f": "ec22"}"""));
        Assert.True(Matches(OnField("""[{"prefix": {"equals-ignore-case": "US-"}}]"""), """{"f": "us-east-1"}"""));
        Assert.True(Matches(OnField("""[{"suffix": {"equals-ignore-case": ".PNG"}}]"""), """{"f": "a.png"}"""));
        Assert.False(Matches(OnField("""[{"suffix": {"equals-ignore-case": ".PNG"}}]"""), """{"f": "a.jpg"}"""));
    }

    [Fact]
    public void Wildcard_star_matches_any_run_and_backslash_escapes_star_and_backslash()
    {
        string pattern = OnField("""[{"wildcard": "Simple*Service"}]""");
        Assert.True(Matches(pattern, """{"f": "SimpleQueueService"}"""));
        Assert.True(Matches(pattern, """{"f": "SimpleService"}"""));
        Assert.False(Matches(pattern, """{"f": "SimpleQueueServices"}"""));
        Assert.False(Matches(pattern, """{"f": "ASimpleService"}"""));
        Assert.True(Matches(OnField("""[{"wildcard": "*"}]"""), """{"f": ""}"""));
        Assert.False(Matches(OnField("""[{"wildcard": "*"}]"""), """{"f": 5}"""));
        Assert.True(Matches(OnField("""[{"wildcard": "a*b*c"}]"""), """{"f": "abbbc"}"""));
        Assert.False(Matches(OnField("""[{"wildcard": "a*bc*bc"}]"""), """{"f": "abc"}"""));
        Assert.True(Matches(OnField("""[{"wildcard": "a\\*b"}]"""), """{"f": "a*b"}"""));
        Assert.False(Matches(OnField("""[{"wildcard": "a\\*b"}]"""), """{"f": "axb"}"""));
        Assert.True(Matches(OnField("""[{"wildcard": "a\\\\*"}]"""), """{"f": "a\\xyz"}"""));
    }

    [Fact]
    public void Anything_but_a_string_or_a_list_of_strings()
    {
        string single = """{"data": {"state": [{"anything-but": "initializing"}]}}""";
        Assert.True(Matches(single, """{"state": "running"}"""));
        Assert.False(Matches(single, """{"state": "initializing"}"""));
        Assert.True(Matches(single, """{"state": 5}"""));
        Assert.False(Matches(single, """{"other": "running"}"""));

        string list = """{"data": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}""";
        Assert.True(Matches(list, """{"state": "running"}"""));
        Assert.False(Matches(list, """{"state": "overloaded"}"""));
    }

    [Fact]
    public void Anything_but_numbers_compares_numerically()
    {
        string single = """{"data": {"x-limit": [{"anything-but": 123}]}}""";
        Assert.True(Matches(single, """{"x-limit": 124}"""));
        Assert.False(Matches(single, """{"x-limit": 123}"""));
        Assert.False(Matches(single, """{"x-limit": 123.0}"""));
        Assert.True(Matches(single, """{"x-limit": "123"}"""));

        string list = """{"data": {"x-limit": [{"anything-but": [100, 200, 300]}]}}""";
        Assert.True(Matches(list, """{"x-limit": 301.8}"""));
        Assert.False(Matches(list, """{"x-limit": 200}"""));
    }

    [Fact]
    public void Anything_but_prefix_suffix_ignore_case_and_wildcard()
    {
        string prefix = """{"data": {"state": [{"anything-but": {"prefix": "init"}}]}}""";
        Assert.True(Matches(prefix, """{"state": "running"}"""));
        Assert.False(Matches(prefix, """{"state": "initializing"}"""));

        string suffix = """{"data": {"f": [{"anything-but": {"suffix": ".tmp"}}]}}""";
        Assert.True(Matches(suffix, """{"f": "a.txt"}"""));
        Assert.False(Matches(suffix, """{"f": "a.tmp"}"""));

        string ignoreCase = """{"data": {"f": [{"anything-but": {"equals-ignore-case": ["Stopped", "OVERLOADED"]}}]}}""";
        Assert.True(Matches(ignoreCase, """{"f": "running"}"""));
        Assert.False(Matches(ignoreCase, """{"f": "stopped"}"""));
        Assert.False(Matches(ignoreCase, """{"f": "Overloaded"}"""));

        string wildcard = """{"data": {"f": [{"anything-but": {"wildcard": "*/lib/*"}}]}}""";
        Assert.True(Matches(wildcard, """{"f": "/usr/bin/x"}"""));
        Assert.False(Matches(wildcard, """{"f": "/usr/lib/x"}"""));
    }

    [Fact]
    public void Numeric_ranges_and_equality_from_the_EventBridge_example()
    {
        const string pattern = """
            {"data": {
              "c-count": [ { "numeric": [ ">", 0, "<=", 5 ] } ],
              "d-count": [ { "numeric": [ "<", 10 ] } ],
              "x-limit": [ { "numeric": [ "=", 3.018e2 ] } ]
            }}
            """;
        Assert.True(Matches(pattern, """{"c-count": 5, "d-count": 3, "x-limit": 301.8}"""));
        Assert.False(Matches(pattern, """{"c-count": 0, "d-count": 3, "x-limit": 301.8}"""));
        Assert.False(Matches(pattern, """{"c-count": 5.000001, "d-count": 3, "x-limit": 301.8}"""));
        Assert.False(Matches(pattern, """{"c-count": 5, "d-count": 10, "x-limit": 301.8}"""));
        Assert.False(Matches(pattern, """{"c-count": 5, "d-count": 3, "x-limit": 301.9}"""));
    }

    [Fact]
    public void Numeric_works_only_on_JSON_numbers()
    {
        Assert.False(Matches(OnField("""[{"numeric": [">", 40]}]"""), """{"f": "46"}"""));
        Assert.True(Matches(OnField("""[{"numeric": [">", 40]}]"""), """{"f": 46}"""));
        Assert.True(Matches(OnField("""[{"numeric": [">=", 40]}]"""), """{"f": 4e1}"""));
        Assert.False(Matches(OnField("""[{"numeric": [">", 40]}]"""), """{"f": 40}"""));
        Assert.True(Matches(OnField("""[{"numeric": ["<=", -1.5]}]"""), """{"f": -1.5}"""));
        Assert.False(Matches(OnField("""[{"numeric": ["<", -1.5]}]"""), """{"f": -1.5}"""));
        Assert.True(Matches(OnField("""[{"numeric": [">=", 1, "<", 2]}]"""), """{"f": 1}"""));
        Assert.False(Matches(OnField("""[{"numeric": [">=", 1, "<", 2]}]"""), """{"f": 2}"""));
    }

    [Fact]
    public void Exists_true_needs_a_leaf_value()
    {
        string pattern = OnField("""[{"exists": true}]""", "c-count");
        Assert.True(Matches(pattern, """{"c-count": 1}"""));
        Assert.True(Matches(pattern, """{"c-count": null}"""));
        Assert.False(Matches(pattern, """{"d-count": 1}"""));
        Assert.False(Matches(pattern, """{"c-count": {"c1": 100}}"""));
    }

    [Fact]
    public void Exists_false_matches_a_missing_field_and_an_intermediate_node_as_the_EventBridge_docs_say()
    {
        string pattern = """{"data": {"detail": {"c-count": [{"exists": false}]}}}""";
        Assert.True(Matches(pattern, """{"detail": {"state": ["initializing", "running"]}}"""));
        Assert.True(Matches(pattern, """{"detail": {"state": ["initializing", "running"], "c-count": {"c1": 100}}}"""));
        Assert.False(Matches(pattern, """{"detail": {"c-count": 0}}"""));
        Assert.True(Matches(pattern, """{"other": 1}"""));
    }

    [Fact]
    public void Exists_false_looks_at_every_element_of_an_array()
    {
        string pattern = """{"data": {"items": {"b": [{"exists": false}], "d": [1]}}}""";
        Assert.True(Matches(pattern, """{"items": [{"d": 1}, {"c": 2}]}"""));
        Assert.False(Matches(pattern, """{"items": [{"d": 1}, {"b": 2}]}"""));
    }

    [Fact]
    public void A_leaf_can_mix_exists_false_with_values()
    {
        string pattern = OnField("""[{"exists": false}, "x"]""");
        Assert.True(Matches(pattern, """{"g": 1}"""));
        Assert.True(Matches(pattern, """{"f": "x"}"""));
        Assert.False(Matches(pattern, """{"f": "y"}"""));
    }

    [Fact]
    public void Cidr_matches_IPv4_and_IPv6_addresses_in_the_network()
    {
        Assert.True(Matches(OnField("""[{"cidr": "10.0.0.0/24"}]"""), """{"f": "10.0.0.33"}"""));
        Assert.False(Matches(OnField("""[{"cidr": "10.0.0.0/24"}]"""), """{"f": "10.0.1.33"}"""));
        Assert.False(Matches(OnField("""[{"cidr": "10.0.0.0/24"}]"""), """{"f": "not an ip"}"""));
        Assert.True(Matches(OnField("""[{"cidr": "2001:db8::/32"}]"""), """{"f": "2001:db8::1"}"""));
    }

    [Fact]
    public void Or_of_fields_from_the_event_ruler_examples()
    {
        const string pattern = """
            {"data": {
              "source": [ "aws.cloudwatch" ],
              "$or": [
                { "metricName": [ "CPUUtilization", "ReadLatency" ] },
                { "metricType": [ "MetricType" ], "namespace": [ "AWS/EC2", "AWS/ES" ] },
                { "scope": [ "Service" ] }
              ]
            }}
            """;
        Assert.True(Matches(pattern, """{"source": "aws.cloudwatch", "metricName": "ReadLatency"}"""));
        Assert.True(Matches(pattern, """{"source": "aws.cloudwatch", "metricType": "MetricType", "namespace": "AWS/ES"}"""));
        Assert.False(Matches(pattern, """{"source": "aws.cloudwatch", "metricType": "MetricType"}"""));
        Assert.True(Matches(pattern, """{"source": "aws.cloudwatch", "scope": "Service"}"""));
        Assert.False(Matches(pattern, """{"source": "aws.ec2", "scope": "Service"}"""));
    }

    [Fact]
    public void Parallel_and_nested_or()
    {
        const string parallel = """
            {"data": {
              "$or": [ { "metricName": [ "CPUUtilization" ] }, { "namespace": [ "AWS/EC2" ] } ],
              "detail": { "$or": [ { "source": [ "aws.cloudwatch" ] }, { "detail-type": [ "CloudWatch Alarm State Change" ] } ] }
            }}
            """;
        Assert.True(Matches(parallel, """{"namespace": "AWS/EC2", "detail": {"detail-type": "CloudWatch Alarm State Change"}}"""));
        Assert.False(Matches(parallel, """{"namespace": "AWS/EC2", "detail": {"detail-type": "other"}}"""));

        const string nested = """
            {"data": {
              "source": [ "aws.cloudwatch" ],
              "$or": [
                { "metricName": [ "CPUUtilization" ] },
                { "metricType": [ "MetricType" ], "$or": [ { "metricId": [ 1234 ] }, { "spaceId": [ 1000 ] } ] }
              ]
            }}
            """;
        Assert.True(Matches(nested, """{"source": "aws.cloudwatch", "metricType": "MetricType", "spaceId": 1000}"""));
        Assert.False(Matches(nested, """{"source": "aws.cloudwatch", "metricType": "MetricType", "spaceId": 1001}"""));
    }

    [Fact]
    public void Or_as_an_object_is_an_ordinary_field_name()
    {
        const string pattern = """{"data": {"$or": {"metricType": ["MetricType"]}}}""";
        Assert.True(Matches(pattern, """{"$or": {"metricType": "MetricType"}}"""));
        Assert.False(Matches(pattern, """{"metricType": "MetricType"}"""));
    }

    [Fact]
    public void An_event_array_matches_when_any_element_matches()
    {
        string pattern = OnField("""["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]""", "resources");
        Assert.True(Matches(pattern, """{"resources": ["arn:aws:autoscaling:us-east-1:1:x", "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}"""));
        Assert.False(Matches(pattern, """{"resources": ["arn:aws:autoscaling:us-east-1:1:x"]}"""));
        Assert.False(Matches(pattern, """{"resources": []}"""));
        Assert.True(Matches(OnField("[3]"), """{"f": [[1, 2], [3]]}"""));
    }

    [Fact]
    public void Two_fields_under_an_array_of_objects_must_match_in_the_same_element()
    {
        const string pattern = """{"data": {"items": {"sku": ["a"], "qty": [2]}}}""";
        Assert.True(Matches(pattern, """{"items": [{"sku": "b", "qty": 2}, {"sku": "a", "qty": 2}]}"""));
        Assert.False(Matches(pattern, """{"items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]}"""));
    }

    [Fact]
    public void Nested_objects_walk_down_the_event_and_a_leaf_never_matches_an_object()
    {
        const string pattern = """{"data": {"a": {"b": {"c": ["x"]}}}}""";
        Assert.True(Matches(pattern, """{"a": {"b": {"c": "x", "d": 1}, "e": [1, 2]}}"""));
        Assert.False(Matches(pattern, """{"a": {"b": "x"}}"""));
        Assert.False(Matches(pattern, """{"a": {"c": "x"}}"""));
        Assert.False(Matches("""{"data": {"a": ["x"]}}""", """{"a": {"x": 1}}"""));
    }

    [Fact]
    public void A_key_written_twice_keeps_its_last_value()
    {
        const string pattern = """{"data": {"f": ["first"], "f": ["last"]}}""";
        Assert.True(Matches(pattern, """{"f": "last"}"""));
        Assert.False(Matches(pattern, """{"f": "first"}"""));
    }

    [Fact]
    public void Data_that_is_not_JSON_is_dropped_by_a_data_clause_but_metadata_still_filters()
    {
        byte[] binary = [0x00, 0x01, 0xFF, 0x7B];
        Assert.False(Matches("""{"data": {"f": [{"exists": false}]}}""", binary));
        Assert.False(Matches("""{"data": {"f": ["x"]}}""", "{\"f\": \"x\"} trailing"));
        Assert.False(Matches("""{"data": {"f": ["x"]}}""", "{\"f\": \"x\""));
        Assert.True(Matches("""{"partitionKey": ["1"]}""", binary));
        Assert.False(Matches("""{"partitionKey": ["2"]}""", binary));
    }

    [Fact]
    public void Data_that_is_a_JSON_scalar_has_no_fields()
    {
        Assert.False(Matches("""{"data": {"f": ["x"]}}""", "\"x\""));
        Assert.True(Matches("""{"data": {"f": [{"exists": false}]}}""", "42"));
    }

    [Fact]
    public void Metadata_fields_of_the_Kinesis_event_are_matched_at_the_top_level()
    {
        const string data = """{"a": 1}""";
        Assert.True(Matches("""{"partitionKey": [{"prefix": "user-"}], "data": {"a": [1]}}""", data, "user-7"));
        Assert.False(Matches("""{"partitionKey": [{"prefix": "user-"}], "data": {"a": [1]}}""", data, "admin-7"));
        Assert.True(Matches($$"""{"eventSourceARN": ["{{StreamArn}}"]}""", data));
        Assert.True(Matches("""{"eventSource": ["aws:kinesis"], "eventName": ["aws:kinesis:record"], "awsRegion": ["us-east-1"]}""", data));
        Assert.True(Matches("""{"eventID": ["shardId-000000000006:49590338271490256608559692538361571095921575989136588898"]}""", data));
        Assert.True(Matches("""{"sequenceNumber": [{"prefix": "4959"}], "kinesisSchemaVersion": ["1.0"]}""", data));
        Assert.True(Matches("""{"approximateArrivalTimestamp": [{"numeric": [">", 1545084650, "<", 1545084651]}]}""", data));
        Assert.True(Matches("""{"approximateArrivalTimestamp": [1545084650.987]}""", data));
        Assert.False(Matches("""{"noSuchField": [{"exists": true}]}""", data));
        Assert.True(Matches("""{"noSuchField": [{"exists": false}]}""", data));
    }

    [Fact]
    public void The_engine_record_view_matches_like_the_string_view()
    {
        FilterPattern pattern = RecordFilter.CompilePattern("""{"partitionKey": ["ké"], "eventID": [{"prefix": "shardId-000000000002:"}], "data": {"a": [1]}}""");
        var seq = SequenceNumber.Parse("49590338271490256608559692538361571095921575989136588898");
        var input = new FilterInput("""{"a": 1}"""u8, Encoding.UTF8.GetBytes("ké"), seq, Arrival, new ShardId(2));
        Assert.True(pattern.Matches(input));
        var other = new FilterInput("""{"a": 1}"""u8, Encoding.UTF8.GetBytes("ke"), seq, Arrival, new ShardId(2));
        Assert.False(pattern.Matches(other));
    }

    [Fact]
    public void Filters_are_ORed_and_no_filters_deliver_everything()
    {
        RecordFilter filter = RecordFilter.Compile(["""{"data": {"t": ["a"]}}""", """{"data": {"t": ["b"]}}"""]);
        Assert.True(filter.Matches(Input("""{"t": "a"}""")));
        Assert.True(filter.Matches(Input("""{"t": "b"}""")));
        Assert.False(filter.Matches(Input("""{"t": "c"}""")));
        Assert.True(RecordFilter.Compile([]).Matches(Input("not json")));
    }

    [Fact]
    public void The_seed_filter_selects_ORDER_PLACED()
    {
        RecordFilter filter = RecordFilter.Compile(["{\"data\": {\"eventType\": [\"ORDER_PLACED\"]}}"]);
        Assert.True(filter.Matches(Input("""{"eventType": "ORDER_PLACED", "orderId": 1}""")));
        Assert.False(filter.Matches(Input("""{"eventType": "ORDER_SHIPPED", "orderId": 1}""")));
    }

    private static FilterInput Input(string data) =>
        new(Encoding.UTF8.GetBytes(data), "pk", "1", Arrival, "shardId-000000000000");
}
