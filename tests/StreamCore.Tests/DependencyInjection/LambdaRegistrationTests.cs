using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StreamCore.EventSources;
using StreamCore.Functions;

namespace StreamCore.Tests.DependencyInjection;

/// <summary>AddStreamCoreLambda: one Lambda service per engine, its client and registry, functions registered once, pollers stopped with the container.</summary>
public class LambdaRegistrationTests
{
    [Fact]
    public async Task The_container_gives_the_engines_Lambda_service_client_and_registry()
    {
        var time = new FakeTimeProvider();
        int registrations = 0;
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddStreamCoreLambda(functions =>
            {
                registrations++;
                functions.RegisterKinesisHandler("process-stream", (_, _) => Task.CompletedTask);
            });
        await using (ServiceProvider provider = services.BuildServiceProvider())
        {
            StreamEngine engine = provider.GetRequiredService<StreamEngine>();
            LambdaService lambda = provider.GetRequiredService<LambdaService>();

            Assert.Same(engine.GetLambdaService(), lambda);
            Assert.Same(lambda, provider.GetRequiredService<ILambdaClient>());
            Assert.Same(engine.GetFunctionRegistry(), provider.GetRequiredService<FunctionRegistry>());
            Assert.Same(time, lambda.Functions.TimeProvider);
            Assert.True(lambda.Functions.TryGetFunction("process-stream", out _));
            Assert.Equal(1, registrations);
        }
    }
}
