// A clickstream delivered by a Firehose delivery stream as GZIP objects under a date prefix, then listed and read back.
//   dotnet run --project samples/StreamCore.Firehose
using System.IO.Compression;
using System.Text;
using StreamCore;
using StreamCore.Buckets;
using StreamCore.Delivery;
using Record = StreamCore.Delivery.Record;

string root = Path.Combine(Path.GetTempPath(), $"streamcore-firehose-sample-{Environment.ProcessId}");
using var engine = new StreamEngine();
var store = new FileSystemBucketStore(root);
await using (var firehose = new Firehose(engine, new FirehoseOptions { Buckets = store }))
{
    await firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
    {
        DeliveryStreamName = "clickstream",
        ExtendedS3DestinationConfiguration = new ExtendedS3DestinationConfiguration
        {
            RoleARN = "arn:aws:iam::123456789012:role/FirehoseRole",
            BucketARN = "arn:aws:s3:::clicks",
            Prefix = "clicks/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/",
            ErrorOutputPrefix = "errors/",
            CompressionFormat = CompressionFormat.GZIP,
            BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 },
            ProcessingConfiguration = new ProcessingConfiguration { Enabled = true, Processors = [new Processor { Type = ProcessorType.AppendDelimiterToRecord }] },
        },
    });

    string[] pages = ["/home", "/products", "/cart", "/checkout"];
    for (int batch = 0; batch < 20; batch++)
    {
        var records = Enumerable.Range(0, 500).Select(i => new Record
        {
            Data = new MemoryStream(Encoding.UTF8.GetBytes($$"""{"user":"u-{{(batch * 500 + i) % 97}}","page":"{{pages[i % pages.Length]}}","n":{{batch * 500 + i}}}""")),
        }).ToList();
        PutRecordBatchResponse put = await firehose.PutRecordBatchAsync(new PutRecordBatchRequest { DeliveryStreamName = "clickstream", Records = records });
        if (put.FailedPutCount != 0)
        {
            throw new InvalidOperationException($"{put.FailedPutCount} records failed");
        }
    }
}

// Disposing the Firehose delivered everything still buffered (objects close at 1 MiB before compression).
int lines = 0;
await foreach (BucketObject o in store.ListObjectsAsync("clicks", "clicks/"))
{
    byte[] gz = (await store.GetObjectAsync("clicks", o.Key))!;
    using var reader = new StreamReader(new GZipStream(new MemoryStream(gz), CompressionMode.Decompress));
    string text = await reader.ReadToEndAsync();
    int count = text.Count(c => c == '\n');
    lines += count;
    Console.WriteLine($"{o.Key}  {o.Size,8:N0} bytes  {count,6:N0} records  first: {text[..text.IndexOf('\n')]}");
}

Console.WriteLine($"{lines:N0} clicks delivered");
Directory.Delete(root, recursive: true);
return lines == 10_000 ? 0 : 1;
