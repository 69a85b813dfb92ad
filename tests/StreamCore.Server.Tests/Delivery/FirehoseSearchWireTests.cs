using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StreamCore.Buckets;

namespace StreamCore.Server.Tests.Delivery;

/// <summary>
/// An OpenSearch destination over the wire (Firehose_20150804 JSON): what is put is indexed in process and written as
/// the server writes it, one document source per line in <c>opensearch/DOMAIN/INDEX/*.jsonl</c> under the rotated name.
/// </summary>
public sealed class FirehoseSearchWireTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"fh-os-{Guid.NewGuid():N}");
    private StreamEngine _engine = null!;
    private KinesisEndpoint _endpoint = null!;
    private FileSystemBucketStore _store = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _engine = new StreamEngine();
        _store = new FileSystemBucketStore(Path.Combine(_data, "s3"));
        _endpoint = await KinesisEndpoint.StartAsync(_engine, new KinesisEndpointOptions { Buckets = _store, SearchDomains = new StreamCore.Delivery.SearchDomains(Path.Combine(_data, "opensearch")) });
        _http = new HttpClient { BaseAddress = _endpoint.Url };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _endpoint.DisposeAsync();
        _engine.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private async Task<JsonElement> CallAsync(string operation, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "Firehose_20150804." + operation);
        using HttpResponseMessage response = await _http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{operation}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string[]> WaitForFilesAsync(string folder, string pattern)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!Directory.Exists(folder) || Directory.GetFiles(folder, pattern).Length == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, timeout.Token);
        }

        return Directory.GetFiles(folder, pattern);
    }

    [Fact]
    public async Task Records_put_over_the_wire_are_written_as_jsonl_under_the_rotated_index_and_rejected_ones_to_the_failed_prefix()
    {
        await CallAsync("CreateDeliveryStream", """
            {
                "DeliveryStreamName": "logs-to-opensearch",
                "AmazonopensearchserviceDestinationConfiguration": {
                    "RoleARN": "arn:aws:iam::123456789012:role/FirehoseRole",
                    "DomainARN": "arn:aws:es:us-east-1:123456789012:domain/my-domain",
                    "IndexName": "logs",
                    "IndexRotationPeriod": "OneMonth",
                    "BufferingHints": {"IntervalInSeconds": 60, "SizeInMBs": 5},
                    "S3Configuration": {"RoleARN": "arn:aws:iam::123456789012:role/FirehoseRole", "BucketARN": "arn:aws:s3:::my-backup-bucket"}
                }
            }
            """);
        DateTime month = DateTime.UtcNow;
        JsonElement put = await CallAsync("PutRecordBatch", $$"""
            {
                "DeliveryStreamName": "logs-to-opensearch",
                "Records": [
                    {"Data": "{{Convert.ToBase64String("{\"event\":\"a\"}"u8)}}"},
                    {"Data": "{{Convert.ToBase64String("{\n  \"event\": \"pretty\"\n}"u8)}}"},
                    {"Data": "{{Convert.ToBase64String("plain text"u8)}}"}
                ]
            }
            """);
        Assert.Equal(0, put.GetProperty("FailedPutCount").GetInt32());
        Assert.Equal(DateTime.UtcNow.Month, month.Month);

        // Deleting delivers the buffer: one bulk request, so one file, each line one document's source.
        await CallAsync("DeleteDeliveryStream", """{"DeliveryStreamName": "logs-to-opensearch"}""");
        string file = Assert.Single(await WaitForFilesAsync(Path.Combine(_data, "opensearch", "my-domain", $"logs-{month:yyyy-MM}"), "*.jsonl"));
        Assert.Matches("^[0-9]{20}\\.jsonl$", Path.GetFileName(file));
        Assert.Equal("{\"event\":\"a\"}\n{   \"event\": \"pretty\" }\n", await File.ReadAllTextAsync(file));
        Assert.Equal(["{\"event\":\"a\"}", "{\n  \"event\": \"pretty\"\n}"], _endpoint.GetFirehose().SearchDomains.Documents("my-domain", $"logs-{month:yyyy-MM}").Select(d => d.Source));

        string failed = Assert.Single(await WaitForFilesAsync(Path.Combine(_data, "s3", "my-backup-bucket", "AmazonOpenSearchService-failed", $"{month:yyyy}", $"{month:MM}", $"{month:dd}", $"{month:HH}"), "logs-to-opensearch-1-*"));
        JsonElement line = JsonDocument.Parse(await File.ReadAllTextAsync(failed)).RootElement;
        Assert.Equal("plain text", Encoding.UTF8.GetString(line.GetProperty("rawData").GetBytesFromBase64()));
        Assert.Equal($"logs-{month:yyyy-MM}", line.GetProperty("esIndexName").GetString());
    }
}
