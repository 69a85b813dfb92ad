using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using StreamCore.Buckets;
using StreamCore.Delivery;

namespace StreamCore.Benchmarks;

/// <summary>
/// Firehose DirectPut into the file-system bucket store: 1 MiB of 1 KB records (three PutRecordBatch calls: 500, 500
/// and 24 records), flushed as one object, uncompressed and GZIP, next to the floors they are measured against in the
/// same run: <see cref="File.WriteAllBytes(string, byte[])"/> of the same bytes into a new file (each delivered object is
/// a new file; overwriting one of a few files is shown too, it is cheaper on ext4), and <see cref="GZipStream"/> (Optimal,
/// as Firehose's GZIP) over the same bytes written into a new file. Every file and object is deleted after each iteration.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(32)]
public class DeliveryBenchmarks
{
    private const int RecordBytes = 1024;
    private const int Records = 1024;
    private string _root = null!;
    private byte[] _bytes = [];
    private List<Record>[] _batches = [];
    private StreamEngine _engine = null!;
    private Firehose _firehose = null!;
    private int _file;

    [GlobalSetup]
    public async Task Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), $"fh-bench-{Environment.ProcessId}");
        var random = new Random(7);
        string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 ,:\"{}";
        byte[][] records = [.. Enumerable.Range(0, Records).Select(i =>
        {
            var record = new byte[RecordBytes];
            for (int j = 0; j < record.Length - 1; j++)
            {
                record[j] = (byte)alphabet[random.Next(alphabet.Length)];
            }

            record[^1] = (byte)'\n';
            return record;
        })];
        _bytes = [.. records.SelectMany(r => r)];
        _batches = [.. records.Chunk(Firehose.MaxBatchRecords).Select(chunk => chunk.Select(r => new Record { Data = new MemoryStream(r, 0, r.Length, false, true) }).ToList())];
        _engine = new StreamEngine();
        _firehose = new Firehose(_engine, new FirehoseOptions { Buckets = new FileSystemBucketStore(Path.Combine(_root, "s3")) });
        foreach ((string name, CompressionFormat format) in new[] { ("plain", CompressionFormat.UNCOMPRESSED), ("gzip", CompressionFormat.GZIP) })
        {
            await _firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
            {
                DeliveryStreamName = name,
                ExtendedS3DestinationConfiguration = new ExtendedS3DestinationConfiguration
                {
                    RoleARN = "arn:aws:iam::123456789012:role/FirehoseRole",
                    BucketARN = "arn:aws:s3:::bench",
                    Prefix = name + "/",
                    CompressionFormat = format,
                    BufferingHints = new BufferingHints { SizeInMBs = 128, IntervalInSeconds = 900 },
                },
            });
        }

        Directory.CreateDirectory(Path.Combine(_root, "files"));
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _firehose.DisposeAsync();
        _engine.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [IterationCleanup]
    public void DeleteFiles()
    {
        foreach (string directory in new[] { Path.Combine(_root, "files"), Path.Combine(_root, "s3", "bench") })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        Directory.CreateDirectory(Path.Combine(_root, "files"));
    }

    private string NextFile() => Path.Combine(_root, "files", $"{_file++}.bin");

    [Benchmark(Baseline = true)]
    public void WriteAllBytes_new_file() => File.WriteAllBytes(NextFile(), _bytes);

    [Benchmark]
    public void WriteAllBytes_overwrite() => File.WriteAllBytes(Path.Combine(_root, $"{_file++ % 4}.bin"), _bytes);

    [Benchmark]
    public async Task DirectPut_uncompressed() => await PutAndFlushAsync("plain");

    [Benchmark]
    public void GZipStream_then_WriteAllBytes()
    {
        var output = new MemoryStream(_bytes.Length / 3 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(_bytes);
        }

        using FileStream file = File.Create(NextFile());
        file.Write(output.GetBuffer(), 0, (int)output.Length);
    }

    [Benchmark]
    public async Task DirectPut_gzip() => await PutAndFlushAsync("gzip");

    private async Task PutAndFlushAsync(string name)
    {
        foreach (List<Record> batch in _batches)
        {
            await _firehose.PutRecordBatchAsync(new PutRecordBatchRequest { DeliveryStreamName = name, Records = batch });
        }

        await _firehose.FlushAsync(name);
    }
}
