using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StreamCore.Server.Hosting;

namespace StreamCore.Server.Tests;

/// <summary>HTTP/2 without TLS (prior knowledge), as the AWS SDK for JavaScript v3 speaks it, on the same port as HTTP/1.1.</summary>
public sealed class Http2Tests
{
    private static HttpRequestMessage Request(string operation, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(json, Encoding.UTF8), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202." + operation);
        return request;
    }

    [Fact]
    public async Task Operations_and_subscriptions_work_over_prior_knowledge_HTTP2_and_HTTP1_on_one_port()
    {
        using var engine = new StreamEngine();
        await using KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine);
        using var http = new HttpClient { BaseAddress = endpoint.Url };

        using (HttpResponseMessage created = await http.SendAsync(Request("CreateStream", """{"StreamName":"s","ShardCount":1}""")))
        {
            Assert.Equal((HttpStatusCode.OK, HttpVersion.Version20), (created.StatusCode, created.Version));
        }

        using (var http1 = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8), Version = HttpVersion.Version11 })
        {
            http1.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
            http1.Headers.Add("X-Amz-Target", "Kinesis_20131202.ListStreams");
            using HttpResponseMessage listed = await http.SendAsync(http1);
            Assert.Equal(HttpVersion.Version11, listed.Version);
            Assert.Contains("\"s\"", await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        string arn;
        using (HttpResponseMessage registered = await http.SendAsync(Request("RegisterStreamConsumer", """{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ConsumerName":"c"}""")))
        {
            arn = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement.GetProperty("Consumer").GetProperty("ConsumerARN").GetString()!;
        }

        using HttpResponseMessage subscription = await http.SendAsync(
            Request("SubscribeToShard", $$$"""{"ConsumerARN":"{{{arn}}}","ShardId":"shardId-000000000000","StartingPosition":{"Type":"LATEST"}}"""),
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpVersion.Version20, subscription.Version);
        Stream body = await subscription.Content.ReadAsStreamAsync();
        Assert.Equal("initial-response", (await ReadMessageAsync(body))[":event-type"]);

        using (HttpResponseMessage put = await http.SendAsync(Request("PutRecord", """{"StreamName":"s","PartitionKey":"k","Data":"aDI="}""")))
        {
            Assert.Equal(HttpVersion.Version20, put.Version);
        }

        Dictionary<string, string> headers = await ReadMessageAsync(body);
        Assert.Equal("SubscribeToShardEvent", headers[":event-type"]);
    }

    private static async Task<Dictionary<string, string>> ReadMessageAsync(Stream body) => (await EndpointTest.ReadEventMessageAsync(body)).Headers;
}
