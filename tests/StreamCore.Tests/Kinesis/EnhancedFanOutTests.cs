using System.Text;
using StreamCore.Kinesis;
using StreamCore.Tests.Support;
using StreamCore.Errors;

namespace StreamCore.Tests.Kinesis;

public class EnhancedFanOutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static async Task<(TestEngine T, string StreamArn)> NewAsync(int shards = 1, Action<StreamEngineOptions>? configure = null)
    {
        var t = new TestEngine(configure);
        await t.CreateAsync("s", shards);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        return (t, t.Engine.GetStream("s").Arn);
    }

    private static async Task<string> RegisterAsync(TestEngine t, string streamArn, string name) =>
        (await t.Client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = streamArn, ConsumerName = name })).Consumer!.ConsumerARN!;

    private static Task<SubscribeToShardResponse> SubscribeAsync(TestEngine t, string consumerArn, string type = "TRIM_HORIZON", string? sequenceNumber = null, CancellationToken token = default) =>
        t.Client.SubscribeToShardAsync(new SubscribeToShardRequest
        {
            ConsumerARN = consumerArn,
            ShardId = "shardId-000000000000",
            StartingPosition = new StreamCore.Kinesis.StartingPosition { Type = type, SequenceNumber = sequenceNumber },
        }, token);

    private static async Task<SubscribeToShardEvent?> NextAsync(IAsyncEnumerator<SubscribeToShardEvent> events) =>
        await events.MoveNextAsync().AsTask().WaitAsync(Timeout) ? events.Current : null;

    [Fact]
    public async Task Consumers_are_registered_described_listed_and_deregistered()
    {
        (TestEngine t, string streamArn) = await NewAsync(configure: o => o.StatusTransitionDelay = TimeSpan.FromSeconds(1));
        using TestEngine _ = t;
        RegisterStreamConsumerResponse registered = await t.Client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = streamArn, ConsumerName = "app" });
        Consumer consumer = registered.Consumer!;
        Assert.Equal($"{streamArn}/consumer/app:{t.Clock.GetUtcNow().ToUnixTimeSeconds()}", consumer.ConsumerARN);
        Assert.Equal(ConsumerStatus.CREATING, consumer.ConsumerStatus);
        var early = await Assert.ThrowsAsync<ResourceInUseException>(() => SubscribeAsync(t, consumer.ConsumerARN!));
        Assert.Contains("is not ACTIVE", early.Message);
        t.Clock.Advance(TimeSpan.FromSeconds(1));

        ConsumerDescription byArn = (await t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = consumer.ConsumerARN })).ConsumerDescription!;
        ConsumerDescription byName = (await t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { StreamARN = streamArn, ConsumerName = "app" })).ConsumerDescription!;
        Assert.Equal(ConsumerStatus.ACTIVE, byArn.ConsumerStatus);
        Assert.Equal((byArn.ConsumerARN, streamArn), (byName.ConsumerARN, byName.StreamARN));
        Assert.Equal(1, (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = streamArn })).StreamDescriptionSummary!.ConsumerCount);

        await Assert.ThrowsAsync<ResourceInUseException>(() => RegisterAsync(t, streamArn, "app"));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { StreamARN = streamArn }));
        await Assert.ThrowsAsync<InvalidArgumentException>(() => t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = consumer.ConsumerARN, ConsumerName = "other" }));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { StreamARN = streamArn, ConsumerName = "nobody" }));
        await Assert.ThrowsAsync<ValidationException>(() => t.Client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = streamArn, ConsumerName = "bad name" }));

        await t.Client.DeregisterStreamConsumerAsync(new DeregisterStreamConsumerRequest { StreamARN = streamArn, ConsumerName = "app" });
        Assert.Equal(ConsumerStatus.DELETING, (await t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = consumer.ConsumerARN })).ConsumerDescription!.ConsumerStatus);
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = consumer.ConsumerARN }));

        t.Clock.Advance(TimeSpan.FromSeconds(1));
        string again = await RegisterAsync(t, streamArn, "app");
        Assert.NotEqual(consumer.ConsumerARN, again); // a re-registration gets a new ARN
    }

    [Fact]
    public async Task Consumer_limits_and_paging()
    {
        (TestEngine t, string streamArn) = await NewAsync(configure: o => o.StatusTransitionDelay = TimeSpan.FromSeconds(1));
        using TestEngine _ = t;
        for (int i = 0; i < 5; i++)
        {
            await RegisterAsync(t, streamArn, "c" + i);
        }

        await Assert.ThrowsAsync<LimitExceededException>(() => RegisterAsync(t, streamArn, "sixth-while-five-are-creating"));
        t.Clock.Advance(TimeSpan.FromSeconds(1));
        for (int i = 5; i < 20; i++)
        {
            await RegisterAsync(t, streamArn, "c" + i);
            t.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await Assert.ThrowsAsync<LimitExceededException>(() => RegisterAsync(t, streamArn, "c20"));
        ListStreamConsumersResponse page1 = await t.Client.ListStreamConsumersAsync(new ListStreamConsumersRequest { StreamARN = streamArn, MaxResults = 8 });
        ListStreamConsumersResponse page2 = await t.Client.ListStreamConsumersAsync(new ListStreamConsumersRequest { StreamARN = streamArn, MaxResults = 8, NextToken = page1.NextToken });
        ListStreamConsumersResponse page3 = await t.Client.ListStreamConsumersAsync(new ListStreamConsumersRequest { StreamARN = streamArn, MaxResults = 8, NextToken = page2.NextToken });
        Assert.Equal(20, page1.Consumers.Concat(page2.Consumers).Concat(page3.Consumers).Select(c => c.ConsumerName).Distinct().Count());
        Assert.Null(page3.NextToken);
        t.Clock.Advance(TimeSpan.FromSeconds(301));
        await Assert.ThrowsAsync<ExpiredNextTokenException>(() => t.Client.ListStreamConsumersAsync(new ListStreamConsumersRequest { StreamARN = streamArn, NextToken = page1.NextToken }));
    }

    [Fact]
    public async Task DeleteStream_needs_EnforceConsumerDeletion_when_consumers_are_registered()
    {
        (TestEngine t, string streamArn) = await NewAsync();
        using TestEngine _ = t;
        string consumerArn = await RegisterAsync(t, streamArn, "app");
        var refused = await Assert.ThrowsAsync<ResourceInUseException>(() => t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamARN = streamArn }));
        Assert.Contains("registered consumers", refused.Message);
        Assert.Equal(StreamStatus.ACTIVE, (await t.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = streamArn })).StreamDescriptionSummary!.StreamStatus);
        await t.Client.DeleteStreamAsync(new DeleteStreamRequest { StreamARN = streamArn, EnforceConsumerDeletion = true });
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => t.Client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerARN = consumerArn }));
    }

    [Fact]
    public async Task A_subscription_pushes_records_as_they_are_appended_and_sends_heartbeats_when_idle()
    {
        (TestEngine t, string streamArn) = await NewAsync();
        using TestEngine _ = t;
        string consumerArn = await RegisterAsync(t, streamArn, "app");
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamARN = streamArn, PartitionKey = "k", Data = TestEngine.Bytes("first") });
        SubscribeToShardResponse response = await SubscribeAsync(t, consumerArn);
        await using IAsyncEnumerator<SubscribeToShardEvent> events = response.EventStream!.GetAsyncEnumerator(TestContext.Current.CancellationToken);

        SubscribeToShardEvent first = (await NextAsync(events))!;
        Assert.Equal(["first"], first.Records.Select(r => TestEngine.Text(r.Data)));
        Assert.Equal(first.Records[0].SequenceNumber, first.ContinuationSequenceNumber);
        Assert.Equal(0, first.MillisBehindLatest);

        ValueTask<bool> pending = events.MoveNextAsync(); // waits: nothing to send
        Assert.False(pending.IsCompleted);
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamARN = streamArn, PartitionKey = "k", Data = TestEngine.Bytes("second") });
        Assert.True(await pending.AsTask().WaitAsync(Timeout));
        Assert.Equal(["second"], events.Current.Records.Select(r => TestEngine.Text(r.Data)));
        string continuation = events.Current.ContinuationSequenceNumber!;

        ValueTask<bool> idle = events.MoveNextAsync();
        t.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await idle.AsTask().WaitAsync(Timeout));
        Assert.Empty(events.Current.Records); // a heartbeat
        Assert.Equal(continuation, events.Current.ContinuationSequenceNumber);
    }

    [Fact]
    public async Task A_subscription_completes_after_its_lifetime()
    {
        (TestEngine t, string streamArn) = await NewAsync();
        using TestEngine _ = t;
        string consumerArn = await RegisterAsync(t, streamArn, "app");
        SubscribeToShardResponse response = await SubscribeAsync(t, consumerArn, "LATEST");
        await using IAsyncEnumerator<SubscribeToShardEvent> events = response.EventStream!.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        DateTimeOffset started = t.Clock.GetUtcNow();
        var heartbeatsAt = new List<TimeSpan>();
        TimeSpan completedAt;
        while (true)
        {
            ValueTask<bool> next = events.MoveNextAsync();
            Assert.False(next.IsCompleted); // nothing is due before the clock moves
            t.Clock.Advance(TimeSpan.FromSeconds(5));
            if (!await next.AsTask().WaitAsync(Timeout))
            {
                completedAt = t.Clock.GetUtcNow() - started;
                break;
            }

            Assert.Empty(events.Current.Records);
            heartbeatsAt.Add(t.Clock.GetUtcNow() - started);
        }

        // The clock only moves in the test: one heartbeat at each 5 s up to 295 s, and completion at exactly 300 s
        // (the 5-minute lifetime), with no heartbeat at the end itself.
        Assert.Equal(Enumerable.Range(1, 59).Select(i => TimeSpan.FromSeconds(5 * i)), heartbeatsAt);
        Assert.Equal(TimeSpan.FromMinutes(5), completedAt);
    }

    [Fact]
    public async Task A_second_subscription_within_five_seconds_is_refused_and_a_later_one_takes_over()
    {
        (TestEngine t, string streamArn) = await NewAsync();
        using TestEngine _ = t;
        string consumerArn = await RegisterAsync(t, streamArn, "app");
        SubscribeToShardResponse old = await SubscribeAsync(t, consumerArn, "LATEST");
        await using IAsyncEnumerator<SubscribeToShardEvent> oldEvents = old.EventStream!.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        ValueTask<bool> oldNext = oldEvents.MoveNextAsync();

        t.Clock.Advance(TimeSpan.FromSeconds(4));
        await Assert.ThrowsAsync<ResourceInUseException>(() => SubscribeAsync(t, consumerArn, "LATEST"));
        Assert.False(oldNext.IsCompleted); // the refused call did not disturb the live subscription

        t.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await oldNext.AsTask().WaitAsync(Timeout)); // its heartbeat at 5 s
        SubscribeToShardResponse fresh = await SubscribeAsync(t, consumerArn, "LATEST");
        await Assert.ThrowsAsync<ResourceInUseException>(async () =>
        {
            while (await oldEvents.MoveNextAsync().AsTask().WaitAsync(Timeout))
            {
            }
        });
        await using IAsyncEnumerator<SubscribeToShardEvent> freshEvents = fresh.EventStream!.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        ValueTask<bool> freshNext = freshEvents.MoveNextAsync();
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamARN = streamArn, PartitionKey = "k", Data = TestEngine.Bytes("to the new one") });
        Assert.True(await freshNext.AsTask().WaitAsync(Timeout));
        Assert.Equal(["to the new one"], freshEvents.Current.Records.Select(r => TestEngine.Text(r.Data)));
    }

    [Fact]
    public async Task The_five_second_rule_counts_from_the_previous_successful_call_even_after_it_ended()
    {
        (TestEngine t, string streamArn) = await NewAsync();
        using TestEngine _ = t;
        string consumerArn = await RegisterAsync(t, streamArn, "app");
        using (var client = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken))
        {
            SubscribeToShardResponse first = await SubscribeAsync(t, consumerArn, "LATEST", token: client.Token);
            await using IAsyncEnumerator<SubscribeToShardEvent> events = first.EventStream!.GetAsyncEnumerator(client.Token);
            ValueTask<bool> pending = events.MoveNextAsync(); // started, then ended by the client right away
            Assert.False(pending.IsCompleted);
            await client.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(Timeout));
        }

        // AWS: "within 5 seconds of a successful call, you'll get a ResourceInUseException" - ended or not.
        var refused = await Assert.ThrowsAsync<ResourceInUseException>(() => SubscribeAsync(t, consumerArn, "LATEST"));
        Assert.Contains("less than 5 seconds ago", refused.Message);
        t.Clock.Advance(TimeSpan.FromMilliseconds(4_999));
        await Assert.ThrowsAsync<ResourceInUseException>(() => SubscribeAsync(t, consumerArn, "LATEST"));

        // A refused call is not a successful one: the five seconds still count from the first call.
        t.Clock.Advance(TimeSpan.FromMilliseconds(1));
        SubscribeToShardResponse second = await SubscribeAsync(t, consumerArn, "LATEST");
        Assert.NotNull(second.EventStream);

        // Other shards and other consumers have their own five seconds.
        string otherConsumer = await RegisterAsync(t, streamArn, "other");
        Assert.NotNull((await SubscribeAsync(t, otherConsumer, "LATEST")).EventStream);
    }

    [Fact]
    public async Task At_the_end_of_a_closed_shard_the_last_event_carries_the_children()
    {
        (TestEngine t, string streamArn) = await NewAsync();
        using TestEngine _ = t;
        string consumerArn = await RegisterAsync(t, streamArn, "app");
        await t.Client.PutRecordAsync(new PutRecordRequest { StreamARN = streamArn, PartitionKey = "k", Data = TestEngine.Bytes("only") });
        await t.Client.SplitShardAsync(new SplitShardRequest { StreamARN = streamArn, ShardToSplit = "0", NewStartingHashKey = "1000" });
        SubscribeToShardResponse response = await SubscribeAsync(t, consumerArn);
        var received = new List<SubscribeToShardEvent>();
        await foreach (SubscribeToShardEvent e in response.EventStream!.WithCancellation(TestContext.Current.CancellationToken))
        {
            received.Add(e);
        }

        Assert.Equal(["only"], received.SelectMany(e => e.Records).Select(r => TestEngine.Text(r.Data)));
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], received[^1].ChildShards.Select(c => c.ShardId));
    }

    [Fact]
    public async Task Many_consumers_at_different_speeds_each_receive_every_record()
    {
        (TestEngine t, string streamArn) = await NewAsync();
        using TestEngine _ = t;
        const int consumers = 6, total = 3_000;
        string[] arns = [.. await Task.WhenAll(Enumerable.Range(0, consumers).Select(i => RegisterAsync(t, streamArn, "c" + i)))];
        CancellationToken token = TestContext.Current.CancellationToken;
        Task<List<string>>[] readers = [.. arns.Select((arn, i) => Task.Run(
            async () =>
            {
                var seen = new List<string>();
                SubscribeToShardResponse response = await SubscribeAsync(t, arn, token: token);
                await foreach (SubscribeToShardEvent e in response.EventStream!.WithCancellation(token))
                {
                    seen.AddRange(e.Records.Select(r => Encoding.UTF8.GetString(r.Data!.ToArray())));
                    if (i % 2 == 1)
                    {
                        await Task.Yield(); // the slow half do more work per event
                        Thread.SpinWait(20_000);
                    }

                    if (seen.Count >= total)
                    {
                        return seen;
                    }
                }

                return seen;
            },
            token))];
        for (int i = 0; i < total; i++)
        {
            await t.Client.PutRecordAsync(new PutRecordRequest { StreamARN = streamArn, PartitionKey = "k" + (i % 7), Data = TestEngine.Bytes("r" + i) });
        }

        List<string>[] results = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(2), token);
        Assert.All(results, seen => Assert.Equal(Enumerable.Range(0, total).Select(i => "r" + i), seen));
    }
}
