using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Server.Tests.Hosting;

/// <summary>
/// Malformed requests at every target of the host (every Kinesis operation over JSON and CBOR, the Firehose, Kinesis
/// Analytics and Lambda selectors): truncated and deeply nested JSON, wrong member types, huge numbers, invalid CBOR,
/// bad event-stream frames, wrong content types, missing targets. Each answer is a 4xx in the service's error shape,
/// nothing changes, and the server keeps serving.
/// </summary>
public sealed class MalformedRequestFuzzTests : EndpointTest
{
    private static IEnumerable<(string ContentType, byte[] Body)> Bodies(int seed)
    {
        var random = new Random(seed);
        string json = """{"StreamName":"s","ShardCount":1,"PartitionKey":"k","Data":"AA==","Records":[{"PartitionKey":"k","Data":"AA=="}],"ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}""";
        const string Json = "application/x-amz-json-1.1";
        const string Cbor = "application/x-amz-cbor-1.1";
        for (int cut = 1; cut < json.Length; cut += 17)
        {
            yield return (Json, Encoding.UTF8.GetBytes(json[..cut])); // truncated
        }

        yield return (Json, Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000))); // deeply nested
        yield return (Json, Encoding.UTF8.GetBytes("{\"StreamName\":" + new string('[', 5_000) + new string(']', 5_000) + "}"));
        yield return (Json, """{"StreamName":5,"ShardCount":"x"}"""u8.ToArray()); // wrong member types
        yield return (Json, """{"StreamName":["s"],"Limit":{}}"""u8.ToArray());
        yield return (Json, """{"Records":"not a list","Data":12}"""u8.ToArray());
        yield return (Json, """{"ShardCount":99999999999999999999999999999999,"Limit":1e400}"""u8.ToArray()); // huge numbers
        yield return (Json, """{"Timestamp":1e308,"Limit":-99999999999999999999}"""u8.ToArray());
        yield return (Json, """{"Data":"%%%not base64%%%","PartitionKey":"k","StreamName":"s","ShardCount":1}"""u8.ToArray());
        yield return (Json, "[]"u8.ToArray());
        yield return (Json, "\"s\""u8.ToArray());
        yield return (Json, [0xff, 0xfe, 0x00, 0x7b]);
        yield return (Cbor, [0xbf, 0x61]); // invalid CBOR: truncated map
        yield return (Cbor, [0xa1, 0x6a, 0x53, 0x74]);
        yield return (Cbor, [0x1f]);
        yield return (Cbor, [0xa1, 0x6a, .. "StreamName"u8, 0x05]); // wrong member type
        yield return (Cbor, [.. Enumerable.Repeat((byte)0x81, 5_000), 0x00]); // deeply nested arrays
        yield return ("application/vnd.amazon.eventstream", [0, 0, 0, 16, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]); // a bad event-stream frame
        yield return ("text/plain", "hello"u8.ToArray()); // wrong content types
        yield return ("application/xml", "<a/>"u8.ToArray());
        for (int i = 0; i < 8; i++)
        {
            byte[] noise = new byte[random.Next(1, 300)];
            random.NextBytes(noise);
            yield return (i % 2 == 0 ? Json : Cbor, noise);
        }
    }

    private static IEnumerable<string?> Targets() =>
        [.. KinesisOperations.ByName.Keys.Select(op => "Kinesis_20131202." + op), "Kinesis_20131202", "Kinesis_20131202.", "Firehose_20150804.PutRecord",
            "Firehose_20150804.CreateDeliveryStream", "KinesisAnalytics_20180523.CreateApplication", "Nonsense", null];

    [Fact]
    public async Task Every_malformed_request_at_every_target_is_a_4xx_in_the_services_shape_and_changes_nothing()
    {
        await Engine.CreateKinesisClient().CreateStreamAsync(new() { StreamName = "kept", ShardCount = 1 });
        string before = Snapshot();
        var cases = (from target in Targets() from body in Bodies(target?.Length ?? 0) select (target, body.ContentType, body.Body)).ToList();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(c.Body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(c.ContentType);
            if (c.target is not null)
            {
                request.Headers.Add("X-Amz-Target", c.target);
            }

            using HttpResponseMessage response = await Http.SendAsync(request, ct);
            byte[] answer = await response.Content.ReadAsByteArrayAsync(ct);
            string what = $"{c.target} {c.ContentType} {Convert.ToHexString(c.Body.AsSpan(0, Math.Min(40, c.Body.Length)))}";
            if (response.StatusCode == HttpStatusCode.OK && IsWellFormedObject(c.ContentType, c.Body))
            {
                return; // a well-formed object whose wrong members the operation does not have: ignored, as AWS ignores unknown members
            }

            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{what}: {(int)response.StatusCode} {Encoding.UTF8.GetString(answer)}");
            bool cbor = response.Content.Headers.ContentType?.MediaType == "application/x-amz-cbor-1.1";
            Assert.True(cbor || response.Content.Headers.ContentType?.MediaType == "application/x-amz-json-1.1", what);
            (string? type, string? message) = WireErrorReader.Read(answer, cbor);
            Assert.False(string.IsNullOrEmpty(type), what);
            Assert.False(string.IsNullOrEmpty(message), what);
            Assert.DoesNotContain("   at ", message, StringComparison.Ordinal); // never a stack trace
        });

        Assert.Equal(before, Snapshot());
        using HttpResponseMessage ok = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent("{}", new MediaTypeHeaderValue("application/x-amz-json-1.1")),
            Headers = { { "X-Amz-Target", "Kinesis_20131202.ListStreams" } },
        });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Malformed_Lambda_requests_are_4xx_in_Lambdas_shape()
    {
        foreach ((string method, string path, string body) in new[] { ("POST", "/2015-03-31/event-source-mappings", "{\"FunctionName\":"), ("PUT", "/2015-03-31/event-source-mappings/x", "[[[["), ("DELETE", "/2015-03-31/functions/", "") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(body, new MediaTypeHeaderValue("application/json")) };
            using HttpResponseMessage response = await Http.SendAsync(request);
            Assert.InRange((int)response.StatusCode, 400, 499);
            Assert.True(response.Headers.Contains("X-Amzn-ErrorType"));
            Assert.Equal("User", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("Type").GetString());
        }
    }

    private static bool IsWellFormedObject(string contentType, byte[] body)
    {
        try
        {
            if (contentType.EndsWith("json-1.1", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(body).RootElement.ValueKind == JsonValueKind.Object;
            }

            var reader = new System.Formats.Cbor.CborReader(body);
            bool map = reader.PeekState() == System.Formats.Cbor.CborReaderState.StartMap;
            reader.SkipValue();
            return map && reader.BytesRemaining == 0;
        }
        catch (Exception ex) when (ex is JsonException or System.Formats.Cbor.CborContentException or InvalidOperationException)
        {
            return false;
        }
    }

    private string Snapshot() => string.Join('|', Engine.ListStreamNames().Select(n => n + ":" + Engine.GetStream(n).Shards.Count));
}
