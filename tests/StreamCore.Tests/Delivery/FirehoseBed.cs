using System.Text;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Buckets;
using StreamCore.Delivery;
using Record = StreamCore.Delivery.Record;

namespace StreamCore.Tests.Delivery;

/// <summary>A Firehose on a fake clock (2026-03-01T12:00:00Z) over an in-memory bucket store, with seeded randomness.</summary>
public sealed class FirehoseBed : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public const string Role = "arn:aws:iam::123456789012:role/FirehoseRole";
    public const string BucketArn = "arn:aws:s3:::my-data-bucket";
    public const string Bucket = "my-data-bucket";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    public FirehoseBed(BucketStore? store = null, TimeSpan? statusDelay = null, Action<StreamEngineOptions>? engine = null, bool latest = false, Action<FirehoseOptions>? firehose = null)
    {
        Clock = new FakeTimeProvider(Start);
        var options = new StreamEngineOptions { TimeProvider = Clock };
        engine?.Invoke(options);
        Engine = new StreamEngine(options);
        Store = store ?? new InMemoryBucketStore(Clock);
        var firehoseOptions = new FirehoseOptions { Buckets = Store, Random = new Random(42), StatusDelay = statusDelay, ReadSourceFromLatest = latest };
        firehose?.Invoke(firehoseOptions);
        Firehose = new Firehose(Engine, firehoseOptions);
    }

    public FakeTimeProvider Clock { get; }

    public StreamEngine Engine { get; }

    public BucketStore Store { get; }

    public Firehose Firehose { get; }

    public static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    public static ExtendedS3DestinationConfiguration S3(Action<ExtendedS3DestinationConfiguration>? configure = null)
    {
        var c = new ExtendedS3DestinationConfiguration { RoleARN = Role, BucketARN = BucketArn };
        configure?.Invoke(c);
        return c;
    }

    public Task CreateAsync(string name, ExtendedS3DestinationConfiguration destination) =>
        Firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest { DeliveryStreamName = name, ExtendedS3DestinationConfiguration = destination });

    public Task PutAsync(string name, params string[] records) =>
        Firehose.PutRecordBatchAsync(new PutRecordBatchRequest { DeliveryStreamName = name, Records = [.. records.Select(r => new Record { Data = Bytes(r) })] });

    public async Task<List<BucketObject>> ListAsync(string bucket = Bucket, string? prefix = null)
    {
        var all = new List<BucketObject>();
        await foreach (BucketObject o in Store.ListObjectsAsync(bucket, prefix))
        {
            all.Add(o);
        }

        return all;
    }

    public async Task<string> TextAsync(string key, string bucket = Bucket) => Encoding.UTF8.GetString((await Store.GetObjectAsync(bucket, key))!);

    /// <summary>Advances the fake clock, then waits for the deliveries that triggered (never on wall time).</summary>
    public async Task AdvanceAsync(string name, TimeSpan by)
    {
        Clock.Advance(by);
        await Firehose.WhenDeliveredAsync(name).WaitAsync(Wait);
    }

    public async ValueTask DisposeAsync()
    {
        await Firehose.DisposeAsync();
        Engine.Dispose();
    }
}
