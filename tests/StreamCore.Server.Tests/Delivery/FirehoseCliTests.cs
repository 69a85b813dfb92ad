using System.IO.Compression;
using System.Text;
using System.Text.Json;
using StreamCore.Buckets;
using StreamCore.Kinesis;

namespace StreamCore.Server.Tests.Delivery;

/// <summary>
/// The seed's <c>aws firehose</c> commands, run verbatim (plus <c>--endpoint-url</c>) by the AWS CLI v2 against a running
/// endpoint whose objects go to a file-system bucket store: the objects' keys and contents are checked on disk.
/// </summary>
public sealed class FirehoseCliTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"fh-cli-{Guid.NewGuid():N}");
    private StreamEngine _engine = null!;
    private KinesisEndpoint _endpoint = null!;
    private FileSystemBucketStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _engine = new StreamEngine();
        _store = new FileSystemBucketStore(Path.Combine(_data, "s3"));
        _endpoint = await KinesisEndpoint.StartAsync(_engine, new KinesisEndpointOptions { Buckets = _store, SearchDomains = new StreamCore.Delivery.SearchDomains(Path.Combine(_data, "opensearch")) });
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _engine.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private Task<(int ExitCode, string Out, string Err)> RunAsync(params string[] args) => AwsCli.RunAsync(_endpoint.Url, "firehose", "test", "test", args);

    private async Task<JsonElement> OkAsync(params string[] args)
    {
        (int exit, string output, string error) = await RunAsync(args);
        Assert.True(exit == 0, $"aws firehose {string.Join(' ', args)} failed ({exit}): {error}");
        return output.Length == 0 ? default : JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public async Task The_seeds_firehose_commands_run_verbatim_and_deliver_exact_objects()
    {
        RequiredTool.Require(AwsCli.Installed(), "AWS CLI v2 (Debian package awscli) is not installed; .ci/run installs it.");
        await _engine.CreateKinesisClient().CreateStreamAsync(new CreateStreamRequest { StreamName = "app-clickstream", ShardCount = 1 });

        JsonElement created = await OkAsync("create-delivery-stream", "--delivery-stream-name", "raw-events-to-s3", "--delivery-stream-type", "DirectPut", "--s3-destination-configuration", """
            {
                "RoleARN": "arn:aws:iam::123456789012:role/FirehoseRole",
                "BucketARN": "arn:aws:s3:::my-data-bucket",
                "Prefix": "raw/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/",
                "ErrorOutputPrefix": "errors/",
                "BufferingHints": {
                    "SizeInMBs": 128,
                    "IntervalInSeconds": 300
                },
                "CompressionFormat": "GZIP"
            }
            """);
        Assert.Equal("arn:aws:firehose:us-east-1:000000000000:deliverystream/raw-events-to-s3", created.GetProperty("DeliveryStreamARN").GetString());
        await OkAsync("create-delivery-stream", "--delivery-stream-name", "stream-to-s3", "--delivery-stream-type", "KinesisStreamAsSource", "--kinesis-stream-source-configuration", """
            {
                "KinesisStreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/app-clickstream",
                "RoleARN": "arn:aws:iam::123456789012:role/FirehoseRole"
            }
            """, "--s3-destination-configuration", """
            {
                "RoleARN": "arn:aws:iam::123456789012:role/FirehoseRole",
                "BucketARN": "arn:aws:s3:::my-data-bucket",
                "Prefix": "processed/"
            }
            """);
        await OkAsync("create-delivery-stream", "--delivery-stream-name", "logs-to-opensearch", "--delivery-stream-type", "DirectPut", "--elasticsearch-destination-configuration", """
            {
                "RoleARN": "arn:aws:iam::123456789012:role/FirehoseRole",
                "DomainARN": "arn:aws:es:us-east-1:123456789012:domain/my-domain",
                "IndexName": "logs",
                "TypeName": "_doc",
                "IndexRotationPeriod": "OneDay",
                "BufferingHints": {
                    "IntervalInSeconds": 60,
                    "SizeInMBs": 5
                },
                "S3BackupMode": "FailedDocumentsOnly",
                "S3Configuration": {
                    "RoleARN": "arn:aws:iam::123456789012:role/FirehoseRole",
                    "BucketARN": "arn:aws:s3:::my-backup-bucket"
                }
            }
            """);

        Assert.Equal(["logs-to-opensearch", "raw-events-to-s3", "stream-to-s3"], (await OkAsync("list-delivery-streams")).GetProperty("DeliveryStreamNames").EnumerateArray().Select(n => n.GetString()));
        JsonElement description = (await OkAsync("describe-delivery-stream", "--delivery-stream-name", "raw-events-to-s3")).GetProperty("DeliveryStreamDescription");
        Assert.Equal("ACTIVE", description.GetProperty("DeliveryStreamStatus").GetString());
        Assert.Equal("1", description.GetProperty("VersionId").GetString());
        JsonElement s3 = description.GetProperty("Destinations")[0].GetProperty("ExtendedS3DestinationDescription");
        Assert.Equal("GZIP", s3.GetProperty("CompressionFormat").GetString());
        Assert.Equal("NoEncryption", s3.GetProperty("EncryptionConfiguration").GetProperty("NoEncryptionConfig").GetString());
        JsonElement es = (await OkAsync("describe-delivery-stream", "--delivery-stream-name", "logs-to-opensearch")).GetProperty("DeliveryStreamDescription").GetProperty("Destinations")[0].GetProperty("ElasticsearchDestinationDescription");
        Assert.Equal(("_doc", "OneDay"), (es.GetProperty("TypeName").GetString(), es.GetProperty("IndexRotationPeriod").GetString()));
        Assert.Equal(300, es.GetProperty("RetryOptions").GetProperty("DurationInSeconds").GetInt32());
        JsonElement status = await OkAsync("describe-delivery-stream", "--delivery-stream-name", "raw-events-to-s3", "--query", "DeliveryStreamDescription.DeliveryStreamStatus");
        Assert.Equal("ACTIVE", status.GetString());

        // CLI v2 takes blobs as base64: the first record is {"event":"test"}, each "..." decodes (leniently) to nothing.
        Assert.False(string.IsNullOrEmpty((await OkAsync("put-record", "--delivery-stream-name", "raw-events-to-s3", "--record", """{"Data": "eyJldmVudCI6InRlc3QifQ=="}""")).GetProperty("RecordId").GetString()));
        JsonElement batch = await OkAsync("put-record-batch", "--delivery-stream-name", "raw-events-to-s3", "--records", """[{"Data": "..."}, {"Data": "..."}]""");
        Assert.Equal(0, batch.GetProperty("FailedPutCount").GetInt32());
        Assert.Equal(2, batch.GetProperty("RequestResponses").GetArrayLength());
        (int refusedExit, _, string refused) = await RunAsync("put-record", "--delivery-stream-name", "stream-to-s3", "--record", """{"Data": "eA=="}""");
        Assert.NotEqual(0, refusedExit);
        Assert.Contains("InvalidArgumentException", refused, StringComparison.Ordinal);
        Assert.Contains("This operation is not permitted on KinesisStreamAsSource delivery stream type.", refused, StringComparison.Ordinal);
        // The OpenSearch destination indexes what is put: on delete its buffer is delivered, one line per document in a
        // jsonl file under DATA_DIR/opensearch/DOMAIN/<rotated index>/; the record that is not JSON goes to the failed output.
        DateTime putDay = DateTime.UtcNow;
        await OkAsync("put-record", "--delivery-stream-name", "logs-to-opensearch", "--record", """{"Data": "eyJldmVudCI6InRlc3QifQ=="}""");
        await OkAsync("put-record-batch", "--delivery-stream-name", "logs-to-opensearch", "--records", """[{"Data": "eyJuIjoxfQ=="}, {"Data": "eA=="}]""");
        await OkAsync("delete-delivery-stream", "--delivery-stream-name", "logs-to-opensearch");
        string index = Path.Combine(_data, "opensearch", "my-domain", $"logs-{putDay:yyyy-MM-dd}");
        using (var indexed = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!Directory.Exists(index) || Directory.GetFiles(index, "*.jsonl").Length == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, indexed.Token);
            }
        }

        string file = Assert.Single(Directory.GetFiles(index, "*.jsonl"));
        Assert.Equal("{\"event\":\"test\"}\n{\"n\":1}\n", await File.ReadAllTextAsync(file));
        Assert.Empty(Directory.GetFiles(index, "*.tmp"));
        BucketObject? failed = null;
        using (var failedWait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (failed is null)
            {
                await foreach (BucketObject o in _store.ListObjectsAsync("my-backup-bucket", "elasticsearch-failed/", failedWait.Token))
                {
                    failed = o;
                }

                if (failed is null)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, failedWait.Token);
                }
            }
        }

        JsonElement rejected = JsonDocument.Parse(await File.ReadAllTextAsync(_store.PathOf("my-backup-bucket", failed.Key))).RootElement;
        Assert.Equal("eA==", rejected.GetProperty("rawData").GetString());
        Assert.Equal($"logs-{putDay:yyyy-MM-dd}", rejected.GetProperty("esIndexName").GetString());
        Assert.Equal("_doc", rejected.GetProperty("esTypeName").GetString());

        (int exit, _, string error) = await RunAsync("update-destination", "--delivery-stream-name", "raw-events-to-s3", "--current-delivery-stream-version-id", "1", "--destination-id", "destinationId-000000000001", "--s3-destination-update", """
            {
                "BufferingHints": {"SizeInMBs": 256}
            }
            """);
        Assert.NotEqual(0, exit);
        Assert.Contains("(ValidationException)", error, StringComparison.Ordinal);
        Assert.Contains("Value '256' at 's3DestinationUpdate.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128", error, StringComparison.Ordinal);
        Assert.Equal("1", (await OkAsync("describe-delivery-stream", "--delivery-stream-name", "raw-events-to-s3")).GetProperty("DeliveryStreamDescription").GetProperty("VersionId").GetString());

        // Buffered records are delivered on delete: one GZIP object under the evaluated date prefix, on disk.
        DateTime today = DateTime.UtcNow;
        await OkAsync("delete-delivery-stream", "--delivery-stream-name", "raw-events-to-s3");
        string prefix = $"raw/year={today:yyyy}/month={today:MM}/day={today:dd}/raw-events-to-s3-1-";
        BucketObject? delivered = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (delivered is null)
        {
            await foreach (BucketObject o in _store.ListObjectsAsync("my-data-bucket", "raw/", timeout.Token))
            {
                delivered = o;
            }

            if (delivered is null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System, timeout.Token);
            }
        }

        Assert.StartsWith(prefix, delivered.Key, StringComparison.Ordinal);
        Assert.EndsWith(".gz", delivered.Key, StringComparison.Ordinal);
        using var gzip = new GZipStream(File.OpenRead(_store.PathOf("my-data-bucket", delivered.Key)), CompressionMode.Decompress);
        Assert.Equal("{\"event\":\"test\"}", await new StreamReader(gzip, Encoding.UTF8).ReadToEndAsync());
        (int goneExit, _, string gone) = await RunAsync("describe-delivery-stream", "--delivery-stream-name", "raw-events-to-s3");
        Assert.True(goneExit != 0 || gone.Length == 0);
    }
}
