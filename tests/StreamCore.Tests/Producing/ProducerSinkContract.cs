using FsCheck;
using FsCheck.Fluent;
using StreamCore.Producing;
using StreamCore.Tests.Support;

namespace StreamCore.Tests.Producing;

/// <summary>
/// What every producer must do whatever it writes through: one test base, run over the Kinesis client and over the
/// event-bus face (and, as a derived class, through the remote client against the server).
/// </summary>
public abstract class ProducerSinkContract
{
    private protected abstract KinesisProducer CreateProducer(TestEngine t, string stream, KinesisProducerOptions options);

    /// <summary>How many cases the round-trip property tries (fewer where each needs a server).</summary>
    protected virtual int PropertyRuns => 100;

    [Fact]
    public async Task Every_record_is_stored_once_with_its_result()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 4);
        var added = new List<(string Key, string Data, ValueTask<UserRecordResult> Result)>();
        await using (KinesisProducer producer = CreateProducer(t, "s", new KinesisProducerOptions { TimeProvider = t.Clock }))
        {
            for (int i = 0; i < 2000; i++)
            {
                string key = "key-" + (i % 37), data = "record-" + i;
                added.Add((key, data, producer.AddAsync(key, StreamContents.Bytes(data))));
            }

            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        List<StoredUserRecord> stored = await StreamContents.ReadAllAsync(t, "s");
        Assert.Equal(added.Select(a => a.Data).Order(), stored.Select(s => s.Data).Order());
        var byData = stored.ToDictionary(s => s.Data);
        foreach ((string key, string data, ValueTask<UserRecordResult> pending) in added)
        {
            UserRecordResult result = await pending;
            StoredUserRecord where = byData[data];
            Assert.Equal(where.ShardId, result.ShardId.ToString());
            Assert.Equal(where.SequenceNumber, result.SequenceNumber.ToString());
            Assert.Equal(where.SubSequenceNumber, result.SubSequenceNumber);
            Assert.Equal(key, where.PartitionKey);
            Assert.Equal(1, result.Attempts);
        }

        Assert.True(stored.Select(s => s.SequenceNumber).Distinct().Count() < 100, "records are aggregated");
    }

    // The happy-path guarantee: in order when calls complete in order (one in flight; over a network more may overtake).
    [Fact]
    public async Task Records_of_a_key_keep_their_order()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 3);
        await using (KinesisProducer producer = CreateProducer(t, "s", new KinesisProducerOptions { TimeProvider = t.Clock, AggregationMaxSize = 300, MaxConcurrentRequests = 1 }))
        {
            for (int i = 0; i < 600; i++)
            {
                _ = producer.AddAsync("k" + (i % 5), StreamContents.Bytes($"{i % 5}:{i}"));
            }

            await producer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        List<StoredUserRecord> stored = await StreamContents.ReadAllAsync(t, "s");
        foreach (IGrouping<string, StoredUserRecord> key in stored.GroupBy(s => s.PartitionKey))
        {
            int[] order = [.. key.Select(s => int.Parse(s.Data.Split(':')[1]))];
            Assert.Equal(order.Order(), order);
        }
    }

    [Fact]
    public void Any_records_round_trip_through_producer_reader_and_deaggregation()
    {
        Prop.ForAll(
            Gen.ArrayOf(Gen.Zip(Gen.Elements("a", "b", "c", "ü", "long-" + new string('x', 200)), Gen.Choose(0, 3000))).ToArbitrary(),
            Gen.Elements(true, false).ToArbitrary(),
            (records, aggregate) =>
            {
                using var t = new TestEngine();
                t.CreateAsync("s", 2).GetAwaiter().GetResult();
                var options = new KinesisProducerOptions { TimeProvider = t.Clock, AggregationEnabled = aggregate, AggregationMaxSize = 4096 };
                string[] payloads = [.. records.Select((r, i) => i + ":" + new string('p', r.Item2))];
                KinesisProducer producer = CreateProducer(t, "s", options);
                var results = records.Select((r, i) => producer.AddAsync(r.Item1, StreamContents.Bytes(payloads[i]))).ToList();
                producer.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(30));
                foreach (ValueTask<UserRecordResult> result in results)
                {
                    result.AsTask().Wait(TimeSpan.FromSeconds(10));
                }

                List<StoredUserRecord> stored = StreamContents.ReadAllAsync(t, "s").GetAwaiter().GetResult();
                Assert.Equal(payloads.Order(), stored.Select(s => s.Data).Order());
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(PropertyRuns));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_kinesis_errors_and_buffers_nothing()
    {
        using var t = new TestEngine();
        await t.CreateAsync("s", 1);
        await using KinesisProducer producer = CreateProducer(t, "s", new KinesisProducerOptions { TimeProvider = t.Clock });
        var empty = await Assert.ThrowsAsync<Errors.ValidationException>(() => producer.AddAsync("", StreamContents.Bytes("x")).AsTask());
        Assert.Equal("1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1", empty.Message);
        await Assert.ThrowsAsync<Errors.ValidationException>(() => producer.AddAsync(new string('k', 257), StreamContents.Bytes("x")).AsTask());
        await Assert.ThrowsAsync<Errors.ValidationException>(() => producer.AddAsync("k", StreamContents.Bytes("x"), "-1").AsTask());
        var range = await Assert.ThrowsAsync<Errors.InvalidArgumentException>(() => producer.AddAsync("k", StreamContents.Bytes("x"), "340282366920938463463374607431768211456").AsTask());
        Assert.StartsWith("Invalid ExplicitHashKey.", range.Message);
        var big = await Assert.ThrowsAsync<Errors.InvalidArgumentException>(() => producer.AddAsync("k", new byte[1024 * 1024]).AsTask());
        Assert.Contains("exceeds the stream's maximum record size", big.Message);
        Assert.Equal(0, producer.OutstandingRecordCount);
        await producer.FlushAsync();
        Assert.Empty(await StreamContents.ReadAllAsync(t, "s"));
    }
}

public sealed class ProducerOverKinesisClientTests : ProducerSinkContract
{
    private protected override KinesisProducer CreateProducer(TestEngine t, string stream, KinesisProducerOptions options) =>
        new(t.Client, stream, options);
}

public sealed class ProducerOverDataStreamTests : ProducerSinkContract
{
    private protected override KinesisProducer CreateProducer(TestEngine t, string stream, KinesisProducerOptions options) =>
        new(t.Engine.GetStream(stream), options);
}

/// <summary>The same contract through the remote client (JSON 1.1 over HTTP) against the StreamCore server over the test's engine.</summary>
public sealed class ProducerOverRemoteClientTests : ProducerSinkContract, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly List<IDisposable> _clients = [];

    protected override int PropertyRuns => 8;

    private protected override KinesisProducer CreateProducer(TestEngine t, string stream, KinesisProducerOptions options)
    {
        StreamCore.Server.KinesisEndpoint endpoint = StreamCore.Server.KinesisEndpoint.StartAsync(t.Engine).GetAwaiter().GetResult();
        var client = new StreamCore.Aws.Kinesis.RemoteKinesisClient(new StreamCore.Aws.Kinesis.RemoteKinesisClientOptions
        {
            ServiceUrl = endpoint.Url,
            Region = "us-east-1",
            Credentials = new Amazon.Runtime.BasicAWSCredentials("AKIDPRODUCERTEST", "producer-test-secret"),
        });
        lock (_servers)
        {
            _servers.Add(endpoint);
            _clients.Add(client);
        }

        return new(client, stream, options);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IDisposable client in _clients)
        {
            client.Dispose();
        }

        foreach (IAsyncDisposable server in _servers)
        {
            await server.DisposeAsync();
        }
    }
}
