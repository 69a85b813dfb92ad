using StreamCore.Consuming;

namespace StreamCore.Tests.Consuming;

/// <summary>The lease store contract on the in-memory store: one instance is the whole table.</summary>
public sealed class InMemoryLeaseStoreTests : LeaseStoreContract
{
    private readonly InMemoryLeaseStore _store = new();

    protected override ValueTask<ILeaseStore> CreateStoreAsync() => ValueTask.FromResult<ILeaseStore>(_store);

    protected override ValueTask<ILeaseStore> OpenSameTableAsync() => ValueTask.FromResult<ILeaseStore>(_store);
}
