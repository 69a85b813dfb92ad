using StreamCore.Aws.Kinesis;
using StreamCore.Aws.Tests.Support;
using StreamCore.Errors;
using StreamCore.Kinesis;

namespace StreamCore.Aws.Tests;

/// <summary>
/// The remote client's exceptions are the in-process client's: same type, code and message, whatever the text is
/// (it is carried through, never rebuilt), for both protocols.
/// </summary>
public sealed class ErrorMappingTests
{
    public static TheoryData<KinesisWireProtocol> Protocols => [KinesisWireProtocol.Json, KinesisWireProtocol.Cbor];

    private static async Task<KinesisException> CaptureAsync(Func<Task> call) => await Assert.ThrowsAnyAsync<KinesisException>(call);

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Every_error_matches_the_in_process_clients_type_code_and_text(KinesisWireProtocol protocol)
    {
        await using ServerFixture server = await ServerFixture.StartAsync();
        IKinesisClient local = server.Engine.CreateKinesisClient();
        using RemoteKinesisClient remote = server.CreateClient(o => { o.Protocol = protocol; o.MaxAttempts = 1; });
        await local.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 });
        server.Engine.Faults.Add(new FaultRule { Operation = "ListStreamConsumers", Error = () => new KMSThrottlingException("A text the fidelity work may change; carried as is.") });

        Func<IKinesisClient, Task>[] calls =
        [
            c => c.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "missing" }),
            c => c.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 }),
            c => c.CreateStreamAsync(new CreateStreamRequest { StreamName = "bad name!", ShardCount = 0 }),
            c => c.PutRecordsAsync(new PutRecordsRequest { StreamName = "s" }),
            c => c.GetRecordsAsync(new GetRecordsRequest { ShardIterator = "AAAAAAAAAAF1bm9wZQ==" }),
            c => c.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "1" }),
            c => c.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 9000 }),
            c => c.ListShardsAsync(new ListShardsRequest { StreamName = "s", NextToken = "x" }),
            c => c.ListStreamConsumersAsync(new ListStreamConsumersRequest { StreamARN = server.Engine.GetStream("s").Arn }),
            c => c.SubscribeToShardAsync(new SubscribeToShardRequest { ConsumerARN = server.Engine.GetStream("s").Arn + "/consumer/none:1", ShardId = "0", StartingPosition = new StartingPosition { Type = ShardIteratorType.LATEST } }),
        ];

        foreach (Func<IKinesisClient, Task> call in calls)
        {
            KinesisException expected = await CaptureAsync(() => call(local));
            KinesisException actual = await CaptureAsync(() => call(remote));
            Assert.Equal(expected.GetType(), actual.GetType());
            Assert.Equal(expected.ErrorCode, actual.ErrorCode);
            Assert.Equal(expected.Message, actual.Message);
        }
    }

    [Fact]
    public async Task An_in_stream_exception_is_the_in_process_type()
    {
        await using ServerFixture server = await ServerFixture.StartAsync(fakeClock: true);
        using RemoteKinesisClient client = server.CreateClient();
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 });
        string arn = server.Engine.GetStream("s").Arn;
        string consumer = (await client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = arn, ConsumerName = "c" })).Consumer!.ConsumerARN!;
        var request = new SubscribeToShardRequest { ConsumerARN = consumer, ShardId = "shardId-000000000000", StartingPosition = new StartingPosition { Type = ShardIteratorType.LATEST } };
        SubscribeToShardResponse old = await client.SubscribeToShardAsync(request, TestContext.Current.CancellationToken);
        await using IAsyncEnumerator<SubscribeToShardEvent> events = old.EventStream!.GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Task<bool> pending = events.MoveNextAsync().AsTask();
        server.Clock!.Advance(TimeSpan.FromSeconds(6));
        SubscribeToShardResponse takeover = await client.SubscribeToShardAsync(request, TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<ResourceInUseException>(async () =>
        {
            while (await pending.WaitAsync(TimeSpan.FromSeconds(30)))
            {
                pending = events.MoveNextAsync().AsTask();
            }
        });
        Assert.NotNull(takeover.EventStream);
    }
}
