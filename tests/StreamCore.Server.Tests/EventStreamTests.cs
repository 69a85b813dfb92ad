using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StreamCore.Kinesis.Wire;

namespace StreamCore.Server.Tests;

public sealed class EventStreamTests : EndpointTest
{
    /// <summary>CRC-32 (IEEE 802.3), bit by bit: an implementation independent of the one under test.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }

    [Fact]
    public void A_message_is_laid_out_byte_by_byte_as_the_event_stream_format_says()
    {
        byte[] message = EventStreamMessage.Encode([new(":event-type", "initial-response")], "{}"u8);
        byte[] expectedHeaders = [11, .. ":event-type"u8, 7, 0, 16, .. "initial-response"u8];
        int total = 12 + expectedHeaders.Length + 2 + 4;
        Assert.Equal(total, message.Length);
        Assert.Equal(total, BinaryPrimitives.ReadInt32BigEndian(message));
        Assert.Equal(expectedHeaders.Length, BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(4)));
        Assert.Equal(Crc32(message.AsSpan(0, 8)), BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(8)));
        Assert.Equal(expectedHeaders, message.AsSpan(12, expectedHeaders.Length).ToArray());
        Assert.Equal("{}"u8.ToArray(), message.AsSpan(12 + expectedHeaders.Length, 2).ToArray());
        Assert.Equal(Crc32(message.AsSpan(0, total - 4)), BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(total - 4)));

        message[20] ^= 1;
        Assert.Throws<InvalidDataException>(() => EventStreamMessage.Decode(message));
    }

    private async Task<JsonElement> CallAsync(string operation, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202." + operation);
        using HttpResponseMessage response = await Http.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<(HttpResponseMessage Response, Stream Body)> SubscribeAsync(string consumerArn)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent($$$"""{"ConsumerARN":"{{{consumerArn}}}","ShardId":"shardId-000000000000","StartingPosition":{"Type":"TRIM_HORIZON"}}""", Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202.SubscribeToShard");
        HttpResponseMessage response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (response, await response.Content.ReadAsStreamAsync());
    }

    private static async Task<(Dictionary<string, string> Headers, JsonElement Payload)> ReadMessageAsync(Stream body)
    {
        (Dictionary<string, string> headers, byte[] payload) = await ReadEventMessageAsync(body);
        return (headers, JsonDocument.Parse(payload).RootElement.Clone());
    }

    [Fact]
    public async Task SubscribeToShard_streams_an_initial_response_then_events_as_records_arrive()
    {
        await CallAsync("CreateStream", """{"StreamName":"s","ShardCount":1}""");
        await CallAsync("PutRecord", """{"StreamName":"s","PartitionKey":"k","Data":"Zmlyc3Q="}""");
        string arn = (await CallAsync("RegisterStreamConsumer", """{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ConsumerName":"c"}""")).GetProperty("Consumer").GetProperty("ConsumerARN").GetString()!;

        (HttpResponseMessage response, Stream body) = await SubscribeAsync(arn);
        using HttpResponseMessage owned = response;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.amazon.eventstream", response.Content.Headers.ContentType?.MediaType);
        (Dictionary<string, string> headers, _) = await ReadMessageAsync(body);
        Assert.Equal(("event", "initial-response"), (headers[":message-type"], headers[":event-type"]));

        (headers, JsonElement first) = await ReadMessageAsync(body);
        Assert.Equal("SubscribeToShardEvent", headers[":event-type"]);
        Assert.Equal("Zmlyc3Q=", first.GetProperty("Records")[0].GetProperty("Data").GetString());
        Assert.Equal(first.GetProperty("Records")[0].GetProperty("SequenceNumber").GetString(), first.GetProperty("ContinuationSequenceNumber").GetString());

        await CallAsync("PutRecord", """{"StreamName":"s","PartitionKey":"k","Data":"c2Vjb25k"}""");
        (_, JsonElement second) = await ReadMessageAsync(body);
        Assert.Equal("c2Vjb25k", second.GetProperty("Records")[0].GetProperty("Data").GetString());
    }

    [Fact]
    public async Task Errors_before_the_stream_are_plain_errors_and_after_it_are_in_stream_exceptions()
    {
        await CallAsync("CreateStream", """{"StreamName":"s","ShardCount":1}""");
        string arn = (await CallAsync("RegisterStreamConsumer", """{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ConsumerName":"c"}""")).GetProperty("Consumer").GetProperty("ConsumerARN").GetString()!;
        (HttpResponseMessage missing, Stream missingBody) = await SubscribeAsync(arn + "0");
        using (missing)
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            Assert.Equal("ResourceNotFoundException", JsonDocument.Parse(missingBody).RootElement.GetProperty("__type").GetString());
        }

        (HttpResponseMessage old, Stream oldBody) = await SubscribeAsync(arn);
        using HttpResponseMessage ownedOld = old;
        await ReadMessageAsync(oldBody); // initial-response
        (HttpResponseMessage refused, Stream refusedBody) = await SubscribeAsync(arn);
        using (refused)
        {
            Assert.Equal("ResourceInUseException", JsonDocument.Parse(refusedBody).RootElement.GetProperty("__type").GetString());
        }

        Engine.DeregisterConsumerForTest(arn);
        (Dictionary<string, string> headers, JsonElement payload) = await ReadMessageAsync(oldBody);
        Assert.Equal(("exception", "ResourceNotFoundException"), (headers[":message-type"], headers[":exception-type"]));
        Assert.Contains("was deregistered", payload.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}

internal static class EngineTestExtensions
{
    public static void DeregisterConsumerForTest(this StreamEngine engine, string consumerArn) =>
        engine.CreateKinesisClient().DeregisterStreamConsumerAsync(new Kinesis.DeregisterStreamConsumerRequest { ConsumerARN = consumerArn }).GetAwaiter().GetResult();
}
