using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace StreamCore.Server.Tests.Lambda;

/// <summary>
/// Lambda's event source mapping operations over raw HTTP: both trailing-slash forms, 202 for Create, Update and
/// Delete, Lambda's error shape for every refusal, and a round trip from PutRecord through a mapping to a function URL.
/// </summary>
public sealed class LambdaWireTests : IAsyncLifetime
{
    private const string Mappings = "/2015-03-31/event-source-mappings";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private FunctionUrl _function = null!;
    private StreamEngine _engine = null!;
    private KinesisEndpoint _endpoint = null!;
    private HttpClient _http = null!;
    private string _streamArn = null!;

    public async ValueTask InitializeAsync()
    {
        _function = await FunctionUrl.StartAsync();
        _engine = new StreamEngine();
        _endpoint = await KinesisEndpoint.StartAsync(_engine, new KinesisEndpointOptions { Functions = new Dictionary<string, Uri> { ["process-stream"] = _function.Url } });
        _http = new HttpClient { BaseAddress = _endpoint.Url };
        using HttpResponseMessage created = await KinesisAsync("CreateStream", """{"StreamName":"orders","ShardCount":1}""");
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        _streamArn = $"arn:aws:kinesis:us-east-1:000000000000:stream/orders";
        using HttpResponseMessage audit = await KinesisAsync("CreateStream", """{"StreamName":"audit","ShardCount":1}""");
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _endpoint.DisposeAsync();
        _engine.Dispose();
        await _function.DisposeAsync();
    }

    private Task<HttpResponseMessage> KinesisAsync(string operation, string body) =>
        _http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(body, new MediaTypeHeaderValue("application/x-amz-json-1.1")),
            Headers = { { "X-Amz-Target", "Kinesis_20131202." + operation } },
        });

    private async Task<(HttpStatusCode Status, JsonElement Body, string? ErrorType)> LambdaAsync(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, new MediaTypeHeaderValue("application/json"));
        }

        using HttpResponseMessage response = await _http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        string? type = response.Headers.TryGetValues("X-Amzn-ErrorType", out IEnumerable<string>? values) ? values.Single() : null;
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), type);
    }

    private string Create(string extra = "") => $$"""{"FunctionName":"process-stream","EventSourceArn":"{{_streamArn}}","StartingPosition":"TRIM_HORIZON"{{extra}}}""";

    [Fact]
    public async Task Create_answers_202_on_both_path_forms_and_get_update_list_delete_follow_Lambdas_statuses()
    {
        (HttpStatusCode status, JsonElement created, _) = await LambdaAsync(HttpMethod.Post, Mappings, Create());
        Assert.Equal(HttpStatusCode.Accepted, status);
        string uuid = created.GetProperty("UUID").GetString()!;
        Assert.Equal($"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{uuid}", created.GetProperty("EventSourceMappingArn").GetString());
        Assert.Equal(100, created.GetProperty("BatchSize").GetInt32());
        Assert.Equal(JsonValueKind.Number, created.GetProperty("LastModified").ValueKind);
        Assert.Equal(0, created.GetProperty("FunctionResponseTypes").GetArrayLength());

        // A second mapping of the same function and stream would be Lambda's 409 ResourceConflictException: another stream.
        string atTimestamp = $$"""{"FunctionName":"process-stream","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/audit","StartingPosition":"AT_TIMESTAMP","StartingPositionTimestamp":1704067200,"FunctionResponseTypes":["ReportBatchItemFailures"],"MaximumRecordAgeInSeconds":60}""";
        (status, JsonElement second, _) = await LambdaAsync(HttpMethod.Post, Mappings + "/", atTimestamp);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(1704067200, second.GetProperty("StartingPositionTimestamp").GetDouble());
        Assert.Equal("ReportBatchItemFailures", second.GetProperty("FunctionResponseTypes")[0].GetString());

        (status, JsonElement got, _) = await LambdaAsync(HttpMethod.Get, $"{Mappings}/{uuid}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(uuid, got.GetProperty("UUID").GetString());

        (status, JsonElement updated, _) = await LambdaAsync(HttpMethod.Put, $"{Mappings}/{uuid}", """{"BatchSize":200,"ParallelizationFactor":4}""");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(200, updated.GetProperty("BatchSize").GetInt32());

        foreach (string path in new[] { $"{Mappings}?FunctionName=process-stream", $"{Mappings}/?EventSourceArn={Uri.EscapeDataString(_streamArn)}&MaxItems=1" })
        {
            (status, JsonElement listed, _) = await LambdaAsync(HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.NotEmpty(listed.GetProperty("EventSourceMappings").EnumerateArray());
        }

        (status, JsonElement page, _) = await LambdaAsync(HttpMethod.Get, $"{Mappings}?MaxItems=1");
        Assert.Single(page.GetProperty("EventSourceMappings").EnumerateArray());
        string marker = page.GetProperty("NextMarker").GetString()!;
        (status, JsonElement next, _) = await LambdaAsync(HttpMethod.Get, $"{Mappings}?MaxItems=1&Marker={Uri.EscapeDataString(marker)}");
        Assert.NotEqual(page.GetProperty("EventSourceMappings")[0].GetProperty("UUID").GetString(), next.GetProperty("EventSourceMappings")[0].GetProperty("UUID").GetString());

        (status, JsonElement deleted, _) = await LambdaAsync(HttpMethod.Delete, $"{Mappings}/{uuid}");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("Deleting", deleted.GetProperty("State").GetString());
    }

    [Fact]
    public async Task An_unknown_function_is_Lambdas_404_with_the_ARN_it_looked_for()
    {
        (HttpStatusCode status, JsonElement body, string? type) = await LambdaAsync(HttpMethod.Post, Mappings, Create().Replace("process-stream", "nope", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("ResourceNotFoundException", type);
        Assert.Equal("User", body.GetProperty("Type").GetString());
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope", body.GetProperty("Message").GetString());
        (_, JsonElement listed, _) = await LambdaAsync(HttpMethod.Get, Mappings);
        Assert.Empty(listed.GetProperty("EventSourceMappings").EnumerateArray());
    }

    [Theory]
    [InlineData(",\"BatchSize\":20000", "BatchSize")]
    [InlineData(",\"StartingPosition\":\"SOMETIME\"", "StartingPosition")]
    [InlineData(",\"MaximumRecordAgeInSeconds\":30", "MaximumRecordAgeInSeconds")]
    [InlineData(",\"ParallelizationFactor\":11", "ParallelizationFactor")]
    [InlineData(",\"Queues\":[\"q\"]", "Queues is not supported")]
    public async Task Bad_parameters_are_400_in_Lambdas_shape_and_create_nothing(string extra, string expected)
    {
        string body = extra.Contains("StartingPosition", StringComparison.Ordinal)
            ? Create(extra).Replace("\"StartingPosition\":\"TRIM_HORIZON\",", "", StringComparison.Ordinal)
            : Create(extra);
        (HttpStatusCode status, JsonElement error, string? type) = await LambdaAsync(HttpMethod.Post, Mappings, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(type, new[] { "InvalidParameterValueException", "ValidationException" });
        Assert.Equal("User", error.GetProperty("Type").GetString());
        Assert.Contains(expected, error.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        (_, JsonElement listed, _) = await LambdaAsync(HttpMethod.Get, Mappings);
        Assert.Empty(listed.GetProperty("EventSourceMappings").EnumerateArray());
    }

    [Theory]
    [InlineData("{\"FunctionName\":")]
    [InlineData("{\"FunctionName\":\"process-stream\",\"BatchSize\":\"ten\"}")]
    [InlineData("null")]
    public async Task A_body_that_is_not_the_operations_JSON_is_InvalidRequestContentException(string body)
    {
        (HttpStatusCode status, JsonElement error, string? type) = await LambdaAsync(HttpMethod.Post, Mappings, body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidRequestContentException", type);
        Assert.StartsWith("Could not parse request body into json", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_mapping_is_404_for_get_update_and_delete()
    {
        foreach (HttpMethod method in new[] { HttpMethod.Get, HttpMethod.Put, HttpMethod.Delete })
        {
            (HttpStatusCode status, JsonElement error, string? type) = await LambdaAsync(method, $"{Mappings}/abc-123-uuid", method == HttpMethod.Put ? """{"BatchSize":200}""" : null);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("ResourceNotFoundException", type);
            Assert.Equal(JsonValueKind.String, error.GetProperty("Message").ValueKind);
        }
    }

    [Fact]
    public async Task GetFunction_takes_a_name_or_an_ARN_and_answers_404_for_an_unknown_function()
    {
        (HttpStatusCode status, JsonElement body, _) = await LambdaAsync(HttpMethod.Get, "/2015-03-31/functions/" + Uri.EscapeDataString("arn:aws:lambda:us-east-1:000000000000:function:process-stream"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("process-stream", body.GetProperty("Configuration").GetProperty("FunctionName").GetString());
        (status, body, string? type) = await LambdaAsync(HttpMethod.Get, "/2015-03-31/functions/other");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("ResourceNotFoundException", type);
        Assert.Equal("Function not found: arn:aws:lambda:us-east-1:000000000000:function:other", body.GetProperty("Message").GetString());
    }

    [Fact]
    public async Task Records_put_through_the_Kinesis_API_reach_the_function_URL_as_Lambdas_Kinesis_event()
    {
        (HttpStatusCode status, JsonElement created, _) = await LambdaAsync(HttpMethod.Post, Mappings, Create(""","BatchSize":10"""));
        Assert.Equal(HttpStatusCode.Accepted, status);
        string uuid = created.GetProperty("UUID").GetString()!;

        foreach (string evnt in new[] { """{"eventType":"ORDER_SHIPPED","n":1}""", """{"eventType":"ORDER_PLACED","n":2}""" })
        {
            string data = Convert.ToBase64String(Encoding.UTF8.GetBytes(evnt));
            using HttpResponseMessage put = await KinesisAsync("PutRecord", $$"""{"StreamName":"orders","PartitionKey":"user-1","Data":"{{data}}"}""");
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        FunctionCall call = await _function.NextCallAsync(Wait);
        Assert.Equal("POST", call.Method);
        Assert.Equal("application/json", call.ContentType);
        var records = new List<JsonElement>(JsonDocument.Parse(call.Body).RootElement.GetProperty("Records").EnumerateArray());
        while (records.Count < 2)
        {
            records.AddRange(JsonDocument.Parse((await _function.NextCallAsync(Wait)).Body).RootElement.GetProperty("Records").EnumerateArray());
        }

        Assert.Equal(2, records.Count);
        JsonElement record = records[1];
        Assert.Equal("aws:kinesis", record.GetProperty("eventSource").GetString());
        Assert.Equal("aws:kinesis:record", record.GetProperty("eventName").GetString());
        Assert.StartsWith("shardId-000000000000:", record.GetProperty("eventID").GetString(), StringComparison.Ordinal);
        Assert.Equal(_streamArn, record.GetProperty("eventSourceARN").GetString());
        Assert.Equal("user-1", record.GetProperty("kinesis").GetProperty("partitionKey").GetString());
        Assert.Equal("""{"eventType":"ORDER_PLACED","n":2}""", Encoding.UTF8.GetString(Convert.FromBase64String(record.GetProperty("kinesis").GetProperty("data").GetString()!)));

        (_, JsonElement mapping, _) = await LambdaAsync(HttpMethod.Get, $"{Mappings}/{uuid}");
        Assert.Equal("Enabled", mapping.GetProperty("State").GetString());
    }
}
