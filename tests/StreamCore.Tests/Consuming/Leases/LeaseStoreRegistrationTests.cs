using Microsoft.Extensions.DependencyInjection;
using StreamCore.Consuming;

namespace StreamCore.Tests.Consuming;

public sealed class LeaseStoreRegistrationTests
{
    [Fact]
    public void One_lease_store_is_registered_the_last_one_wins_and_it_is_shared()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"leases-{Guid.NewGuid():N}");
        using ServiceProvider memory = new ServiceCollection().AddInMemoryLeaseStore().BuildServiceProvider();
        Assert.IsType<InMemoryLeaseStore>(memory.GetRequiredService<ILeaseStore>());
        Assert.Same(memory.GetRequiredService<ILeaseStore>(), memory.GetRequiredService<ILeaseStore>());

        var services = new ServiceCollection().AddInMemoryLeaseStore().AddFileSystemLeaseStore(folder);
        Assert.Single(services, d => d.ServiceType == typeof(ILeaseStore));
        using ServiceProvider files = services.BuildServiceProvider();
        Assert.Equal(folder, Assert.IsType<FileSystemLeaseStore>(files.GetRequiredService<ILeaseStore>()).Directory);

        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddFileSystemLeaseStore(""));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddFileSystemLeaseStore(folder, TimeSpan.FromSeconds(-1)));
    }
}
