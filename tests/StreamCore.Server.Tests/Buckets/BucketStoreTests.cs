using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Aws.S3;
using StreamCore.Buckets;
using StreamCore.Delivery;

namespace StreamCore.Server.Tests.Buckets;

/// <summary>
/// What every <see cref="BucketStore"/> does, run against each implementation: the file system (the server's
/// default), memory, and S3 through the connector against a real S3-compatible server (s3rver).
/// </summary>
public abstract class BucketStoreTests : IAsyncLifetime
{
    protected BucketStore Store { get; private set; } = null!;

    /// <summary>A bucket of this test alone (stores may be shared by the tests of a class).</summary>
    protected string Bucket { get; } = $"b-{Guid.NewGuid():N}";

    protected abstract ValueTask<BucketStore> CreateStoreAsync();

    /// <summary>Whether a replaced object is never seen half-written by a concurrent reader.</summary>
    protected virtual bool ReplacesAtomically => true;

    public async ValueTask InitializeAsync() => Store = await CreateStoreAsync();

    public virtual ValueTask DisposeAsync()
    {
        (Store as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private async Task<List<BucketObject>> ListAsync(string? prefix = null, string? bucket = null)
    {
        var all = new List<BucketObject>();
        await foreach (BucketObject o in Store.ListObjectsAsync(bucket ?? Bucket, prefix))
        {
            all.Add(o);
        }

        return all;
    }

    [Fact]
    public async Task An_object_put_is_read_back_whole_and_a_second_put_replaces_it()
    {
        await Store.PutObjectAsync(Bucket, "2026/03/01/12/delivery-1", "first"u8.ToArray());
        byte[]? first = await Store.GetObjectAsync(Bucket, "2026/03/01/12/delivery-1");
        Assert.Equal("first"u8.ToArray(), first);
        byte[] large = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        await Store.PutObjectAsync(Bucket, "2026/03/01/12/delivery-1", large);
        Assert.Equal(large, await Store.GetObjectAsync(Bucket, "2026/03/01/12/delivery-1"));
        await Store.PutObjectAsync(Bucket, "empty", ReadOnlyMemory<byte>.Empty);
        Assert.Equal(Array.Empty<byte>(), await Store.GetObjectAsync(Bucket, "empty"));
    }

    [Fact]
    public async Task Buckets_need_no_creation_and_an_unknown_object_or_bucket_reads_as_absent()
    {
        Assert.Null(await Store.GetObjectAsync(Bucket, "nothing"));
        Assert.Empty(await ListAsync());
        await Store.PutObjectAsync(Bucket, "k", "v"u8.ToArray());
        Assert.Null(await Store.GetObjectAsync(Bucket, "other"));
        Assert.Null(await Store.GetObjectAsync(Bucket + "x", "k"));
    }

    [Fact]
    public async Task Listing_is_in_key_order_filtered_by_prefix_with_sizes()
    {
        string[] keys = ["b/2", "a/1", "a/2/x", "a/10", "c", "ab"];
        foreach (string key in keys)
        {
            await Store.PutObjectAsync(Bucket, key, Encoding.UTF8.GetBytes(key + key));
        }

        List<BucketObject> all = await ListAsync();
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Select(o => o.Key));
        Assert.All(all, o => Assert.Equal(o.Key.Length * 2, o.Size));
        Assert.All(all, o => Assert.InRange(o.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Equal(["a/1", "a/10", "a/2/x"], (await ListAsync("a/")).Select(o => o.Key));
        Assert.Equal(["a/1", "a/10", "a/2/x", "ab"], (await ListAsync("a")).Select(o => o.Key));
        Assert.Equal(["a/1", "a/10"], (await ListAsync("a/1")).Select(o => o.Key));
        Assert.Empty(await ListAsync("z"));
    }

    [Fact]
    public async Task Listing_pages_through_more_objects_than_one_S3_page()
    {
        byte[] one = [1];
        await Store.PutObjectAsync(Bucket, "p/00000", one);
        await Parallel.ForEachAsync(Enumerable.Range(0, 1_100), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) => await Store.PutObjectAsync(Bucket, $"p/{i:D5}", one, ct));
        List<BucketObject> all = await ListAsync("p/");
        Assert.Equal(Enumerable.Range(0, 1_100).Select(i => $"p/{i:D5}"), all.Select(o => o.Key));
    }

    [Fact]
    public async Task Delete_removes_one_object_and_says_whether_there_was_one()
    {
        await Store.PutObjectAsync(Bucket, "x/1", "1"u8.ToArray());
        await Store.PutObjectAsync(Bucket, "x/2", "2"u8.ToArray());
        Assert.True(await Store.DeleteObjectAsync(Bucket, "x/1"));
        Assert.False(await Store.DeleteObjectAsync(Bucket, "x/1"));
        Assert.Null(await Store.GetObjectAsync(Bucket, "x/1"));
        Assert.Equal(["x/2"], (await ListAsync()).Select(o => o.Key));
    }

    [Theory]
    [InlineData("", "k")]
    [InlineData(".hidden", "k")]
    [InlineData("has space", "k")]
    [InlineData("b/c", "k")]
    [InlineData("ok", "")]
    [InlineData("ok", "/leading")]
    [InlineData("ok", "trailing/")]
    [InlineData("ok", "a//b")]
    [InlineData("ok", "a/../b")]
    [InlineData("ok", "./a")]
    [InlineData("ok", "back\\slash")]
    [InlineData("ok", "nul\0")]
    public async Task Invalid_bucket_names_and_keys_are_refused_and_nothing_is_written(string bucket, string key)
    {
        string target = bucket == "ok" ? Bucket : bucket;
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PutObjectAsync(target, key, "v"u8.ToArray()));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetObjectAsync(target, key));
        if (bucket == "ok")
        {
            Assert.Empty(await ListAsync());
        }
    }

    [Fact]
    public async Task A_key_over_1024_bytes_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PutObjectAsync(Bucket, new string('é', 513), "v"u8.ToArray()));
        await Store.PutObjectAsync(Bucket, new string('k', 200) + "/" + new string('é', 100), "v"u8.ToArray());
        Assert.Single(await ListAsync());
    }

    [Fact]
    public async Task Concurrent_writers_of_distinct_keys_lose_nothing_and_readers_never_see_half_an_object()
    {
        byte[][] contents = [.. Enumerable.Range(0, 64).Select(i => Enumerable.Repeat((byte)i, 50_000 + i).ToArray())];
        using var done = new CancellationTokenSource();
        Task reader = Task.Run(async () =>
        {
            while (ReplacesAtomically && !done.IsCancellationRequested)
            {
                if (await Store.GetObjectAsync(Bucket, "same") is { } seen)
                {
                    Assert.Contains(seen.Length, contents.Select(c => c.Length));
                    Assert.All(seen, b => Assert.Equal(seen[0], b));
                }
            }
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, contents.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            await Store.PutObjectAsync(Bucket, $"k/{i:D3}", contents[i], ct);
            await Store.PutObjectAsync(Bucket, "same", contents[i], ct);
        });
        await done.CancelAsync();
        await reader;
        List<BucketObject> all = await ListAsync("k/");
        Assert.Equal(contents.Length, all.Count);
        for (int i = 0; i < contents.Length; i++)
        {
            Assert.Equal(contents[i], await Store.GetObjectAsync(Bucket, $"k/{i:D3}"));
        }
    }

    [Fact]
    public async Task A_Firehose_delivery_lands_under_its_exact_key_with_its_exact_content()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using var engine = new StreamEngine(new StreamEngineOptions { TimeProvider = clock });
        await using var firehose = new Firehose(engine, new FirehoseOptions { Buckets = Store, Random = new Random(42) });
        await firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
        {
            DeliveryStreamName = "events",
            ExtendedS3DestinationConfiguration = new ExtendedS3DestinationConfiguration
            {
                RoleARN = "arn:aws:iam::123456789012:role/FirehoseRole",
                BucketARN = "arn:aws:s3:::" + Bucket,
                Prefix = "raw/year=!{timestamp:yyyy}/",
                ErrorOutputPrefix = "errors/",
                CompressionFormat = CompressionFormat.GZIP,
                BufferingHints = new BufferingHints { SizeInMBs = 1, IntervalInSeconds = 60 },
                ProcessingConfiguration = new ProcessingConfiguration { Enabled = true, Processors = [new Processor { Type = ProcessorType.AppendDelimiterToRecord }] },
            },
        });
        string[] records = [.. Enumerable.Range(0, 3000).Select(i => $"{{\"n\":{i},\"pad\":\"{new string('x', i % 700)}\"}}")];
        for (int i = 0; i < records.Length; i += 500)
        {
            await firehose.PutRecordBatchAsync(new PutRecordBatchRequest { DeliveryStreamName = "events", Records = [.. records[i..(i + 500)].Select(r => new StreamCore.Delivery.Record { Data = new MemoryStream(Encoding.UTF8.GetBytes(r)) })] });
        }

        clock.Advance(TimeSpan.FromSeconds(60));
        await firehose.WhenDeliveredAsync("events").WaitAsync(TimeSpan.FromSeconds(30));

        // Objects close at 1 MiB before compression: every record exactly once across the objects.
        List<BucketObject> objects = await ListAsync("raw/");
        Assert.True(objects.Count >= 2, $"{objects.Count} objects");
        var decoded = new StringBuilder();
        foreach (BucketObject o in objects.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            Assert.Matches(new Regex("^raw/year=2026/events-1-2026-03-01-12-00-00-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.gz$"), o.Key);
            using var gzip = new GZipStream(new MemoryStream((await Store.GetObjectAsync(Bucket, o.Key))!), CompressionMode.Decompress);
            using var text = new StreamReader(gzip);
            string body = await text.ReadToEndAsync();
            Assert.True(Encoding.UTF8.GetByteCount(body) <= 1024 * 1024);
            decoded.Append(body);
        }

        string[] lines = decoded.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(records.Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Bucket_ARNs_name_their_bucket()
    {
        Assert.Equal("my-bucket", BucketStore.BucketNameFromArn("arn:aws:s3:::my-bucket"));
        Assert.Throws<ArgumentException>(() => BucketStore.BucketNameFromArn("arn:aws:sqs:us-east-1:000000000000:q"));
        Assert.Throws<ArgumentException>(() => BucketStore.BucketNameFromArn("my-bucket"));
    }
}

public sealed class InMemoryBucketStoreTests : BucketStoreTests
{
    protected override ValueTask<BucketStore> CreateStoreAsync() => ValueTask.FromResult<BucketStore>(new InMemoryBucketStore());
}

public sealed class FileSystemBucketStoreTests : BucketStoreTests
{
    private readonly string _root = Directory.CreateTempSubdirectory("buckets-").FullName;

    protected override ValueTask<BucketStore> CreateStoreAsync() => ValueTask.FromResult<BucketStore>(new FileSystemBucketStore(_root));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Objects_are_files_under_ROOT_BUCKET_KEY_and_no_temporary_file_is_left()
    {
        await Store.PutObjectAsync(Bucket, "2026/03/01/obj", "body"u8.ToArray());
        Assert.Equal("body", await File.ReadAllTextAsync(Path.Combine(_root, Bucket, "2026", "03", "01", "obj")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, ".tmp")));
    }

    [Fact]
    public async Task A_key_that_is_also_a_directory_of_longer_keys_fails_and_leaves_nothing_behind()
    {
        await Store.PutObjectAsync(Bucket, "a", "1"u8.ToArray());
        await Assert.ThrowsAnyAsync<IOException>(async () => await Store.PutObjectAsync(Bucket, "a/b", "2"u8.ToArray()));
        byte[]? kept = await Store.GetObjectAsync(Bucket, "a");
        Assert.Equal("1"u8.ToArray(), kept);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, ".tmp")));
    }
}

public sealed class S3BucketStoreTests(S3rver s3rver) : BucketStoreTests, IClassFixture<S3rver>
{
    // S3 replaces objects atomically; s3rver rewrites its file in place, so a reader racing a replacement can be cut short.
    protected override bool ReplacesAtomically => false;

    protected override ValueTask<BucketStore> CreateStoreAsync()
    {
        s3rver.Require();
        return ValueTask.FromResult<BucketStore>(S3BucketStore.ForEndpoint(s3rver.Url!));
    }
}
