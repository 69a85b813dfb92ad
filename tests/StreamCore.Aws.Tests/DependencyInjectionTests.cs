using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamCore.Aws.Kinesis;
using StreamCore.Aws.Tests.Support;
using StreamCore.Kinesis;

namespace StreamCore.Aws.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task One_line_switches_IKinesisClient_from_the_embedded_engine_to_a_remote_endpoint()
    {
        await using ServerFixture server = await ServerFixture.StartAsync();

        var embedded = new ServiceCollection().AddStreamCore();
        await using (ServiceProvider provider = embedded.BuildServiceProvider())
        {
            Assert.IsNotType<RemoteKinesisClient>(provider.GetRequiredService<IKinesisClient>());
        }

        var remote = new ServiceCollection().AddStreamCoreKinesis(o =>
        {
            o.ServiceUrl = server.Endpoint.Url;
            o.Region = "eu-west-1";
            o.Credentials = ServerFixture.TestCredentials;
        });
        await using (ServiceProvider provider = remote.BuildServiceProvider())
        {
            IKinesisClient client = provider.GetRequiredService<IKinesisClient>();
            RemoteKinesisClient typed = Assert.IsType<RemoteKinesisClient>(client);
            Assert.Same(typed, provider.GetRequiredService<RemoteKinesisClient>());
            Assert.Equal("eu-west-1", typed.Region);
            await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "via-di", ShardCount = 1 });
            Assert.Contains("via-di", (await server.Engine.CreateKinesisClient().ListStreamsAsync(new ListStreamsRequest())).StreamNames);
        }
    }

    [Fact]
    public void The_regions_endpoint_is_used_without_a_ServiceUrl_and_bad_options_are_refused()
    {
        using var client = new RemoteKinesisClient(new RemoteKinesisClientOptions { Region = "cn-north-1", Credentials = ServerFixture.TestCredentials });
        Assert.Equal(new Uri("https://kinesis.cn-north-1.amazonaws.com.cn/"), client.ServiceUrl);

        var services = new ServiceCollection().AddStreamCoreKinesis(o => o.MaxAttempts = 0);
        using ServiceProvider provider = services.BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IKinesisClient>());
        Assert.Throws<ArgumentException>(() => new RemoteKinesisClient(new RemoteKinesisClientOptions { ServiceUrl = new Uri("ftp://x/") }));
    }
}
