using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace StreamCore.Server.Tests;

/// <summary>The JSON 1.1 wire protocol against a running endpoint on loopback.</summary>
public sealed class JsonProtocolTests : EndpointTest
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    protected override StreamEngineOptions EngineOptions => new() { TimeProvider = _clock };

    private async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(string operation, string json, string contentType = "application/x-amz-json-1.1", bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(json, Encoding.UTF8) };
        request.Headers.ExpectContinue = expectContinue;
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202." + operation);
        using HttpResponseMessage response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Streams_are_created_written_and_read_over_the_wire()
    {
        Assert.Equal(HttpStatusCode.OK, (await CallAsync("CreateStream", """{"StreamName":"s","ShardCount":2}""")).Status);
        (HttpStatusCode status, JsonElement put) = await CallAsync("PutRecord", """{"StreamName":"s","PartitionKey":"user-123","Data":"aGVsbG8gd29ybGQ="}""");
        Assert.Equal(HttpStatusCode.OK, status);
        string shard = put.GetProperty("ShardId").GetString()!;
        Assert.Equal("shardId-000000000001", shard); // MD5("user-123") is in the upper half
        Assert.Equal(56, put.GetProperty("SequenceNumber").GetString()!.Length);
        Assert.Equal("NONE", put.GetProperty("EncryptionType").GetString());
        Assert.False(put.TryGetProperty("HttpStatusCode", out _));

        (_, JsonElement iterator) = await CallAsync("GetShardIterator", $$"""{"StreamName":"s","ShardId":"{{shard}}","ShardIteratorType":"TRIM_HORIZON"}""");
        (_, JsonElement records) = await CallAsync("GetRecords", $$"""{"ShardIterator":"{{iterator.GetProperty("ShardIterator").GetString()}}"}""");
        JsonElement record = records.GetProperty("Records")[0];
        Assert.Equal("aGVsbG8gd29ybGQ=", record.GetProperty("Data").GetString());
        Assert.Equal("user-123", record.GetProperty("PartitionKey").GetString());
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0, record.GetProperty("ApproximateArrivalTimestamp").GetDouble());
        Assert.Equal(0, records.GetProperty("MillisBehindLatest").GetInt64());
        Assert.True(records.TryGetProperty("NextShardIterator", out _));

        (_, JsonElement summary) = await CallAsync("DescribeStreamSummary", """{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}""");
        JsonElement description = summary.GetProperty("StreamDescriptionSummary");
        Assert.Equal("ACTIVE", description.GetProperty("StreamStatus").GetString());
        Assert.Equal("PROVISIONED", description.GetProperty("StreamModeDetails").GetProperty("StreamMode").GetString());
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds(), description.GetProperty("StreamCreationTimestamp").GetDouble());
        Assert.False(description.TryGetProperty("KeyId", out _)); // absent members are omitted
    }

    [Fact]
    public async Task PutRecords_and_paged_listings_use_the_wire_shapes()
    {
        await CallAsync("CreateStream", """{"StreamName":"s","ShardCount":3}""");
        (_, JsonElement put) = await CallAsync("PutRecords", """{"StreamName":"s","Records":[{"Data":"YQ==","PartitionKey":"a"},{"Data":"Yg==","PartitionKey":"b","ExplicitHashKey":"0"}]}""");
        Assert.Equal(0, put.GetProperty("FailedRecordCount").GetInt32());
        Assert.Equal("shardId-000000000000", put.GetProperty("Records")[1].GetProperty("ShardId").GetString());
        (_, JsonElement page) = await CallAsync("ListShards", """{"StreamName":"s","MaxResults":2}""");
        Assert.Equal(2, page.GetProperty("Shards").GetArrayLength());
        string token = page.GetProperty("NextToken").GetString()!;
        (_, JsonElement rest) = await CallAsync("ListShards", $$"""{"NextToken":"{{token}}"}""");
        Assert.Equal("shardId-000000000002", rest.GetProperty("Shards")[0].GetProperty("ShardId").GetString());
        Assert.Equal("226854911280625642308916404954512140970", rest.GetProperty("Shards")[0].GetProperty("HashKeyRange").GetProperty("StartingHashKey").GetString());
    }

    [Fact]
    public async Task Errors_come_back_as_Kinesis_returns_them()
    {
        (HttpStatusCode status, JsonElement body) = await CallAsync("DescribeStream", """{"StreamName":"nope"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ResourceNotFoundException", body.GetProperty("__type").GetString());
        Assert.Equal("Stream nope under account 000000000000 not found.", body.GetProperty("message").GetString());

        (status, body) = await CallAsync("CreateStream", """{"StreamName":"bad name","ShardCount":1}""");
        Assert.Equal("ValidationException", body.GetProperty("__type").GetString());
        Assert.StartsWith("1 validation error detected: Value 'bad name' at 'streamName'", body.GetProperty("message").GetString());

        (status, body) = await CallAsync("PutRecord", """{"StreamName":5}""");
        Assert.Equal((HttpStatusCode.BadRequest, "SerializationException"), (status, body.GetProperty("__type").GetString()));
        (status, body) = await CallAsync("PutRecord", """{"StreamName":"s","PartitionKey":"k","Data":"not base64!"}""");
        Assert.Equal("SerializationException", body.GetProperty("__type").GetString());
        (status, body) = await CallAsync("PutRecord", "{not json");
        Assert.Equal("SerializationException", body.GetProperty("__type").GetString());
        (status, body) = await CallAsync("NoSuchOperation", "{}");
        Assert.Equal((HttpStatusCode.BadRequest, "UnknownOperationException"), (status, body.GetProperty("__type").GetString()));
        Assert.DoesNotContain("   at ", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        Engine.Faults.Add(new FaultRule { Operation = "DescribeLimits", Count = 1 });
        (status, body) = await CallAsync("DescribeLimits", "{}");
        Assert.Equal((HttpStatusCode.InternalServerError, "InternalFailureException"), (status, body.GetProperty("__type").GetString()));
    }

    [Fact]
    public async Task Oversized_requests_are_refused()
    {
        string huge = new('A', (int)KinesisEndpoint.MaxRequestBytes + 1024);
        (HttpStatusCode status, JsonElement body) = await CallAsync("PutRecord", $$"""{"StreamName":"s","PartitionKey":"k","Data":"{{huge}}"}""", expectContinue: true);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("SerializationException", body.GetProperty("__type").GetString());
    }

    [Fact]
    public async Task The_endpoint_and_the_engine_share_streams()
    {
        DataStream direct = Engine.CreateStream("shared", 1);
        direct.Append("k", "from the app"u8);
        (_, JsonElement iterator) = await CallAsync("GetShardIterator", """{"StreamName":"shared","ShardId":"0","ShardIteratorType":"TRIM_HORIZON"}""");
        (_, JsonElement records) = await CallAsync("GetRecords", $$"""{"ShardIterator":"{{iterator.GetProperty("ShardIterator").GetString()}}"}""");
        Assert.Equal(Convert.ToBase64String("from the app"u8), records.GetProperty("Records")[0].GetProperty("Data").GetString());
    }
}
