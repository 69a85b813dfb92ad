using System.Collections.Concurrent;
using System.Globalization;
using StreamCore.Consuming;

namespace StreamCore.Tests.Consuming;

/// <summary>
/// What every <see cref="ILeaseStore"/> does, run against each implementation: memory and the file system
/// (StreamCore.Tests), DynamoDB on dynalite (StreamCore.Aws.Tests links this file). Only the store is tested here;
/// taking, renewing, stealing and expiring leases are the worker's logic on top of it.
/// </summary>
public abstract class LeaseStoreContract : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>The store under test, over a table of this test alone, initialized.</summary>
    protected ILeaseStore Store { get; private set; } = null!;

    /// <summary>Creates a store over a new, empty table (not yet initialized).</summary>
    protected abstract ValueTask<ILeaseStore> CreateStoreAsync();

    /// <summary>
    /// Another store instance over <see cref="Store"/>'s table, as another worker (or process) would open it; the same
    /// instance where the table lives in that instance only.
    /// </summary>
    protected abstract ValueTask<ILeaseStore> OpenSameTableAsync();

    /// <summary>How many concurrent writers the conflict property runs, and how many updates each must win.</summary>
    protected virtual (int Writers, int WinsEach) Contention => (8, 40);

    /// <summary>How many random operations the model-based test runs.</summary>
    protected virtual int ModelOperations => 400;

    public virtual async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.InitializeAsync(None);
    }

    public virtual ValueTask DisposeAsync()
    {
        (Store as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private static Lease New(string key, string? owner = null) => new() { LeaseKey = key, LeaseOwner = owner, Checkpoint = Lease.TrimHorizon };

    /// <summary>A lease with every field set, to values at the edges of their ranges.</summary>
    internal static Lease Full(string key) => new()
    {
        LeaseKey = key,
        LeaseOwner = "worker-ä-1",
        LeaseCounter = 41,
        Checkpoint = "49590338271490256608559692538361571095921575989136588898",
        CheckpointSubSequenceNumber = long.MaxValue,
        PendingCheckpoint = "49590338271490256608559692540925702759324208523137515618",
        PendingCheckpointSubSequenceNumber = 0,
        PendingCheckpointState = [0, 1, 2, 255, 0],
        OwnerSwitchesSinceCheckpoint = 3,
        ParentShardIds = ["shardId-000000000001", "shardId-000000000000"],
        ChildShardIds = ["shardId-000000000004"],
        StartingHashKey = "0",
        EndingHashKey = UInt128.MaxValue.ToString(CultureInfo.InvariantCulture),
        CheckpointOwner = "worker-2",
    };

    /// <summary>A random valid lease of <paramref name="key"/>, covering every field's kinds of value.</summary>
    internal static Lease Arbitrary(Random random, string key)
    {
        string? Sequence() => random.Next(6) switch
        {
            0 => Lease.TrimHorizon,
            1 => Lease.Latest,
            2 => Lease.AtTimestamp,
            3 => Lease.ShardEnd,
            _ => string.Concat(Enumerable.Range(0, random.Next(1, 57)).Select(_ => (char)('0' + random.Next(10)))),
        };
        string[] Ids() => [.. Enumerable.Range(0, random.Next(3)).Select(_ => $"shardId-{random.Next(20):D12}")];
        bool pending = random.Next(2) == 0;
        bool ranged = random.Next(3) != 0;
        UInt128 start = (UInt128)random.NextInt64() << 64;
        return new Lease
        {
            LeaseKey = key,
            LeaseOwner = random.Next(3) == 0 ? null : $"worker-{random.Next(4)}",
            LeaseCounter = random.Next(3) == 0 ? 0 : random.NextInt64(),
            Checkpoint = random.Next(5) == 0 ? null : Sequence(),
            CheckpointSubSequenceNumber = random.Next(2) == 0 ? 0 : random.NextInt64(),
            PendingCheckpoint = pending ? Sequence() : null,
            PendingCheckpointSubSequenceNumber = pending && random.Next(2) == 0 ? random.NextInt64() : null,
            PendingCheckpointState = pending && random.Next(2) == 0 ? [.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => (byte)random.Next(256))] : null,
            OwnerSwitchesSinceCheckpoint = random.Next(3),
            ParentShardIds = Ids(),
            ChildShardIds = Ids(),
            StartingHashKey = ranged ? start.ToString(CultureInfo.InvariantCulture) : null,
            EndingHashKey = ranged ? (start + (UInt128)random.NextInt64()).ToString(CultureInfo.InvariantCulture) : null,
            CheckpointOwner = random.Next(4) == 0 ? $"worker-{random.Next(4)}" : null,
        };
    }

    [Fact]
    public async Task A_new_table_is_empty_and_initializing_again_keeps_its_leases()
    {
        Assert.Empty(await Store.ListLeasesAsync(None));
        Assert.Null(await Store.GetLeaseAsync("shardId-000000000000", None));
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(New("shardId-000000000000"), None));
        await Store.InitializeAsync(None);
        ILeaseStore other = await OpenSameTableAsync();
        await other.InitializeAsync(None);
        Assert.Equal([New("shardId-000000000000")], await Store.ListLeasesAsync(None));
    }

    [Fact]
    public async Task Every_field_round_trips()
    {
        Lease full = Full("shardId-000000000003");
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(full, None));
        Assert.Equal(full, await Store.GetLeaseAsync(full.LeaseKey, None));
        ILeaseStore other = await OpenSameTableAsync();
        Assert.Equal([full], await other.ListLeasesAsync(None));

        // And the emptiest lease: nulls stay null (a pending sub-sequence number of null is not 0), sets stay empty.
        Lease bare = new() { LeaseKey = "shardId-000000000009" };
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(bare, None));
        Lease? read = await other.GetLeaseAsync(bare.LeaseKey, None);
        Assert.Equal(bare, read);
        Assert.Null(read!.LeaseOwner);
        Assert.Null(read.Checkpoint);
        Assert.Null(read.PendingCheckpointSubSequenceNumber);
        Assert.Null(read.PendingCheckpointState);
        Assert.Empty(read.ParentShardIds);
        Assert.Empty(read.ChildShardIds);

        // A pending checkpoint with no state and a zero sub-sequence number is not the same as none.
        Lease pending = bare with { LeaseKey = "shardId-000000000010", PendingCheckpoint = "7", PendingCheckpointSubSequenceNumber = 0, PendingCheckpointState = [] };
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(pending, None));
        Lease? readPending = await other.GetLeaseAsync(pending.LeaseKey, None);
        Assert.Equal(pending, readPending);
        Assert.Equal(0, readPending!.PendingCheckpointSubSequenceNumber);
        Assert.NotNull(readPending.PendingCheckpointState);
    }

    [Fact]
    public async Task Random_leases_round_trip_through_create_and_update()
    {
        var random = new Random(1301);
        for (int i = 0; i < 60; i++)
        {
            Lease lease = Arbitrary(random, $"shardId-{i:D12}");
            Assert.True(await Store.CreateLeaseIfNotExistsAsync(lease, None));
            Assert.Equal(lease, await Store.GetLeaseAsync(lease.LeaseKey, None));
            if (lease.LeaseCounter < long.MaxValue)
            {
                Lease next = Arbitrary(random, lease.LeaseKey);
                Lease? stored = await Store.TryUpdateLeaseAsync(lease, next, None);
                Assert.Equal(next with { LeaseCounter = lease.LeaseCounter + 1 }, stored);
                Assert.Equal(stored, await Store.GetLeaseAsync(lease.LeaseKey, None));
            }
        }
    }

    [Fact]
    public async Task Checkpoints_and_sub_sequence_numbers_round_trip_through_updates()
    {
        Lease lease = New("shardId-000000000000", "w1");
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(lease, None));
        (string Checkpoint, long Sub)[] steps =
        [
            (Lease.TrimHorizon, 0), ("1", 0), ("49590338271490256608559692538361571095921575989136588898", 0),
            ("49590338271490256608559692538361571095921575989136588898", 7), ("49590338271490256608559692538361571095921575989136588899", long.MaxValue),
            (Lease.ShardEnd, 0), (Lease.Latest, 0), (Lease.AtTimestamp, 0),
        ];
        foreach ((string checkpoint, long sub) in steps)
        {
            Lease? stored = await Store.TryUpdateLeaseAsync(lease, lease with { Checkpoint = checkpoint, CheckpointSubSequenceNumber = sub, OwnerSwitchesSinceCheckpoint = 0 }, None);
            Assert.NotNull(stored);
            Lease? read = await Store.GetLeaseAsync(lease.LeaseKey, None);
            Assert.Equal(checkpoint, read!.Checkpoint);
            Assert.Equal(sub, read.CheckpointSubSequenceNumber);
            Assert.Equal(lease.LeaseCounter + 1, read.LeaseCounter);
            lease = read;
        }

        // Two-phase: prepare, then commit (the pending fields cleared).
        Lease? prepared = await Store.TryUpdateLeaseAsync(lease, lease with { PendingCheckpoint = "42", PendingCheckpointSubSequenceNumber = 3, PendingCheckpointState = "state"u8.ToArray() }, None);
        Assert.Equal(prepared, await Store.GetLeaseAsync(lease.LeaseKey, None));
        Lease? committed = await Store.TryUpdateLeaseAsync(prepared!, prepared! with { Checkpoint = "42", CheckpointSubSequenceNumber = 3, PendingCheckpoint = null, PendingCheckpointSubSequenceNumber = null, PendingCheckpointState = null }, None);
        Lease? afterCommit = await Store.GetLeaseAsync(lease.LeaseKey, None);
        Assert.Equal(committed, afterCommit);
        Assert.Null(afterCommit!.PendingCheckpoint);
        Assert.Null(afterCommit.PendingCheckpointSubSequenceNumber);
        Assert.Null(afterCommit.PendingCheckpointState);
    }

    [Fact]
    public async Task Parent_and_child_shard_ids_are_sets_that_round_trip()
    {
        Lease child = new() { LeaseKey = "shardId-000000000002", ParentShardIds = ["shardId-000000000001", "shardId-000000000000", "shardId-000000000001"], Checkpoint = Lease.TrimHorizon };
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], child.ParentShardIds);
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(child, None));
        Lease? read = await Store.GetLeaseAsync(child.LeaseKey, None);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], read!.ParentShardIds);
        Assert.Empty(read.ChildShardIds);

        // A parent learns its children at shard end; then they are dropped again (an empty set is stored as none).
        Lease parent = new() { LeaseKey = "shardId-000000000000", Checkpoint = "5" };
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(parent, None));
        Lease? ended = await Store.TryUpdateLeaseAsync(parent, parent with { Checkpoint = Lease.ShardEnd, ChildShardIds = ["shardId-000000000003", "shardId-000000000002"] }, None);
        Assert.Equal(["shardId-000000000002", "shardId-000000000003"], (await Store.GetLeaseAsync(parent.LeaseKey, None))!.ChildShardIds);
        Assert.NotNull(await Store.TryUpdateLeaseAsync(ended!, ended! with { ChildShardIds = [] }, None));
        Assert.Empty((await Store.GetLeaseAsync(parent.LeaseKey, None))!.ChildShardIds);
    }

    [Fact]
    public async Task Create_does_not_replace_an_existing_lease()
    {
        Lease first = New("shardId-000000000000", "w1");
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(first, None));
        Assert.False(await Store.CreateLeaseIfNotExistsAsync(Full("shardId-000000000000"), None));
        Assert.Equal(first, await Store.GetLeaseAsync(first.LeaseKey, None));
    }

    [Fact]
    public async Task Of_concurrent_creators_of_one_lease_exactly_one_succeeds_and_its_lease_is_stored()
    {
        for (int round = 0; round < 10; round++)
        {
            string key = $"shardId-{round:D12}";
            ILeaseStore[] stores = [Store, .. await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ => await OpenSameTableAsync()))];
            using var go = new ManualResetEventSlim();
            Task<bool>[] creators = [.. stores.Select((store, i) => Task.Run(async () =>
            {
                go.Wait();
                return await store.CreateLeaseIfNotExistsAsync(New(key, $"worker-{i}"), None);
            }))];
            go.Set();
            bool[] created = await Task.WhenAll(creators);
            int winner = Assert.Single(Enumerable.Range(0, created.Length), i => created[i]);
            Assert.Equal(New(key, $"worker-{winner}"), await Store.GetLeaseAsync(key, None));
        }

        Assert.Equal(10, (await Store.ListLeasesAsync(None)).Count);
    }

    [Fact]
    public async Task An_update_succeeds_only_on_the_stored_counter_and_increments_it()
    {
        Lease created = New("shardId-000000000000", "w1") with { LeaseCounter = 7 };
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(created, None));

        // The updated lease's own counter is ignored: the store sets expected + 1.
        Lease? renewed = await Store.TryUpdateLeaseAsync(created, created with { LeaseCounter = 1000 }, None);
        Assert.Equal(created with { LeaseCounter = 8 }, renewed);
        Assert.Equal(renewed, await Store.GetLeaseAsync(created.LeaseKey, None));

        // A writer holding the old counter lost the lease: nothing changes.
        Assert.Null(await Store.TryUpdateLeaseAsync(created, created with { LeaseOwner = "w2" }, None));
        Assert.Null(await Store.TryUpdateLeaseAsync(created with { LeaseCounter = 9 }, created with { LeaseOwner = "w2" }, None));
        Assert.Equal(renewed, await Store.GetLeaseAsync(created.LeaseKey, None));

        // The new owner takes it with the current counter.
        Lease? taken = await Store.TryUpdateLeaseAsync(renewed!, renewed! with { LeaseOwner = "w2", OwnerSwitchesSinceCheckpoint = 1 }, None);
        Assert.Equal(9, taken!.LeaseCounter);
        Assert.Equal("w2", (await Store.GetLeaseAsync(created.LeaseKey, None))!.LeaseOwner);

        // An update never creates a lease.
        Assert.Null(await Store.TryUpdateLeaseAsync(New("shardId-000000000001"), New("shardId-000000000001", "w1"), None));
        Assert.Null(await Store.GetLeaseAsync("shardId-000000000001", None));
    }

    [Fact]
    public async Task Of_concurrent_conditional_writers_exactly_one_wins_each_counter_value_and_no_update_is_lost()
    {
        (int writers, int winsEach) = Contention;
        const string key = "shardId-000000000000";
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(new Lease { LeaseKey = key, Checkpoint = "0" }, None));
        ILeaseStore[] stores = [Store, .. await Task.WhenAll(Enumerable.Range(1, writers - 1).Select(async _ => await OpenSameTableAsync()))];
        var wins = new ConcurrentBag<(long Counter, string Before, string After)>();
        int conflicts = 0;
        using var go = new ManualResetEventSlim();
        Task[] running = [.. Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            go.Wait();
            for (int won = 0; won < winsEach;)
            {
                Lease seen = (await stores[w].GetLeaseAsync(key, None))!;
                string mine = ((w + 1) * 1_000_000 + won).ToString(CultureInfo.InvariantCulture);
                Lease? stored = await stores[w].TryUpdateLeaseAsync(seen, seen with { LeaseOwner = $"worker-{w}", Checkpoint = mine }, None);
                if (stored is null)
                {
                    Interlocked.Increment(ref conflicts);
                    continue;
                }

                Assert.Equal(seen.LeaseCounter + 1, stored.LeaseCounter);
                wins.Add((stored.LeaseCounter, seen.Checkpoint!, mine));
                won++;
            }
        }))];
        go.Set();
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromMinutes(2));

        // Every counter value from 1 on was won exactly once, and each winner wrote over its predecessor's write.
        var ordered = wins.OrderBy(w => w.Counter).ToList();
        Assert.Equal(Enumerable.Range(1, writers * winsEach).Select(i => (long)i), ordered.Select(w => w.Counter));
        for (int i = 0; i < ordered.Count; i++)
        {
            Assert.Equal(i == 0 ? "0" : ordered[i - 1].After, ordered[i].Before);
        }

        Lease final = (await Store.GetLeaseAsync(key, None))!;
        Assert.Equal(writers * winsEach, final.LeaseCounter);
        Assert.Equal(ordered[^1].After, final.Checkpoint);
    }

    [Fact]
    public async Task Writers_in_lockstep_on_one_counter_value_have_exactly_one_winner_each_round()
    {
        // Every writer reads the same version, then all write at once: the worst case, forced on every round.
        (int writers, int rounds) = (Math.Min(4, Contention.Writers), 30);
        const string key = "shardId-000000000000";
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(new Lease { LeaseKey = key, Checkpoint = "0" }, None));
        ILeaseStore[] stores = [Store, .. await Task.WhenAll(Enumerable.Range(1, writers - 1).Select(async _ => await OpenSameTableAsync()))];
        var winners = new int[rounds];
        using var barrier = new Barrier(writers);
        void Step()
        {
            if (!barrier.SignalAndWait(TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException("a writer did not reach the barrier");
            }
        }

        Task[] running = [.. Enumerable.Range(0, writers).Select(w => Task.Factory.StartNew(() =>
        {
            for (int round = 0; round < rounds; round++)
            {
                Lease seen = stores[w].GetLeaseAsync(key, None).AsTask().GetAwaiter().GetResult()!;
                Step();
                string mine = ((w + 1) * 1_000_000 + round).ToString(CultureInfo.InvariantCulture);
                Lease? stored = stores[w].TryUpdateLeaseAsync(seen, seen with { LeaseOwner = $"worker-{w}", Checkpoint = mine }, None).AsTask().GetAwaiter().GetResult();
                if (stored is not null)
                {
                    Interlocked.Increment(ref winners[round]);
                    Assert.Equal(round + 1, stored.LeaseCounter);
                    Assert.Equal(mine, stored.Checkpoint);
                }

                Step();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.All(winners, count => Assert.Equal(1, count));
        Assert.Equal(rounds, (await Store.GetLeaseAsync(key, None))!.LeaseCounter);
    }

    [Fact]
    public async Task A_delete_succeeds_only_on_the_stored_counter()
    {
        Lease lease = New("shardId-000000000000", "w1");
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(lease, None));
        Lease renewed = (await Store.TryUpdateLeaseAsync(lease, lease, None))!;
        Assert.False(await Store.DeleteLeaseAsync(lease, None));
        Assert.Equal(renewed, await Store.GetLeaseAsync(lease.LeaseKey, None));
        Assert.True(await Store.DeleteLeaseAsync(renewed, None));
        Assert.Null(await Store.GetLeaseAsync(lease.LeaseKey, None));
        Assert.Empty(await Store.ListLeasesAsync(None));
        Assert.False(await Store.DeleteLeaseAsync(renewed, None));

        // A deleted lease can be created again, from scratch.
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(lease, None));
        Assert.Null(await Store.TryUpdateLeaseAsync(renewed, renewed, None));
        Assert.Equal(lease, await Store.GetLeaseAsync(lease.LeaseKey, None));
    }

    [Fact]
    public async Task Random_operations_agree_with_a_dictionary_model()
    {
        var random = new Random(4242);
        var model = new SortedDictionary<string, Lease>(StringComparer.Ordinal);
        ILeaseStore other = await OpenSameTableAsync();
        string[] keys = ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000010", "app:stream:1:shardId-000000000000"];
        for (int step = 0; step < ModelOperations; step++)
        {
            ILeaseStore store = random.Next(2) == 0 ? Store : other;
            string key = keys[random.Next(keys.Length)];
            model.TryGetValue(key, out Lease? current);
            // Expect the stored counter most of the time, a stale or future one otherwise.
            Lease expected = (current ?? new Lease { LeaseKey = key }) with { LeaseCounter = Math.Max(0, (current?.LeaseCounter ?? 0) + (random.Next(4) == 0 ? random.Next(-2, 3) : 0)) };
            switch (random.Next(5))
            {
                case 0:
                    Lease created = Arbitrary(random, key) with { LeaseCounter = random.Next(3) };
                    bool added = model.TryAdd(key, created);
                    Assert.Equal(added, await store.CreateLeaseIfNotExistsAsync(created, None));
                    break;
                case 1 or 2:
                    Lease updated = Arbitrary(random, key);
                    bool applies = current is not null && current.LeaseCounter == expected.LeaseCounter;
                    Lease? stored = await store.TryUpdateLeaseAsync(expected, updated, None);
                    if (applies)
                    {
                        model[key] = updated with { LeaseCounter = expected.LeaseCounter + 1 };
                        Assert.Equal(model[key], stored);
                    }
                    else
                    {
                        Assert.Null(stored);
                    }

                    break;
                case 3:
                    bool deletes = current is not null && current.LeaseCounter == expected.LeaseCounter;
                    Assert.Equal(deletes, await store.DeleteLeaseAsync(expected, None));
                    if (deletes)
                    {
                        model.Remove(key);
                    }

                    break;
                default:
                    Assert.Equal(current, await store.GetLeaseAsync(key, None));
                    break;
            }

            if (step % 10 == 0)
            {
                Assert.Equal(model.Values, await store.ListLeasesAsync(None));
            }
        }

        Assert.Equal(model.Values, await Store.ListLeasesAsync(None));
    }

    [Fact]
    public async Task Readers_see_whole_leases_while_a_writer_replaces_them()
    {
        // Every version written has Checkpoint == its counter and a state of that many bytes: a torn read shows.
        static Lease Version(string key, long counter) =>
            new() { LeaseKey = key, LeaseCounter = counter, Checkpoint = counter.ToString(CultureInfo.InvariantCulture), PendingCheckpoint = "1", PendingCheckpointState = new byte[counter % 50], ParentShardIds = [$"p-{counter}"] };

        string[] keys = ["shardId-000000000000", "shardId-000000000001"];
        foreach (string key in keys)
        {
            Assert.True(await Store.CreateLeaseIfNotExistsAsync(Version(key, 0), None));
        }

        ILeaseStore reader = await OpenSameTableAsync();
        using var done = new CancellationTokenSource();
        Task writer = Task.Run(async () =>
        {
            for (long counter = 0; counter < 150; counter++)
            {
                foreach (string key in keys)
                {
                    Assert.NotNull(await Store.TryUpdateLeaseAsync(Version(key, counter), Version(key, counter + 1), None));
                }
            }

            await done.CancelAsync();
        });
        int reads = 0;
        while (!done.IsCancellationRequested || reads == 0)
        {
            IReadOnlyList<Lease> all = await reader.ListLeasesAsync(None);
            Assert.Equal(keys, all.Select(l => l.LeaseKey));
            foreach (Lease lease in all.Append((await reader.GetLeaseAsync(keys[0], None))!))
            {
                Assert.Equal(Version(lease.LeaseKey, lease.LeaseCounter), lease);
            }

            reads++;
        }

        await writer;
    }

    [Fact]
    public async Task Changing_arrays_and_lists_after_a_call_changes_nothing_stored()
    {
        var parents = new List<string> { "shardId-000000000000" };
        byte[] state = [1, 2, 3];
        Lease lease = new() { LeaseKey = "shardId-000000000001", ParentShardIds = parents, PendingCheckpoint = "9", PendingCheckpointState = state };
        parents.Add("shardId-000000000099");
        Assert.Equal(["shardId-000000000000"], lease.ParentShardIds);
        Assert.False(lease.ParentShardIds is IList<string> { IsReadOnly: false });

        Assert.True(await Store.CreateLeaseIfNotExistsAsync(lease, None));
        state[0] = 100;
        Lease read = (await Store.GetLeaseAsync(lease.LeaseKey, None))!;
        Assert.Equal([1, 2, 3], read.PendingCheckpointState);
        read.PendingCheckpointState![1] = 100;
        Assert.Equal([1, 2, 3], (await Store.ListLeasesAsync(None))[0].PendingCheckpointState);

        Lease? stored = await Store.TryUpdateLeaseAsync(read, read with { PendingCheckpointState = state }, None);
        state[2] = 100;
        stored!.PendingCheckpointState![2] = 50;
        Assert.Equal([100, 2, 3], (await Store.GetLeaseAsync(lease.LeaseKey, None))!.PendingCheckpointState);
    }

    public static TheoryData<string> InvalidLeases => [.. Invalid.Keys];

    private static readonly Dictionary<string, (Lease Lease, string Says)> Invalid = new()
    {
        ["empty key"] = (new Lease { LeaseKey = "" }, "Lease key of 0 UTF-8 bytes"),
        ["key too long"] = (new Lease { LeaseKey = new string('k', Lease.MaxLeaseKeyLength + 1) }, "expected 1 to 2048"),
        ["key with a control character"] = (new Lease { LeaseKey = "shard\n1" }, "control character"),
        ["negative counter"] = (New("s") with { LeaseCounter = -1 }, "LeaseCounter is -1"),
        ["negative sub-sequence number"] = (New("s") with { CheckpointSubSequenceNumber = -2 }, "CheckpointSubSequenceNumber is -2"),
        ["negative pending sub-sequence number"] = (New("s") with { PendingCheckpoint = "1", PendingCheckpointSubSequenceNumber = -1 }, "PendingCheckpointSubSequenceNumber is -1"),
        ["negative owner switches"] = (New("s") with { OwnerSwitchesSinceCheckpoint = -1 }, "OwnerSwitchesSinceCheckpoint is -1"),
        ["checkpoint not a sequence number"] = (New("s") with { Checkpoint = "12a" }, "Checkpoint '12a' is neither a sequence number"),
        ["empty checkpoint"] = (New("s") with { Checkpoint = "" }, "Checkpoint '' is neither"),
        ["lower-case sentinel"] = (New("s") with { Checkpoint = "trim_horizon" }, "TRIM_HORIZON, LATEST, AT_TIMESTAMP, SHARD_END"),
        ["pending checkpoint not a sequence number"] = (New("s") with { PendingCheckpoint = "-1" }, "PendingCheckpoint '-1'"),
        ["pending state without a pending checkpoint"] = (New("s") with { PendingCheckpointState = [1] }, "need a PendingCheckpoint"),
        ["empty owner"] = (New("s") with { LeaseOwner = "" }, "LeaseOwner is empty"),
        ["empty checkpoint owner"] = (New("s") with { CheckpointOwner = "" }, "CheckpointOwner is empty"),
        ["empty parent shard id"] = (New("s") with { ParentShardIds = ["shardId-000000000000", ""] }, "ParentShardIds contains a null or empty"),
        ["null child shard id"] = (New("s") with { ChildShardIds = [null!] }, "ChildShardIds contains a null or empty"),
        ["one hash key"] = (New("s") with { StartingHashKey = "0" }, "both be set or both be null"),
        ["hash key not decimal"] = (New("s") with { StartingHashKey = "0x10", EndingHashKey = "20" }, "are not decimal values"),
        ["hash key above 2^128 - 1"] = (New("s") with { StartingHashKey = "0", EndingHashKey = "340282366920938463463374607431768211456" }, "are not decimal values"),
        ["start above end"] = (New("s") with { StartingHashKey = "10", EndingHashKey = "9" }, "StartingHashKey 10 is above EndingHashKey 9"),
    };

    [Theory]
    [MemberData(nameof(InvalidLeases))]
    public async Task An_invalid_lease_is_rejected_with_a_clear_error_and_nothing_changes(string name)
    {
        (Lease bad, string says) = Invalid[name];
        var create = await Assert.ThrowsAsync<ArgumentException>(async () => await Store.CreateLeaseIfNotExistsAsync(bad, None));
        Assert.Equal("lease", create.ParamName);
        Assert.Contains(says, create.Message, StringComparison.Ordinal);
        Assert.Empty(await Store.ListLeasesAsync(None));

        // The same lease as an update (of a valid lease of its key, where the key itself is valid) changes nothing.
        Lease good = New(bad.LeaseKey.Length is > 0 and < 100 && !bad.LeaseKey.Contains('\n', StringComparison.Ordinal) ? bad.LeaseKey : "s");
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(good, None));
        var update = await Assert.ThrowsAsync<ArgumentException>(async () => await Store.TryUpdateLeaseAsync(good, bad, None));
        Assert.Equal("updated", update.ParamName);
        var delete = await Assert.ThrowsAsync<ArgumentException>(async () => await Store.DeleteLeaseAsync(bad, None));
        Assert.Equal("expected", delete.ParamName);
        Assert.Equal([good], await Store.ListLeasesAsync(None));
    }

    [Fact]
    public async Task Bad_keys_nulls_and_mismatched_updates_are_rejected()
    {
        Lease lease = New("shardId-000000000000");
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(lease, None));
        Assert.Equal("leaseKey", (await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetLeaseAsync("", None))).ParamName);
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Store.GetLeaseAsync(null!, None));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Store.CreateLeaseIfNotExistsAsync(null!, None));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Store.TryUpdateLeaseAsync(null!, lease, None));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Store.TryUpdateLeaseAsync(lease, null!, None));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Store.DeleteLeaseAsync(null!, None));

        var moved = await Assert.ThrowsAsync<ArgumentException>(async () => await Store.TryUpdateLeaseAsync(lease, lease with { LeaseKey = "shardId-000000000001" }, None));
        Assert.Equal("updated", moved.ParamName);
        Assert.Contains("cannot change a lease's key", moved.Message, StringComparison.Ordinal);

        var top = await Assert.ThrowsAsync<ArgumentException>(async () => await Store.TryUpdateLeaseAsync(lease with { LeaseCounter = long.MaxValue }, lease, None));
        Assert.Equal("expected", top.ParamName);
        Assert.Equal([lease], await Store.ListLeasesAsync(None));
        Assert.Null(await Store.GetLeaseAsync("shardId-000000000001", None));
    }

    [Fact]
    public async Task A_cancelled_call_throws_and_changes_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Lease lease = New("shardId-000000000000");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.CreateLeaseIfNotExistsAsync(lease, cancelled.Token));
        Assert.Empty(await Store.ListLeasesAsync(None));
        Assert.True(await Store.CreateLeaseIfNotExistsAsync(lease, None));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.TryUpdateLeaseAsync(lease, lease with { LeaseOwner = "w" }, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.DeleteLeaseAsync(lease, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.ListLeasesAsync(cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Store.GetLeaseAsync(lease.LeaseKey, cancelled.Token));
        Assert.Equal([lease], await Store.ListLeasesAsync(None));
    }
}
