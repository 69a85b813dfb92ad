using System.Formats.Cbor;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;

namespace StreamCore.Server.Tests;

/// <summary>The CBOR 1.1 protocol (the Java SDK's default) against a running endpoint.</summary>
public sealed class CborProtocolTests : EndpointTest
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, 250, TimeSpan.Zero));

    protected override StreamEngineOptions EngineOptions => new() { TimeProvider = _clock };

    private static byte[] Map(params (string Key, Action<CborWriter> Write)[] members)
    {
        var writer = new CborWriter();
        writer.WriteStartMap(members.Length);
        foreach ((string key, Action<CborWriter> write) in members)
        {
            writer.WriteTextString(key);
            write(writer);
        }

        writer.WriteEndMap();
        return writer.Encode();
    }

    private static Action<CborWriter> Text(string value) => w => w.WriteTextString(value);

    private async Task<(HttpStatusCode Status, Dictionary<string, object?> Body)> CallAsync(string operation, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-cbor-1.1");
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202." + operation);
        using HttpResponseMessage response = await Http.SendAsync(request);
        Assert.Equal("application/x-amz-cbor-1.1", response.Content.Headers.ContentType?.MediaType);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, (Dictionary<string, object?>)ReadValue(new CborReader(bytes))!);
    }

    /// <summary>A generic CBOR reader for assertions: maps, arrays, text, byte strings, integers, tagged timestamps.</summary>
    private static object? ReadValue(CborReader reader)
    {
        switch (reader.PeekState())
        {
            case CborReaderState.StartMap:
                var map = new Dictionary<string, object?>();
                reader.ReadStartMap();
                while (reader.PeekState() != CborReaderState.EndMap)
                {
                    map[reader.ReadTextString()] = ReadValue(reader);
                }

                reader.ReadEndMap();
                return map;
            case CborReaderState.StartArray:
                var list = new List<object?>();
                reader.ReadStartArray();
                while (reader.PeekState() != CborReaderState.EndArray)
                {
                    list.Add(ReadValue(reader));
                }

                reader.ReadEndArray();
                return list;
            case CborReaderState.Tag:
                return (reader.ReadTag(), ReadValue(reader));
            case CborReaderState.TextString:
                return reader.ReadTextString();
            case CborReaderState.ByteString:
                return reader.ReadByteString();
            case CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger:
                return reader.ReadInt64();
            case CborReaderState.Boolean:
                return reader.ReadBoolean();
            default:
                reader.SkipValue();
                return null;
        }
    }

    [Fact]
    public async Task Records_round_trip_with_byte_strings_and_tagged_millisecond_timestamps()
    {
        Assert.Equal(HttpStatusCode.OK, (await CallAsync("CreateStream", Map(("StreamName", Text("s")), ("ShardCount", w => w.WriteInt32(1))))).Status);
        (HttpStatusCode status, Dictionary<string, object?> put) = await CallAsync("PutRecord", Map(
            ("StreamName", Text("s")), ("PartitionKey", Text("k")), ("Data", w => w.WriteByteString([0, 1, 2, 255])), ("Unknown", w => w.WriteInt32(7))));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("shardId-000000000000", put["ShardId"]);

        (_, Dictionary<string, object?> iterator) = await CallAsync("GetShardIterator", Map(("StreamName", Text("s")), ("ShardId", Text("0")), ("ShardIteratorType", Text("TRIM_HORIZON"))));
        (_, Dictionary<string, object?> records) = await CallAsync("GetRecords", Map(("ShardIterator", Text((string)iterator["ShardIterator"]!))));
        var record = (Dictionary<string, object?>)((List<object?>)records["Records"]!)[0]!;
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, record["Data"]);
        Assert.Equal((CborTag.UnixTimeSeconds, (object?)_clock.GetUtcNow().ToUnixTimeMilliseconds()), record["ApproximateArrivalTimestamp"]);
        Assert.Equal("NONE", record["EncryptionType"]);
    }

    [Fact]
    public async Task Timestamps_are_read_as_tagged_milliseconds_or_seconds()
    {
        await CallAsync("CreateStream", Map(("StreamName", Text("s")), ("ShardCount", w => w.WriteInt32(1))));
        long future = _clock.GetUtcNow().AddMinutes(1).ToUnixTimeMilliseconds();
        (HttpStatusCode status, Dictionary<string, object?> error) = await CallAsync("GetShardIterator", Map(
            ("StreamName", Text("s")), ("ShardId", Text("0")), ("ShardIteratorType", Text("AT_TIMESTAMP")),
            ("Timestamp", w => { w.WriteTag(CborTag.UnixTimeSeconds); w.WriteInt64(future); })));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidArgumentException"), (status, error["__type"]));
        Assert.Contains($"timestampInMillis: {future}", (string)error["message"]!, StringComparison.Ordinal);

        (status, _) = await CallAsync("GetShardIterator", Map(
            ("StreamName", Text("s")), ("ShardId", Text("0")), ("ShardIteratorType", Text("AT_TIMESTAMP")),
            ("Timestamp", w => { w.WriteTag(CborTag.UnixTimeSeconds); w.WriteDouble(_clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0); })));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Errors_and_malformed_bodies_are_answered_in_CBOR()
    {
        (HttpStatusCode status, Dictionary<string, object?> error) = await CallAsync("DescribeStream", Map(("StreamName", Text("nope"))));
        Assert.Equal((HttpStatusCode.BadRequest, "ResourceNotFoundException"), (status, error["__type"]));
        (status, error) = await CallAsync("PutRecord", [0xff, 0x00, 0x13]);
        Assert.Equal((HttpStatusCode.BadRequest, "SerializationException"), (status, error["__type"]));
        (status, error) = await CallAsync("PutRecord", Map(("StreamName", w => w.WriteInt32(5))));
        Assert.Equal("SerializationException", error["__type"]);
    }
}
