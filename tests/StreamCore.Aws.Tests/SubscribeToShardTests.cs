using StreamCore.Aws.Kinesis;
using StreamCore.Aws.Tests.Support;
using StreamCore.Kinesis;
using Record = StreamCore.Kinesis.Record;

namespace StreamCore.Aws.Tests;

/// <summary>
/// SubscribeToShard through the remote client against the StreamCore server, whose engine runs on a fake clock: the
/// server's heartbeats and 5-minute lifetime happen when the test moves that clock, never by waiting.
/// </summary>
public sealed class SubscribeToShardTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private ServerFixture _server = null!;
    private RemoteKinesisClient _client = null!;
    private string _streamArn = null!;
    private string _consumerArn = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await ServerFixture.StartAsync(fakeClock: true);
        _client = _server.CreateClient();
        await _client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 });
        _streamArn = _server.Engine.GetStream("s").Arn;
        _consumerArn = (await _client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = _streamArn, ConsumerName = "app" })).Consumer!.ConsumerARN!;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private FakeClock Clock => new(_server.Clock!);

    private Task<PutRecordResponse> PutAsync(string text) =>
        _client.PutRecordAsync(new PutRecordRequest { StreamARN = _streamArn, PartitionKey = "k", Data = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });

    private async Task<IAsyncEnumerator<SubscribeToShardEvent>> SubscribeAsync(string type, string? sequenceNumber = null)
    {
        SubscribeToShardResponse response = await _client.SubscribeToShardAsync(new SubscribeToShardRequest
        {
            ConsumerARN = _consumerArn,
            ShardId = "shardId-000000000000",
            StartingPosition = new StartingPosition { Type = type, SequenceNumber = sequenceNumber },
        }, TestContext.Current.CancellationToken);
        return response.EventStream!.GetAsyncEnumerator(TestContext.Current.CancellationToken);
    }

    private static string Text(Record r) => System.Text.Encoding.UTF8.GetString(r.Data!.ToArray());

    [Fact]
    public async Task Records_are_pushed_as_they_are_appended()
    {
        await PutAsync("before");
        await using IAsyncEnumerator<SubscribeToShardEvent> events = await SubscribeAsync("TRIM_HORIZON");
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout));
        Assert.Equal(["before"], events.Current.Records.Select(Text));
        Assert.Equal(events.Current.Records[0].SequenceNumber, events.Current.ContinuationSequenceNumber);

        ValueTask<bool> next = events.MoveNextAsync();
        PutRecordResponse put = await PutAsync("pushed");
        Assert.True(await next.AsTask().WaitAsync(Timeout));
        Assert.Equal(["pushed"], events.Current.Records.Select(Text));
        Assert.Equal(put.SequenceNumber, events.Current.ContinuationSequenceNumber);
        Assert.Equal(0, events.Current.MillisBehindLatest);
    }

    [Fact]
    public async Task An_idle_subscription_sends_heartbeats_on_the_servers_clock()
    {
        PutRecordResponse put = await PutAsync("only");
        await using IAsyncEnumerator<SubscribeToShardEvent> events = await SubscribeAsync("TRIM_HORIZON");
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout));

        for (int heartbeats = 0; heartbeats < 3; heartbeats++)
        {
            Assert.True(await Clock.MoveUntilAsync(events.MoveNextAsync(), TimeSpan.FromSeconds(5)));
            Assert.Empty(events.Current.Records); // a heartbeat: no records, the same resume point
            Assert.Equal(put.SequenceNumber, events.Current.ContinuationSequenceNumber);
        }
    }

    [Fact]
    public async Task A_subscription_completes_after_five_minutes_on_the_servers_clock()
    {
        await using IAsyncEnumerator<SubscribeToShardEvent> events = await SubscribeAsync("LATEST");
        Task<bool> next = events.MoveNextAsync().AsTask();
        _server.Clock!.Advance(TimeSpan.FromSeconds(299));

        // Before 300 s the server may send heartbeats but never ends the stream.
        while (await Task.WhenAny(next, Task.Delay(200, TestContext.Current.CancellationToken)) == next)
        {
            Assert.True(await next);
            Assert.Empty(events.Current.Records);
            next = events.MoveNextAsync().AsTask();
        }

        _server.Clock.Advance(TimeSpan.FromSeconds(1));
        while (await next.WaitAsync(Timeout))
        {
            Assert.Empty(events.Current.Records); // a last heartbeat may still be in flight
            next = events.MoveNextAsync().AsTask();
        }
    }

    [Fact]
    public async Task Resubscribing_from_the_continuation_sequence_number_loses_nothing_and_repeats_nothing()
    {
        var written = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            await PutAsync("r" + i);
            written.Add("r" + i);
        }

        var received = new List<string>();
        string? continuation = null;
        await using (IAsyncEnumerator<SubscribeToShardEvent> events = await SubscribeAsync("TRIM_HORIZON"))
        {
            while (received.Count < 5)
            {
                Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout));
                received.AddRange(events.Current.Records.Select(Text));
                continuation = events.Current.ContinuationSequenceNumber;
            }

            for (int i = 5; i < 8; i++)
            {
                await PutAsync("r" + i); // while subscribed: pushed, or left for the next subscription
                written.Add("r" + i);
            }

            ValueTask<bool> next = events.MoveNextAsync();
            _server.Clock!.Advance(TimeSpan.FromMinutes(5));
            while (await next.AsTask().WaitAsync(Timeout))
            {
                received.AddRange(events.Current.Records.Select(Text));
                continuation = events.Current.ContinuationSequenceNumber;
                next = events.MoveNextAsync();
            }
        }

        for (int i = 8; i < 10; i++)
        {
            await PutAsync("r" + i); // between subscriptions
            written.Add("r" + i);
        }

        await using (IAsyncEnumerator<SubscribeToShardEvent> events = await SubscribeAsync("AFTER_SEQUENCE_NUMBER", continuation))
        {
            while (received.Count < written.Count)
            {
                Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Timeout));
                received.AddRange(events.Current.Records.Select(Text));
            }
        }

        Assert.Equal(written, received);
    }

    [Fact]
    public async Task A_refused_subscription_throws_the_in_process_exception_at_the_call()
    {
        await using IAsyncEnumerator<SubscribeToShardEvent> events = await SubscribeAsync("LATEST");
        var refused = await Assert.ThrowsAsync<StreamCore.Errors.ResourceInUseException>(() => SubscribeAsync("LATEST"));
        Assert.Contains("less than 5 seconds ago", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Moves the server's clock a step at a time until a pending call completes.</summary>
    private readonly struct FakeClock(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock)
    {
        public async Task<bool> MoveUntilAsync(ValueTask<bool> pending, TimeSpan step)
        {
            Task<bool> task = pending.AsTask();
            for (int i = 0; i < 50; i++)
            {
                // The server arms its heartbeat timer after it sends an event; a step taken before that is simply
                // not the one that fires it, so steps repeat until it does.
                clock.Advance(step);
                if (await Task.WhenAny(task, Task.Delay(100, TestContext.Current.CancellationToken)) == task)
                {
                    return await task;
                }
            }

            throw new TimeoutException("no event after 50 steps of the server's clock");
        }
    }
}
