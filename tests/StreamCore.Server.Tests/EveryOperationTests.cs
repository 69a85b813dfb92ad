using System.Formats.Cbor;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace StreamCore.Server.Tests;

/// <summary>Every operation the endpoint serves, in a valid order, over JSON 1.1 and over CBOR 1.1.</summary>
public sealed class EveryOperationTests
{
    private const string Arn = "arn:aws:kinesis:us-east-1:000000000000:stream/all";

    // Each step's request may use values earlier responses gave ({iterator}, {consumer}).
    private static readonly (string Operation, string Json)[] Steps =
    [
        ("CreateStream", """{"StreamName":"all","ShardCount":2,"Tags":{"team":"core"}}"""),
        ("DescribeStream", """{"StreamName":"all","Limit":10}"""),
        ("DescribeStreamSummary", $$"""{"StreamARN":"{{Arn}}"}"""),
        ("ListStreams", """{"Limit":5}"""),
        ("ListShards", """{"StreamName":"all","ShardFilter":{"Type":"AT_LATEST"}}"""),
        ("AddTagsToStream", """{"StreamName":"all","Tags":{"env":"test"}}"""),
        ("ListTagsForStream", """{"StreamName":"all"}"""),
        ("RemoveTagsFromStream", """{"StreamName":"all","TagKeys":["env"]}"""),
        ("IncreaseStreamRetentionPeriod", """{"StreamName":"all","RetentionPeriodHours":48}"""),
        ("DecreaseStreamRetentionPeriod", """{"StreamName":"all","RetentionPeriodHours":24}"""),
        ("DescribeLimits", "{}"),
        ("UpdateMaxRecordSize", $$"""{"StreamARN":"{{Arn}}","MaxRecordSizeInKiB":2048}"""),
        ("PutRecord", """{"StreamName":"all","PartitionKey":"k","Data":"aGVsbG8="}"""),
        ("PutRecords", """{"StreamName":"all","Records":[{"PartitionKey":"a","Data":"YQ=="},{"PartitionKey":"b","Data":"Yg=="}]}"""),
        ("GetShardIterator", """{"StreamName":"all","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"""),
        ("GetRecords", """{"ShardIterator":"{iterator}","Limit":10}"""),
        ("EnableEnhancedMonitoring", """{"StreamName":"all","ShardLevelMetrics":["ALL"]}"""),
        ("DisableEnhancedMonitoring", """{"StreamName":"all","ShardLevelMetrics":["IncomingBytes"]}"""),
        ("StartStreamEncryption", """{"StreamName":"all","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}"""),
        ("StopStreamEncryption", """{"StreamName":"all","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"}"""),
        ("RegisterStreamConsumer", $$"""{"StreamARN":"{{Arn}}","ConsumerName":"c"}"""),
        ("DescribeStreamConsumer", $$"""{"StreamARN":"{{Arn}}","ConsumerName":"c"}"""),
        ("ListStreamConsumers", $$"""{"StreamARN":"{{Arn}}"}"""),
        ("SubscribeToShard", """{"ConsumerARN":"{consumer}","ShardId":"shardId-000000000000","StartingPosition":{"Type":"TRIM_HORIZON"}}"""),
        ("DeregisterStreamConsumer", """{"ConsumerARN":"{consumer}"}"""),
        ("SplitShard", """{"StreamName":"all","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"1000"}"""),
        ("MergeShards", """{"StreamName":"all","ShardToMerge":"shardId-000000000002","AdjacentShardToMerge":"shardId-000000000003"}"""),
        ("UpdateShardCount", """{"StreamName":"all","TargetShardCount":4,"ScalingType":"UNIFORM_SCALING"}"""),
        ("UpdateStreamMode", $$$"""{"StreamARN":"{{{Arn}}}","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}"""),
        ("DeleteStream", """{"StreamName":"all","EnforceConsumerDeletion":true}"""),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_operation_succeeds(bool cbor)
    {
        using var engine = new StreamEngine();
        await using KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine);
        using var http = new HttpClient { BaseAddress = endpoint.Url };
        var values = new Dictionary<string, string>();
        var served = new HashSet<string>();
        foreach ((string operation, string template) in Steps)
        {
            string json = values.Aggregate(template, (text, v) => text.Replace("{" + v.Key + "}", v.Value, StringComparison.Ordinal));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/")
            {
                Content = cbor ? new ByteArrayContent(ToCbor(JsonDocument.Parse(json).RootElement)) : new StringContent(json, Encoding.UTF8),
            };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1");
            request.Headers.Add("X-Amz-Target", "Kinesis_20131202." + operation);
            if (operation == "SubscribeToShard")
            {
                // A subscription never ends by itself: its own connection, its first message read, then cancelled.
                using var streaming = new HttpClient { BaseAddress = endpoint.Url };
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                using HttpResponseMessage events = await streaming.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
                Assert.Equal(HttpStatusCode.OK, events.StatusCode);
                Assert.Equal("application/vnd.amazon.eventstream", events.Content.Headers.ContentType?.MediaType);
                Stream stream = await events.Content.ReadAsStreamAsync(cancel.Token);
                byte[] prelude = new byte[12];
                await stream.ReadExactlyAsync(prelude, cancel.Token);
                served.Add(operation);
                await cancel.CancelAsync();
                continue;
            }

            using HttpResponseMessage response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{operation} over {(cbor ? "CBOR" : "JSON")}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            served.Add(operation);

            if (operation == "SubscribeToShard")
            {
                Assert.Equal("application/vnd.amazon.eventstream", response.Content.Headers.ContentType?.MediaType);
                continue; // the stream ends when its consumer is deregistered below
            }

            byte[] body = await response.Content.ReadAsByteArrayAsync();
            JsonElement result = cbor ? FromCbor(body) : JsonDocument.Parse(body).RootElement;
            if (operation == "GetShardIterator")
            {
                values["iterator"] = result.GetProperty("ShardIterator").GetString()!;
            }
            else if (operation == "RegisterStreamConsumer")
            {
                values["consumer"] = result.GetProperty("Consumer").GetProperty("ConsumerARN").GetString()!;
            }
            else if (operation == "GetRecords")
            {
                Assert.True(result.GetProperty("Records").GetArrayLength() > 0);
            }
        }

        Assert.Equal(30, served.Count); // IKinesisClient's operations, all of them
    }

    // JSON -> CBOR as the Java SDK would send it: "Data" members (base64 in JSON) become byte strings.
    private static byte[] ToCbor(JsonElement json)
    {
        var writer = new CborWriter();
        Write(writer, json, null);
        return writer.Encode();

        static void Write(CborWriter writer, JsonElement value, string? name)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartMap(null);
                    foreach (JsonProperty p in value.EnumerateObject())
                    {
                        writer.WriteTextString(p.Name);
                        Write(writer, p.Value, p.Name);
                    }

                    writer.WriteEndMap();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray(null);
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        Write(writer, item, null);
                    }

                    writer.WriteEndArray();
                    break;
                case JsonValueKind.String when name == "Data":
                    writer.WriteByteString(Convert.FromBase64String(value.GetString()!));
                    break;
                case JsonValueKind.String:
                    writer.WriteTextString(value.GetString()!);
                    break;
                case JsonValueKind.Number:
                    writer.WriteInt64(value.GetInt64());
                    break;
                default:
                    writer.WriteBoolean(value.ValueKind == JsonValueKind.True);
                    break;
            }
        }
    }

    // CBOR -> JSON for assertions (byte strings as base64, tagged timestamps as their number).
    private static JsonElement FromCbor(byte[] cbor)
    {
        var reader = new CborReader(cbor);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            Copy(reader, json);
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();

        static void Copy(CborReader reader, Utf8JsonWriter json)
        {
            switch (reader.PeekState())
            {
                case CborReaderState.StartMap:
                    reader.ReadStartMap();
                    json.WriteStartObject();
                    while (reader.PeekState() != CborReaderState.EndMap)
                    {
                        json.WritePropertyName(reader.ReadTextString());
                        Copy(reader, json);
                    }

                    reader.ReadEndMap();
                    json.WriteEndObject();
                    break;
                case CborReaderState.StartArray:
                    reader.ReadStartArray();
                    json.WriteStartArray();
                    while (reader.PeekState() != CborReaderState.EndArray)
                    {
                        Copy(reader, json);
                    }

                    reader.ReadEndArray();
                    json.WriteEndArray();
                    break;
                case CborReaderState.Tag:
                    reader.ReadTag();
                    Copy(reader, json);
                    break;
                case CborReaderState.TextString:
                    json.WriteStringValue(reader.ReadTextString());
                    break;
                case CborReaderState.ByteString:
                    json.WriteBase64StringValue(reader.ReadByteString());
                    break;
                case CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger:
                    json.WriteNumberValue(reader.ReadInt64());
                    break;
                case CborReaderState.Boolean:
                    json.WriteBooleanValue(reader.ReadBoolean());
                    break;
                default:
                    reader.SkipValue();
                    json.WriteNullValue();
                    break;
            }
        }
    }
}
