using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamCore.Kinesis;

namespace StreamCore.Tests.DependencyInjection;

public class AddStreamCoreTests
{
    [Fact]
    public async Task Registers_an_engine_and_a_client_with_options_and_the_container_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddStreamCore(o =>
        {
            o.AccountId = "123456789012";
            o.Region = "eu-west-1";
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        StreamEngine engine = provider.GetRequiredService<StreamEngine>();
        IKinesisClient client = provider.GetRequiredService<IKinesisClient>();
        Assert.Same(engine, provider.GetRequiredService<StreamEngine>());
        Assert.Same(clock, engine.TimeProvider);
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 }, TestContext.Current.CancellationToken);
        Assert.Equal("arn:aws:kinesis:eu-west-1:123456789012:stream/s", engine.GetStream("s").Arn);
    }

    [Fact]
    public void Invalid_options_fail_with_a_clear_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => new StreamEngine(new StreamEngineOptions { AccountId = "12" }));
        Assert.Contains("AccountId must be 12 digits", ex.Message);
    }
}
