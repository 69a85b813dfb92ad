using Amazon.Runtime;
using StreamCore.Aws.Kinesis;
using StreamCore.Kinesis;
using StreamCore.Server.Testing;

namespace StreamCore.Server.Tests.Samples;

/// <summary>
/// The sample for xunit users: one line (<c>IClassFixture&lt;StreamCoreFixture&gt;</c>) gives the class a running
/// endpoint; the code under test uses a Kinesis client pointed at <c>fixture.ServiceUrl</c> (here StreamCore.Aws's
/// remote client; the AWS SDK for .NET's <c>AmazonKinesisClient</c> takes the same URL as <c>ServiceURL</c>).
/// </summary>
public sealed class FixtureSampleTests(StreamCoreFixture streamCore) : IClassFixture<StreamCoreFixture>
{
    [Fact]
    public async Task Code_using_a_Kinesis_client_runs_against_the_fixture()
    {
        using var kinesis = new RemoteKinesisClient(new RemoteKinesisClientOptions
        {
            ServiceUrl = new Uri(streamCore.ServiceUrl),
            Region = "us-east-1",
            Credentials = new BasicAWSCredentials("test", "test"),
        });

        await kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "orders", ShardCount = 1 });
        await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = "orders", PartitionKey = "k", Data = new MemoryStream("{\"total\":12}"u8.ToArray()) });

        Assert.Contains("orders", (await kinesis.ListStreamsAsync(new ListStreamsRequest())).StreamNames);
        Assert.Equal(["orders"], streamCore.Engine.ListStreamNames()); // the same engine, in process
    }
}
