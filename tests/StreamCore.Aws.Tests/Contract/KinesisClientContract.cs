using System.Numerics;
using StreamCore.Aws.Kinesis;
using StreamCore.Errors;
using StreamCore.Kinesis;
using Record = StreamCore.Kinesis.Record;

namespace StreamCore.Aws.Tests.Contract;

/// <summary>Behaviours a Kinesis implementation lacks, so the contract asserts what it does instead (each with its reason).</summary>
[Flags]
public enum KinesisGaps
{
    None = 0,

    /// <summary>kinesalite has no UpdateShardCount (kinesalite issue #61, PRs #48/#103 never merged).</summary>
    UpdateShardCount = 1,

    /// <summary>kinesalite has no consumers, enhanced fan-out or SubscribeToShard (and fails with HTTP/2, issue #118).</summary>
    Consumers = 2,

    /// <summary>kinesalite's GetRecords never returns ChildShards at a closed shard's end.</summary>
    ChildShards = 4,

    /// <summary>kinesalite's ListShards ignores MaxResults and NextToken (issue #99).</summary>
    ListShardsPaging = 8,

    /// <summary>kinesalite has no DescribeLimits.</summary>
    DescribeLimits = 16,

    /// <summary>kinesalite has no StreamARN parameter: ARN-only calls fail validation (the SDKs' default since 2022).</summary>
    StreamArn = 32,

    /// <summary>kinesalite lets a closed shard be split again (issue #109; AWS answers InvalidArgumentException).</summary>
    SplitClosedShard = 64,
}

/// <summary>
/// The Kinesis face's contract, one test base run against every <see cref="IKinesisClient"/>: the in-process client,
/// the remote client against the StreamCore server (JSON 1.1 and CBOR 1.1), and the remote client against kinesalite.
/// It covers streams, records, iterators, errors, resharding, tags, retention and consumers. Each test makes its own
/// streams (unique names), so one server can serve a whole class. Where an implementation lacks a behaviour
/// (<see cref="Gaps"/>), the test asserts what it does instead, so a difference is written down, not skipped.
/// </summary>
public abstract class KinesisClientContract : IAsyncLifetime
{
    private IKinesisClient? _client;

    protected IKinesisClient Client => _client ?? throw new InvalidOperationException("not initialized");

    protected virtual KinesisGaps Gaps => KinesisGaps.None;

    protected virtual string AccountId => "000000000000";

    protected virtual string Region => "us-east-1";

    protected abstract ValueTask<IKinesisClient> CreateClientAsync();

    public virtual async ValueTask InitializeAsync() => _client = await CreateClientAsync();

    public virtual ValueTask DisposeAsync()
    {
        (_client as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }

    private bool Lacks(KinesisGaps gap) => (Gaps & gap) != 0;

    protected static string NewName() => "contract-" + Guid.NewGuid().ToString("N")[..12];

    private static MemoryStream Bytes(byte[] bytes) => new(bytes);

    private async Task<string> CreateActiveAsync(int shards)
    {
        string name = NewName();
        await Client.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = shards });
        await WaitForStatusAsync(name, StreamStatus.ACTIVE);
        return name;
    }

    /// <summary>Waits for a stream's status (remote servers move CREATING/UPDATING on their own clock).</summary>
    private async Task WaitForStatusAsync(string name, StreamStatus status)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while ((await Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name }, deadline.Token)).StreamDescriptionSummary!.StreamStatus != status)
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    private async Task<string> IteratorAsync(string stream, string shard, ShardIteratorType type, string? sequenceNumber = null) =>
        (await Client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = stream, ShardId = shard, ShardIteratorType = type, StartingSequenceNumber = sequenceNumber })).ShardIterator!;

    /// <summary>Follows NextShardIterator until a call returns nothing (or the shard ends); returns the records and the last response.</summary>
    private async Task<(List<Record> Records, GetRecordsResponse Last)> DrainAsync(string iterator)
    {
        var records = new List<Record>();
        for (int calls = 0; calls < 50; calls++)
        {
            GetRecordsResponse response = await Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = 10_000 });
            records.AddRange(response.Records);
            if (response.Records.Count == 0 || response.NextShardIterator is null)
            {
                return (records, response);
            }

            iterator = response.NextShardIterator;
        }

        throw new InvalidOperationException("the shard did not drain in 50 calls");
    }

    private static async Task<T> Throws<T>(Func<Task> call)
        where T : Exception => await Assert.ThrowsAsync<T>(call);

    /// <summary>What an implementation without an operation answers: an unknown operation, not a Kinesis exception.</summary>
    private static async Task AssertUnknownOperationAsync(Func<Task> call)
    {
        RemoteKinesisException e = await Assert.ThrowsAsync<RemoteKinesisException>(call);
        Assert.Equal("UnknownOperationException", e.ErrorCode);
    }

    [Fact]
    public async Task A_stream_is_created_described_listed_and_deleted()
    {
        string name = await CreateActiveAsync(2);

        StreamDescription d = (await Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name })).StreamDescription!;
        Assert.Equal(name, d.StreamName);
        Assert.Equal($"arn:aws:kinesis:{Region}:{AccountId}:stream/{name}", d.StreamARN);
        Assert.Equal(StreamStatus.ACTIVE, d.StreamStatus);
        Assert.Equal(24, d.RetentionPeriodHours);
        Assert.False(d.HasMoreShards);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], d.Shards.Select(s => s.ShardId));
        Assert.Equal("0", d.Shards[0].HashKeyRange!.StartingHashKey);
        Assert.Equal("170141183460469231731687303715884105727", d.Shards[0].HashKeyRange!.EndingHashKey);
        Assert.Equal("170141183460469231731687303715884105728", d.Shards[1].HashKeyRange!.StartingHashKey);
        Assert.Equal("340282366920938463463374607431768211455", d.Shards[1].HashKeyRange!.EndingHashKey);
        Assert.NotNull(d.Shards[0].SequenceNumberRange!.StartingSequenceNumber);
        Assert.Null(d.Shards[0].SequenceNumberRange!.EndingSequenceNumber);
        Assert.NotNull(d.StreamCreationTimestamp);

        StreamDescriptionSummary summary = (await Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary!;
        Assert.Equal(2, summary.OpenShardCount);

        ListStreamsResponse list = await Client.ListStreamsAsync(new ListStreamsRequest { Limit = 100 });
        Assert.Contains(name, list.StreamNames);

        await Client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = name });
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                await Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name }, deadline.Token);
                await Task.Delay(10, deadline.Token);
            }
            catch (ResourceNotFoundException e)
            {
                Assert.Contains(name, e.Message, StringComparison.Ordinal);
                break;
            }
        }
    }

    [Fact]
    public async Task Records_round_trip_in_write_order_with_their_bytes_keys_and_sequence_numbers()
    {
        string name = await CreateActiveAsync(1);
        byte[] binary = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];
        var written = new List<(string Key, byte[] Data, string SequenceNumber)>();
        for (int i = 0; i < 5; i++)
        {
            byte[] data = [.. binary, (byte)i];
            PutRecordResponse put = await Client.PutRecordAsync(new PutRecordRequest { StreamName = name, PartitionKey = "key-" + i, Data = Bytes(data) });
            Assert.Equal("shardId-000000000000", put.ShardId);
            written.Add(("key-" + i, data, put.SequenceNumber!));
        }

        var batch = new PutRecordsRequest { StreamName = name };
        for (int i = 0; i < 20; i++)
        {
            batch.Records.Add(new PutRecordsRequestEntry { PartitionKey = "batch-" + i, Data = Bytes([(byte)i, 0, 255]) });
        }

        PutRecordsResponse puts = await Client.PutRecordsAsync(batch);
        Assert.Equal(0, puts.FailedRecordCount);
        Assert.Equal(20, puts.Records.Count);
        for (int i = 0; i < 20; i++)
        {
            Assert.Null(puts.Records[i].ErrorCode);
            written.Add(("batch-" + i, [(byte)i, 0, 255], puts.Records[i].SequenceNumber!));
        }

        (List<Record> read, GetRecordsResponse last) = await DrainAsync(await IteratorAsync(name, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON));
        Assert.Equal(written.Select(w => w.Key), read.Select(r => r.PartitionKey));
        Assert.Equal(written.Select(w => w.SequenceNumber), read.Select(r => r.SequenceNumber));
        for (int i = 0; i < read.Count; i++)
        {
            Assert.Equal(written[i].Data, read[i].Data!.ToArray());
            Assert.NotNull(read[i].ApproximateArrivalTimestamp);
        }

        List<BigInteger> numbers = [.. read.Select(r => BigInteger.Parse(r.SequenceNumber!, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Distinct().Count(), numbers.Count);
        Assert.NotNull(last.NextShardIterator);
        Assert.True(last.MillisBehindLatest >= 0);
    }

    [Fact]
    public async Task Iterators_start_at_after_and_latest()
    {
        string name = await CreateActiveAsync(1);
        var sequenceNumbers = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            sequenceNumbers.Add((await Client.PutRecordAsync(new PutRecordRequest { StreamName = name, PartitionKey = "k", Data = Bytes([(byte)i]) })).SequenceNumber!);
        }

        const string shard = "shardId-000000000000";
        Assert.Equal([2, 3, 4, 5], (await DrainAsync(await IteratorAsync(name, shard, ShardIteratorType.AT_SEQUENCE_NUMBER, sequenceNumbers[2]))).Records.Select(r => (int)r.Data!.ToArray()[0]));
        Assert.Equal([3, 4, 5], (await DrainAsync(await IteratorAsync(name, shard, ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceNumbers[2]))).Records.Select(r => (int)r.Data!.ToArray()[0]));

        string latest = await IteratorAsync(name, shard, ShardIteratorType.LATEST);
        Assert.Empty((await Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = latest })).Records);
        await Client.PutRecordAsync(new PutRecordRequest { StreamName = name, PartitionKey = "k", Data = Bytes([42]) });
        Assert.Equal([42], (await DrainAsync(latest)).Records.Select(r => (int)r.Data!.ToArray()[0]));
    }

    [Fact]
    public async Task Errors_come_back_as_the_in_process_exception_types_with_the_service_text()
    {
        string name = await CreateActiveAsync(1);
        string missing = NewName();

        ResourceNotFoundException notFound = await Throws<ResourceNotFoundException>(() => Client.DescribeStreamAsync(new DescribeStreamRequest { StreamName = missing }));
        Assert.Equal($"Stream {missing} under account {AccountId} not found.", notFound.Message);
        Assert.Equal("ResourceNotFoundException", notFound.ErrorCode);

        ResourceInUseException inUse = await Throws<ResourceInUseException>(() => Client.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 1 }));
        Assert.Contains(name, inUse.Message, StringComparison.Ordinal);

        ValidationException invalid = await Throws<ValidationException>(() => Client.PutRecordAsync(new PutRecordRequest { StreamName = name, PartitionKey = "", Data = Bytes([1]) }));
        Assert.StartsWith("1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1", invalid.Message, StringComparison.Ordinal);

        await Throws<InvalidArgumentException>(() => Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = "AAAAAAAAAAGarbageIteratorThatDecodesToNothingUseful==" }));
        await Throws<ResourceNotFoundException>(() => Client.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = name, ShardId = "shardId-000000000007", ShardIteratorType = ShardIteratorType.TRIM_HORIZON }));

        // Nothing was written by the refused put.
        Assert.Empty((await DrainAsync(await IteratorAsync(name, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON))).Records);
    }

    [Fact]
    public async Task Split_and_merge_reshape_the_shards_with_their_lineage()
    {
        string name = await CreateActiveAsync(1);
        await Client.SplitShardAsync(new SplitShardRequest { StreamName = name, ShardToSplit = "shardId-000000000000", NewStartingHashKey = "170141183460469231731687303715884105728" });
        await WaitForStatusAsync(name, StreamStatus.ACTIVE);

        List<Shard> shards = (await Client.ListShardsAsync(new ListShardsRequest { StreamName = name })).Shards;
        Assert.Equal(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"], shards.Select(s => s.ShardId));
        Assert.NotNull(shards[0].SequenceNumberRange!.EndingSequenceNumber);
        Assert.All(shards.Skip(1), s => Assert.Equal("shardId-000000000000", s.ParentShardId));
        Assert.Equal("170141183460469231731687303715884105727", shards[1].HashKeyRange!.EndingHashKey);
        Assert.Equal("170141183460469231731687303715884105728", shards[2].HashKeyRange!.StartingHashKey);

        if (!Lacks(KinesisGaps.SplitClosedShard))
        {
            InvalidArgumentException closed = await Throws<InvalidArgumentException>(() => Client.SplitShardAsync(new SplitShardRequest { StreamName = name, ShardToSplit = "shardId-000000000000", NewStartingHashKey = "100" }));
            Assert.Equal($"Shard shardId-000000000000 in stream {name} under account {AccountId} has already been merged or split, and thus is not eligible for merging or splitting.", closed.Message);
        }

        await Client.MergeShardsAsync(new MergeShardsRequest { StreamName = name, ShardToMerge = "shardId-000000000001", AdjacentShardToMerge = "shardId-000000000002" });
        await WaitForStatusAsync(name, StreamStatus.ACTIVE);
        shards = (await Client.ListShardsAsync(new ListShardsRequest { StreamName = name })).Shards;
        Shard merged = Assert.Single(shards, s => s.ShardId == "shardId-000000000003");
        Assert.Equal("shardId-000000000001", merged.ParentShardId);
        Assert.Equal("shardId-000000000002", merged.AdjacentParentShardId);
        Assert.Equal("0", merged.HashKeyRange!.StartingHashKey);
        Assert.Equal("340282366920938463463374607431768211455", merged.HashKeyRange!.EndingHashKey);
    }

    [Fact]
    public async Task A_closed_shard_ends_with_a_null_iterator_and_its_children()
    {
        string name = await CreateActiveAsync(1);
        await Client.PutRecordAsync(new PutRecordRequest { StreamName = name, PartitionKey = "k", Data = Bytes([1]) });
        await Client.SplitShardAsync(new SplitShardRequest { StreamName = name, ShardToSplit = "shardId-000000000000", NewStartingHashKey = "170141183460469231731687303715884105728" });
        await WaitForStatusAsync(name, StreamStatus.ACTIVE);

        string iterator = await IteratorAsync(name, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
        GetRecordsResponse response;
        int records = 0;
        do
        {
            response = await Client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
            records += response.Records.Count;
            iterator = response.NextShardIterator!;
        }
        while (iterator is not null);

        Assert.Equal(1, records);
        if (Lacks(KinesisGaps.ChildShards))
        {
            Assert.Empty(response.ChildShards); // kinesalite: no ChildShards at shard end (KCL 2.3+ treats that as invalid)
            return;
        }

        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], response.ChildShards.Select(c => c.ShardId));
        Assert.All(response.ChildShards, c => Assert.Equal(["shardId-000000000000"], c.ParentShards));
    }

    [Fact]
    public async Task UpdateShardCount_scales_to_even_open_shards()
    {
        string name = await CreateActiveAsync(2);
        var request = new UpdateShardCountRequest { StreamName = name, TargetShardCount = 4, ScalingType = ScalingType.UNIFORM_SCALING };
        if (Lacks(KinesisGaps.UpdateShardCount))
        {
            await AssertUnknownOperationAsync(() => Client.UpdateShardCountAsync(request));
            return;
        }

        UpdateShardCountResponse response = await Client.UpdateShardCountAsync(request);
        Assert.Equal(2, response.CurrentShardCount);
        Assert.Equal(4, response.TargetShardCount);
        await WaitForStatusAsync(name, StreamStatus.ACTIVE);
        List<Shard> open = [.. (await Client.ListShardsAsync(new ListShardsRequest { StreamName = name, ShardFilter = new ShardFilter { Type = ShardFilterType.AT_LATEST } })).Shards];
        Assert.Equal(4, open.Count);
        Assert.Equal("85070591730234615865843651857942052864", open[1].HashKeyRange!.StartingHashKey);
    }

    [Fact]
    public async Task Tags_are_added_listed_in_key_order_and_removed()
    {
        string name = await CreateActiveAsync(1);
        await Client.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = name, Tags = new() { ["team"] = "data", ["env"] = "test", ["cost"] = "1" } });
        ListTagsForStreamResponse tags = await Client.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = name });
        Assert.Equal(["cost", "env", "team"], tags.Tags.Select(t => t.Key));
        Assert.Equal("data", tags.Tags[2].Value);
        Assert.False(tags.HasMoreTags);

        await Client.RemoveTagsFromStreamAsync(new RemoveTagsFromStreamRequest { StreamName = name, TagKeys = ["env", "unknown"] });
        Assert.Equal(["cost", "team"], (await Client.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = name })).Tags.Select(t => t.Key));
    }

    [Fact]
    public async Task Retention_is_raised_and_lowered_and_checked()
    {
        string name = await CreateActiveAsync(1);
        await Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 48 });
        await WaitForStatusAsync(name, StreamStatus.ACTIVE);
        Assert.Equal(48, (await Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary!.RetentionPeriodHours);

        InvalidArgumentException shorter = await Throws<InvalidArgumentException>(() => Client.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 30 }));
        Assert.Contains("Use DecreaseRetentionPeriod API", shorter.Message, StringComparison.Ordinal);

        await Client.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 24 });
        await WaitForStatusAsync(name, StreamStatus.ACTIVE);
        Assert.Equal(24, (await Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary!.RetentionPeriodHours);
    }

    [Fact]
    public async Task ListShards_pages_with_MaxResults_and_NextToken()
    {
        string name = await CreateActiveAsync(3);
        ListShardsResponse first = await Client.ListShardsAsync(new ListShardsRequest { StreamName = name, MaxResults = 2 });
        if (Lacks(KinesisGaps.ListShardsPaging))
        {
            Assert.Equal(3, first.Shards.Count); // kinesalite ignores MaxResults (issue #99): all shards, no NextToken
            Assert.Null(first.NextToken);
            return;
        }

        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], first.Shards.Select(s => s.ShardId));
        ListShardsResponse second = await Client.ListShardsAsync(new ListShardsRequest { NextToken = first.NextToken });
        Assert.Equal(["shardId-000000000002"], second.Shards.Select(s => s.ShardId));
        Assert.Null(second.NextToken);
    }

    [Fact]
    public async Task A_stream_is_addressed_by_its_ARN_alone()
    {
        string name = await CreateActiveAsync(1);
        string arn = $"arn:aws:kinesis:{Region}:{AccountId}:stream/{name}";
        var request = new DescribeStreamSummaryRequest { StreamARN = arn };
        if (Lacks(KinesisGaps.StreamArn))
        {
            await Throws<ValidationException>(() => Client.DescribeStreamSummaryAsync(request)); // kinesalite requires StreamName
            return;
        }

        Assert.Equal(name, (await Client.DescribeStreamSummaryAsync(request)).StreamDescriptionSummary!.StreamName);
        PutRecordResponse put = await Client.PutRecordAsync(new PutRecordRequest { StreamARN = arn, PartitionKey = "k", Data = Bytes([1]) });
        Assert.Equal("shardId-000000000000", put.ShardId);
    }

    [Fact]
    public async Task DescribeLimits_reports_the_account_quotas()
    {
        if (Lacks(KinesisGaps.DescribeLimits))
        {
            await AssertUnknownOperationAsync(() => Client.DescribeLimitsAsync(new DescribeLimitsRequest()));
            return;
        }

        string name = await CreateActiveAsync(2);
        DescribeLimitsResponse limits = await Client.DescribeLimitsAsync(new DescribeLimitsRequest());
        Assert.True(limits.ShardLimit > 0);
        Assert.True(limits.OpenShardCount >= 2, name);
    }

    [Fact]
    public async Task Consumers_are_registered_described_listed_subscribed_and_deregistered()
    {
        string name = await CreateActiveAsync(1);
        string arn = $"arn:aws:kinesis:{Region}:{AccountId}:stream/{name}";
        var register = new RegisterStreamConsumerRequest { StreamARN = arn, ConsumerName = "app" };
        if (Lacks(KinesisGaps.Consumers))
        {
            await AssertUnknownOperationAsync(() => Client.RegisterStreamConsumerAsync(register));
            return;
        }

        Consumer consumer = (await Client.RegisterStreamConsumerAsync(register)).Consumer!;
        Assert.Equal("app", consumer.ConsumerName);
        Assert.StartsWith(arn + "/consumer/app:", consumer.ConsumerARN, StringComparison.Ordinal);
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while ((await Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = consumer.ConsumerARN }, deadline.Token)).ConsumerDescription!.ConsumerStatus != ConsumerStatus.ACTIVE)
            {
                await Task.Delay(10, deadline.Token);
            }
        }

        Assert.Equal(["app"], (await Client.ListStreamConsumersAsync(new ListStreamConsumersRequest { StreamARN = arn })).Consumers.Select(c => c.ConsumerName));

        await Client.PutRecordAsync(new PutRecordRequest { StreamName = name, PartitionKey = "k", Data = Bytes([7, 8]) });
        using (var reading = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            SubscribeToShardResponse subscription = await Client.SubscribeToShardAsync(new SubscribeToShardRequest
            {
                ConsumerARN = consumer.ConsumerARN,
                ShardId = "shardId-000000000000",
                StartingPosition = new StartingPosition { Type = ShardIteratorType.TRIM_HORIZON },
            }, reading.Token);
            await foreach (SubscribeToShardEvent e in subscription.EventStream!.WithCancellation(reading.Token))
            {
                if (e.Records.Count > 0)
                {
                    Assert.Equal([7, 8], Assert.Single(e.Records).Data!.ToArray());
                    Assert.Equal(e.Records[0].SequenceNumber, e.ContinuationSequenceNumber);
                    break;
                }
            }
        }

        await Client.DeregisterStreamConsumerAsync(new DeregisterStreamConsumerRequest { ConsumerARN = consumer.ConsumerARN });
        using var gone = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                await Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = consumer.ConsumerARN }, gone.Token);
                await Task.Delay(10, gone.Token);
            }
            catch (ResourceNotFoundException)
            {
                break;
            }
        }
    }
}
