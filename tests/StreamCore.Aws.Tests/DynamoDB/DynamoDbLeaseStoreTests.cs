using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using StreamCore.Aws.DynamoDB;
using StreamCore.Aws.Tests.Support;
using StreamCore.Consuming;
using StreamCore.Tests.Consuming;

namespace StreamCore.Aws.Tests.DynamoDB;

/// <summary>
/// The lease store contract on DynamoDB (dynalite, started once for the class on a loopback port), each test on a
/// table of its own, every "other worker" a store with a client of its own; then what only this store has: the KCL's
/// item format both ways, table creation and names, and attributes it does not know left alone.
/// </summary>
public sealed class DynamoDbLeaseStoreTests(Dynalite dynalite) : LeaseStoreContract, IClassFixture<Dynalite>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _table = $"leases-{Guid.NewGuid():N}";
    private readonly List<DynamoDbLeaseStore> _opened = [];
    private AmazonDynamoDBClient? _raw;

    protected override (int Writers, int WinsEach) Contention => (4, 10);

    protected override int ModelOperations => 120;

    public override async ValueTask InitializeAsync()
    {
        dynalite.Require();
        await base.InitializeAsync();
    }

    protected override ValueTask<ILeaseStore> CreateStoreAsync() => ValueTask.FromResult<ILeaseStore>(Open(_table));

    protected override ValueTask<ILeaseStore> OpenSameTableAsync() => ValueTask.FromResult<ILeaseStore>(Open(_table));

    private DynamoDbLeaseStore Open(string table)
    {
        // One client for every store of a test (clients are costly to warm up); the stores are separate all the same.
        var store = new DynamoDbLeaseStore(Raw, table);
        lock (_opened)
        {
            _opened.Add(store);
        }

        return store;
    }

    /// <summary>An SDK client on the server: the stores' client, and the one writing and reading items as the Java KCL does.</summary>
    private AmazonDynamoDBClient Raw => _raw ??= new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), new AmazonDynamoDBConfig { ServiceURL = dynalite.Url.ToString(), AuthenticationRegion = "us-east-1" });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _opened.ForEach(s => s.Dispose());
        _raw?.Dispose();
    }

    [Fact]
    public async Task A_lease_item_written_as_the_java_kcl_writes_it_reads_as_that_lease()
    {
        // DynamoDBLeaseSerializer.toDynamoRecord's attributes and types, plus KCL 3.x's extras.
        var item = new Dictionary<string, AttributeValue>
        {
            ["leaseKey"] = new() { S = "shardId-000000000002" },
            ["leaseCounter"] = new() { N = "17" },
            ["leaseOwner"] = new() { S = "worker-7f3a" },
            ["ownerSwitchesSinceCheckpoint"] = new() { N = "2" },
            ["checkpoint"] = new() { S = "49590338271490256608559692538361571095921575989136588898" },
            ["checkpointSubSequenceNumber"] = new() { N = "3" },
            ["parentShardId"] = new() { SS = ["shardId-000000000000", "shardId-000000000001"] },
            ["childShardIds"] = new() { SS = ["shardId-000000000005"] },
            ["pendingCheckpoint"] = new() { S = "49590338271490256608559692540925702759324208523137515618" },
            ["pendingCheckpointSubSequenceNumber"] = new() { N = "0" },
            ["pendingCheckpointState"] = new() { B = new MemoryStream([9, 8, 7]) },
            ["startingHashKey"] = new() { S = "0" },
            ["endingHashKey"] = new() { S = "170141183460469231731687303715884105727" },
            ["checkpointOwner"] = new() { S = "worker-old" },
            ["throughputKBps"] = new() { N = "12.5" },
            ["entityType"] = new() { S = "LEASE" },
        };
        await Raw.PutItemAsync(new PutItemRequest { TableName = _table, Item = item });

        var expected = new Lease
        {
            LeaseKey = "shardId-000000000002",
            LeaseCounter = 17,
            LeaseOwner = "worker-7f3a",
            OwnerSwitchesSinceCheckpoint = 2,
            Checkpoint = "49590338271490256608559692538361571095921575989136588898",
            CheckpointSubSequenceNumber = 3,
            ParentShardIds = ["shardId-000000000001", "shardId-000000000000"],
            ChildShardIds = ["shardId-000000000005"],
            PendingCheckpoint = "49590338271490256608559692540925702759324208523137515618",
            PendingCheckpointSubSequenceNumber = 0,
            PendingCheckpointState = [9, 8, 7],
            StartingHashKey = "0",
            EndingHashKey = "170141183460469231731687303715884105727",
            CheckpointOwner = "worker-old",
        };
        Assert.Equal(expected, await Store.GetLeaseAsync(expected.LeaseKey, None));
        Assert.Equal([expected], await Store.ListLeasesAsync(None));

        // An update writes what it knows and leaves what it does not (3.x's throughput and entity type) alone.
        Lease? checkpointed = await Store.TryUpdateLeaseAsync(expected, expected with { Checkpoint = Lease.ShardEnd, CheckpointSubSequenceNumber = 0, PendingCheckpoint = null, PendingCheckpointSubSequenceNumber = null, PendingCheckpointState = null, CheckpointOwner = null }, None);
        Assert.Equal(18, checkpointed!.LeaseCounter);
        Dictionary<string, AttributeValue> after = (await Raw.GetItemAsync(new GetItemRequest { TableName = _table, Key = new() { ["leaseKey"] = new() { S = expected.LeaseKey } }, ConsistentRead = true })).Item;
        Assert.Equal("18", after["leaseCounter"].N);
        Assert.Equal("SHARD_END", after["checkpoint"].S);
        Assert.Equal("12.5", after["throughputKBps"].N);
        Assert.Equal("LEASE", after["entityType"].S);
        Assert.False(after.ContainsKey("pendingCheckpoint"));
        Assert.False(after.ContainsKey("pendingCheckpointState"));
        Assert.False(after.ContainsKey("checkpointOwner"));

        // A 2.x item with only what the oldest serializer wrote.
        await Raw.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = new() { ["leaseKey"] = new() { S = "shardId-000000000009" }, ["leaseCounter"] = new() { N = "0" }, ["ownerSwitchesSinceCheckpoint"] = new() { N = "0" }, ["checkpoint"] = new() { S = "TRIM_HORIZON" }, ["checkpointSubSequenceNumber"] = new() { N = "0" } },
        });
        Assert.Equal(new Lease { LeaseKey = "shardId-000000000009", Checkpoint = Lease.TrimHorizon }, await Store.GetLeaseAsync("shardId-000000000009", None));

        // KCL 3.x keeps other entities in the lease table; they are not leases.
        await Raw.PutItemAsync(new PutItemRequest { TableName = _table, Item = new() { ["leaseKey"] = new() { S = "-" }, ["entityType"] = new() { S = "COORDINATOR_STATE" } } });
        Assert.Equal(["shardId-000000000002", "shardId-000000000009"], (await Store.ListLeasesAsync(None)).Select(l => l.LeaseKey));
        Assert.Null(await Store.GetLeaseAsync("-", None));
    }

    [Fact]
    public async Task A_lease_this_store_writes_is_the_item_the_java_kcl_reads()
    {
        Lease full = Full("shardId-000000000003");
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(full, None));
        Dictionary<string, AttributeValue> item = (await Raw.GetItemAsync(new GetItemRequest { TableName = _table, Key = new() { ["leaseKey"] = new() { S = full.LeaseKey } }, ConsistentRead = true })).Item;
        Assert.Equal(
            ["checkpoint", "checkpointOwner", "checkpointSubSequenceNumber", "childShardIds", "endingHashKey", "leaseCounter", "leaseKey", "leaseOwner", "ownerSwitchesSinceCheckpoint",
             "parentShardId", "pendingCheckpoint", "pendingCheckpointState", "pendingCheckpointSubSequenceNumber", "startingHashKey"],
            item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(full.LeaseKey, item["leaseKey"].S);
        Assert.Equal("worker-ä-1", item["leaseOwner"].S);
        Assert.Equal("41", item["leaseCounter"].N);
        Assert.Equal(full.Checkpoint, item["checkpoint"].S);
        Assert.Equal(long.MaxValue.ToString(CultureInfo.InvariantCulture), item["checkpointSubSequenceNumber"].N);
        Assert.Equal(full.PendingCheckpoint, item["pendingCheckpoint"].S);
        Assert.Equal("0", item["pendingCheckpointSubSequenceNumber"].N);
        Assert.Equal(full.PendingCheckpointState, item["pendingCheckpointState"].B.ToArray());
        Assert.Equal("3", item["ownerSwitchesSinceCheckpoint"].N);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], item["parentShardId"].SS.Order(StringComparer.Ordinal));
        Assert.Equal(["shardId-000000000004"], item["childShardIds"].SS);
        Assert.Equal("0", item["startingHashKey"].S);
        Assert.Equal(UInt128.MaxValue.ToString(CultureInfo.InvariantCulture), item["endingHashKey"].S);
        Assert.Equal("worker-2", item["checkpointOwner"].S);

        // Absent values are absent attributes (DynamoDB has no empty sets), never empty strings.
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(new Lease { LeaseKey = "shardId-000000000004", Checkpoint = Lease.TrimHorizon }, None));
        Dictionary<string, AttributeValue> bare = (await Raw.GetItemAsync(new GetItemRequest { TableName = _table, Key = new() { ["leaseKey"] = new() { S = "shardId-000000000004" } }, ConsistentRead = true })).Item;
        Assert.Equal(["checkpoint", "checkpointSubSequenceNumber", "leaseCounter", "leaseKey", "ownerSwitchesSinceCheckpoint"], bare.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Initialization_creates_an_on_demand_table_keyed_by_lease_key_and_rejects_a_table_of_another_shape()
    {
        TableDescription table = (await Raw.DescribeTableAsync(_table)).Table;
        Assert.Equal(TableStatus.ACTIVE, table.TableStatus);
        Assert.Equal("leaseKey", Assert.Single(table.KeySchema).AttributeName);
        Assert.Equal(KeyType.HASH, table.KeySchema[0].KeyType);
        Assert.Equal(ScalarAttributeType.S, Assert.Single(table.AttributeDefinitions).AttributeType);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary?.BillingMode);

        // Several workers starting at once all find the same table.
        string shared = $"leases-{Guid.NewGuid():N}";
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using DynamoDbLeaseStore own = DynamoDbLeaseStore.ForEndpoint(dynalite.Url, shared);
            await own.InitializeAsync(None);
        }));
        Assert.Empty(await Open(shared).ListLeasesAsync(None));

        string other = $"other-{Guid.NewGuid():N}";
        await Raw.CreateTableAsync(new CreateTableRequest
        {
            TableName = other,
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Open(other).InitializeAsync(None));
        Assert.Contains("is not a lease table", wrong.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("my app")]
    [InlineData("app/leases")]
    [InlineData("")]
    public void An_invalid_application_name_is_rejected_at_construction(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => DynamoDbLeaseStore.ForEndpoint(dynalite.Url ?? new Uri("http://127.0.0.1:1"), name));
        Assert.Equal("tableName", error.ParamName);
        Assert.Contains("3 to 255 letters, digits, '_', '.' or '-'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DynamoDbLeaseStore.ValidateTableName(new string('a', 256)));
        DynamoDbLeaseStore.ValidateTableName("My_App.leases-2");
    }
}
