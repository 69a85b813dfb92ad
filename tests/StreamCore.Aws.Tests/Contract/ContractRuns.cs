using Amazon.Runtime;
using StreamCore.Aws.Kinesis;
using StreamCore.Aws.Tests.Support;
using StreamCore.Kinesis;
using StreamCore.Server;

namespace StreamCore.Aws.Tests.Contract;

/// <summary>The contract on the in-process client: the reference the remote runs must match.</summary>
public sealed class InProcessContract : KinesisClientContract
{
    private StreamEngine? _engine;

    protected override ValueTask<IKinesisClient> CreateClientAsync()
    {
        _engine = new StreamEngine(new StreamEngineOptions());
        return ValueTask.FromResult(_engine.CreateKinesisClient());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _engine?.Dispose();
    }
}

/// <summary>The contract on the remote client against the StreamCore server, over JSON 1.1.</summary>
public class StreamCoreServerContract : KinesisClientContract
{
    private ServerFixture? _server;

    protected virtual KinesisWireProtocol Protocol => KinesisWireProtocol.Json;

    protected override async ValueTask<IKinesisClient> CreateClientAsync()
    {
        _server = await ServerFixture.StartAsync();
        return _server.CreateClient(o => o.Protocol = Protocol);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The contract on the remote client against the StreamCore server, over CBOR 1.1.</summary>
public sealed class StreamCoreServerCborContract : StreamCoreServerContract
{
    protected override KinesisWireProtocol Protocol => KinesisWireProtocol.Cbor;
}

/// <summary>
/// The contract on the remote client against kinesalite 3.3.3 (started once for the class on a loopback port), for
/// the operations it has. Its differences, each asserted as kinesalite behaves in the test named:
/// <list type="bullet">
/// <item>UpdateShardCount_scales_to_even_open_shards: no UpdateShardCount (kinesalite #61) - UnknownOperationException.</item>
/// <item>Consumers_...: no consumers or SubscribeToShard (and no HTTP/2, #118) - UnknownOperationException.</item>
/// <item>A_closed_shard_ends_with_...: GetRecords returns no ChildShards at a shard's end.</item>
/// <item>ListShards_pages_...: MaxResults and NextToken are ignored (#99).</item>
/// <item>Split_and_merge_...: a closed shard may be split again (#109); the refusal AWS gives is not asserted there.</item>
/// <item>DescribeLimits_...: not implemented - UnknownOperationException.</item>
/// <item>A_stream_is_addressed_by_its_ARN_alone: no StreamARN parameter - ValidationException for StreamName.</item>
/// </list>
/// Everything else (validation texts, not-found and in-use texts, hash ranges, split/merge lineage, sequence order,
/// iterators, tags, retention) is the same as StreamCore's, which is why kinesalite is the reference for those.
/// </summary>
public sealed class KinesaliteContract(Kinesalite kinesalite) : KinesisClientContract, IClassFixture<Kinesalite>
{
    protected override KinesisGaps Gaps =>
        KinesisGaps.UpdateShardCount | KinesisGaps.Consumers | KinesisGaps.ChildShards | KinesisGaps.ListShardsPaging
        | KinesisGaps.DescribeLimits | KinesisGaps.StreamArn | KinesisGaps.SplitClosedShard;

    public override async ValueTask InitializeAsync()
    {
        kinesalite.Require();
        await base.InitializeAsync();
    }

    protected override ValueTask<IKinesisClient> CreateClientAsync() =>
        ValueTask.FromResult<IKinesisClient>(new RemoteKinesisClient(new RemoteKinesisClientOptions
        {
            ServiceUrl = kinesalite.Url,
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("AKIDKINESALITE", "kinesalite-secret"),
        }));
}
