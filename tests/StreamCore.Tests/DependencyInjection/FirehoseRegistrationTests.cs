using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Buckets;
using StreamCore.Delivery;
using Record = StreamCore.Delivery.Record;

namespace StreamCore.Tests.DependencyInjection;

/// <summary>AddStreamCoreFirehose: one Firehose over the container's engine and bucket store, disposed (and flushed) with the container.</summary>
public class FirehoseRegistrationTests
{
    [Fact]
    public async Task The_container_gives_one_Firehose_over_its_engine_and_bucket_store_and_disposing_it_delivers_what_is_buffered()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var store = new InMemoryBucketStore(time);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<BucketStore>(store)
            .AddStreamCoreFirehose(o => o.StatusDelay = TimeSpan.Zero)
            .AddStreamCoreFirehose();
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            Firehose firehose = provider.GetRequiredService<Firehose>();
            Assert.Same(firehose, provider.GetRequiredService<IFirehoseClient>());
            Assert.Same(provider.GetRequiredService<StreamEngine>(), firehose.Engine);
            Assert.Same(store, firehose.Buckets);
            await firehose.CreateDeliveryStreamAsync(new CreateDeliveryStreamRequest
            {
                DeliveryStreamName = "events",
                ExtendedS3DestinationConfiguration = new ExtendedS3DestinationConfiguration { RoleARN = "arn:aws:iam::123456789012:role/R", BucketARN = "arn:aws:s3:::b" },
            });
            await firehose.PutRecordAsync(new PutRecordRequest { DeliveryStreamName = "events", Record = new Record { Data = new MemoryStream(Encoding.UTF8.GetBytes("one")) } });
            Assert.Empty(await store.ListObjectsAsync("b").ToListAsync());
        }

        BucketObject o = Assert.Single(await store.ListObjectsAsync("b").ToListAsync());
        Assert.StartsWith("2026/03/01/12/events-1-2026-03-01-12-00-00-", o.Key, StringComparison.Ordinal);
        Assert.Equal("one", Encoding.UTF8.GetString((await store.GetObjectAsync("b", o.Key))!));
    }
}
