using Amazon.Runtime;
using StreamCore.Aws.Kinesis;
using StreamCore.Aws.Tests.Support;
using StreamCore.Kinesis;
using StreamCore.Server;

namespace StreamCore.Aws.Tests;

/// <summary>SigV4 from AWSSDK.Core against the StreamCore server with signature verification on.</summary>
public sealed class SigningTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async ValueTask InitializeAsync() =>
        _server = await ServerFixture.StartAsync(endpointOptions: new KinesisEndpointOptions
        {
            Credentials = new Dictionary<string, string> { [ServerFixture.TestCredentials.GetCredentials().AccessKey] = ServerFixture.TestCredentials.GetCredentials().SecretKey },
        });

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(KinesisWireProtocol.Json)]
    [InlineData(KinesisWireProtocol.Cbor)]
    public async Task A_correct_signature_passes(KinesisWireProtocol protocol)
    {
        using RemoteKinesisClient client = _server.CreateClient(o => o.Protocol = protocol);
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "signed-" + protocol, ShardCount = 1 });
        PutRecordResponse put = await client.PutRecordAsync(new PutRecordRequest { StreamName = "signed-" + protocol, PartitionKey = "k", Data = new MemoryStream([1, 2, 3]) });
        Assert.Equal("shardId-000000000000", put.ShardId);
    }

    [Fact]
    public async Task A_wrong_secret_gives_AWSs_signature_error_and_is_not_retried()
    {
        CountingHandler? counter = null;
        using RemoteKinesisClient client = _server.CreateClient(
            o => o.Credentials = new BasicAWSCredentials(ServerFixture.TestCredentials.GetCredentials().AccessKey, "not-the-secret"),
            inner => counter = new CountingHandler(inner));
        RemoteKinesisException e = await Assert.ThrowsAsync<RemoteKinesisException>(() => client.ListStreamsAsync(new ListStreamsRequest()));
        Assert.Equal("InvalidSignatureException", e.ErrorCode);
        Assert.Equal("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", e.Message);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Equal(1, counter!.Attempts);
    }

    [Fact]
    public async Task An_unknown_access_key_and_an_unsigned_request_are_refused()
    {
        using RemoteKinesisClient stranger = _server.CreateClient(o => o.Credentials = new BasicAWSCredentials("AKIDNOBODY", "x"));
        Assert.Equal("UnrecognizedClientException", (await Assert.ThrowsAsync<RemoteKinesisException>(() => stranger.ListStreamsAsync(new ListStreamsRequest()))).ErrorCode);

        using RemoteKinesisClient anonymous = _server.CreateClient(o => o.Credentials = new AnonymousAWSCredentials());
        Assert.Equal("MissingAuthenticationTokenException", (await Assert.ThrowsAsync<RemoteKinesisException>(() => anonymous.ListStreamsAsync(new ListStreamsRequest()))).ErrorCode);
    }

    [Fact]
    public async Task Without_credentials_the_default_chain_finds_them_in_the_environment()
    {
        ImmutableCredentials expected = ServerFixture.TestCredentials.GetCredentials();
        string? savedKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        string? savedSecret = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", expected.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", expected.SecretKey);
        try
        {
            using RemoteKinesisClient client = _server.CreateClient(o => o.Credentials = null);
            Assert.NotNull((await client.ListStreamsAsync(new ListStreamsRequest())).StreamNames);
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", savedKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", savedSecret);
        }
    }
}
