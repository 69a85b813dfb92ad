using System.Diagnostics;
using System.Text;
using StreamCore.Consuming;

namespace StreamCore.Tests.Consuming;

/// <summary>
/// The lease store contract on the file system, every "other worker" a separate store instance over the same folder;
/// then what only the file store has: its files, its lock against other processes (real child processes), and a
/// writer process killed while it works.
/// </summary>
public sealed class FileSystemLeaseStoreTests : LeaseStoreContract
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("leases-").FullName;
    private readonly List<FileSystemLeaseStore> _opened = [];

    private string Folder => Path.Combine(_root, "application");

    protected override (int Writers, int WinsEach) Contention => (4, 25);

    protected override int ModelOperations => 250;

    protected override ValueTask<ILeaseStore> CreateStoreAsync() => ValueTask.FromResult<ILeaseStore>(Open());

    protected override ValueTask<ILeaseStore> OpenSameTableAsync() => ValueTask.FromResult<ILeaseStore>(Open());

    private FileSystemLeaseStore Open(TimeSpan? lockTimeout = null)
    {
        var store = new FileSystemLeaseStore(Folder, lockTimeout);
        lock (_opened)
        {
            _opened.Add(store);
        }

        return store;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _opened.ForEach(s => s.Dispose());
        System.IO.Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Each_lease_is_a_json_file_with_the_kcl_attribute_names_named_after_its_key()
    {
        FileSystemLeaseStore store = Open();
        Lease full = Full("shardId-000000000003");
        Assert.True(await store.CreateLeaseIfNotExistsAsync(full, None));
        string path = store.PathOf(full.LeaseKey);
        Assert.StartsWith(Path.Combine(Folder, "shardId-000000000003."), path, StringComparison.Ordinal);
        Assert.EndsWith(".lease", path, StringComparison.Ordinal);
        string json = await File.ReadAllTextAsync(path);
        foreach (string name in (string[])["\"leaseKey\"", "\"leaseOwner\"", "\"leaseCounter\": 41", "\"checkpoint\"", "\"checkpointSubSequenceNumber\"", "\"pendingCheckpoint\"",
            "\"pendingCheckpointSubSequenceNumber\"", "\"pendingCheckpointState\": \"AAEC/wA=\"", "\"ownerSwitchesSinceCheckpoint\"", "\"parentShardId\"", "\"childShardIds\"",
            "\"startingHashKey\"", "\"endingHashKey\"", "\"checkpointOwner\""])
        {
            Assert.Contains(name, json, StringComparison.Ordinal);
        }

        // Keys that differ only in case, or in characters a file name cannot hold, still have files of their own.
        string[] keys = ["shardId-a", "shardid-A", "app:stream:1:shardId-000000000000", "app_stream_1_shardId-000000000000", new string('k', 2048)];
        Assert.Equal(keys.Length, keys.Select(k => store.PathOf(k).ToUpperInvariant()).Distinct().Count());
        foreach (string key in keys)
        {
            Assert.True(await store.CreateLeaseIfNotExistsAsync(new Lease { LeaseKey = key, LeaseOwner = key[..5] }, None));
        }

        Assert.Equal(keys.Append(full.LeaseKey).Order(StringComparer.Ordinal), (await store.ListLeasesAsync(None)).Select(l => l.LeaseKey));
    }

    [Fact]
    public async Task Before_initialization_operations_fail_with_a_clear_error_and_a_damaged_file_is_named()
    {
        var fresh = new FileSystemLeaseStore(Path.Combine(_root, "not-yet"));
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(async () => await fresh.ListLeasesAsync(None));
        Assert.Contains("does not exist; call InitializeAsync first", missing.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await fresh.CreateLeaseIfNotExistsAsync(new Lease { LeaseKey = "k" }, None));
        Assert.False(System.IO.Directory.Exists(fresh.Directory));
        Assert.Throws<ArgumentException>(() => new FileSystemLeaseStore(""));
        Assert.Throws<ArgumentException>(() => new FileSystemLeaseStore(Folder, TimeSpan.Zero));

        FileSystemLeaseStore store = Open();
        await File.WriteAllTextAsync(store.PathOf("shardId-000000000000"), "{ not json");
        var damaged = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.GetLeaseAsync("shardId-000000000000", None));
        Assert.Contains(store.PathOf("shardId-000000000000"), damaged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_waits_while_another_process_holds_the_lock_and_proceeds_once_that_process_is_killed()
    {
        FileSystemLeaseStore store = Open();
        Lease lease = new() { LeaseKey = LeaseChildProcess.Key, LeaseOwner = "w1", Checkpoint = Lease.TrimHorizon };
        Assert.True(await store.CreateLeaseIfNotExistsAsync(lease, None));

        using Process holder = LeaseChildProcess.Start("hold-lock", Folder);
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));

            // A store with a short timeout gives up with a clear error, and changes nothing.
            var timeout = await Assert.ThrowsAsync<TimeoutException>(async () => await Open(TimeSpan.FromMilliseconds(50)).TryUpdateLeaseAsync(lease, lease with { LeaseOwner = "w2" }, None));
            Assert.Contains("another process holds", timeout.Message, StringComparison.Ordinal);

            ValueTask<Lease?> waiting = store.TryUpdateLeaseAsync(lease, lease with { LeaseOwner = "w2" }, None);
            Assert.False(waiting.IsCompleted);
            Assert.Equal(lease, await store.GetLeaseAsync(lease.LeaseKey, None)); // reads need no lock

            holder.Kill(); // the OS releases a dead process's lock: nothing is left to block the others
            Lease? taken = await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(lease with { LeaseOwner = "w2", LeaseCounter = 1 }, taken);
        }
        finally
        {
            StopChild(holder);
        }
    }

    [Fact]
    public async Task Writer_processes_and_threads_over_one_folder_have_exactly_one_winner_per_counter_value()
    {
        const int Processes = 3, Threads = 2, WinsEach = 20;
        FileSystemLeaseStore store = Open();
        Assert.True(await store.CreateLeaseIfNotExistsAsync(new Lease { LeaseKey = LeaseChildProcess.Key, Checkpoint = "0" }, None));
        Process[] children = [.. Enumerable.Range(0, Processes).Select(p => LeaseChildProcess.Start($"contend:{p}:{WinsEach}", Folder))];
        try
        {
            foreach (Process child in children)
            {
                Assert.Equal("ready", await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
            }

            Task<List<string>>[] readers = [.. children.Select(ReadAllLinesAsync)];
            foreach (Process child in children)
            {
                await child.StandardInput.WriteLineAsync("go");
                await child.StandardInput.FlushAsync();
            }

            var local = new List<string>();
            await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(async () =>
            {
                FileSystemLeaseStore mine = Open();
                for (int won = 0; won < WinsEach;)
                {
                    Lease seen = (await mine.GetLeaseAsync(LeaseChildProcess.Key, None))!;
                    string value = ((Processes + t + 1) * 1_000_000 + won).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (await mine.TryUpdateLeaseAsync(seen, seen with { Checkpoint = value }, None) is { } stored)
                    {
                        lock (local)
                        {
                            local.Add($"win {stored.LeaseCounter} {seen.Checkpoint} {value}");
                        }

                        won++;
                    }
                }
            }))).WaitAsync(TimeSpan.FromMinutes(2));

            List<string>[] remote = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromMinutes(2));
            foreach (Process child in children)
            {
                await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(child.ExitCode == 0, $"child exited with {child.ExitCode}: {await child.StandardError.ReadToEndAsync()}");
            }

            var wins = remote.SelectMany(lines => lines).Concat(local).Select(line => line.Split(' ')).Select(p => (Counter: long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), Before: p[2], After: p[3])).OrderBy(w => w.Counter).ToList();
            Assert.Equal(Enumerable.Range(1, (Processes + Threads) * WinsEach).Select(i => (long)i), wins.Select(w => w.Counter));
            for (int i = 0; i < wins.Count; i++)
            {
                Assert.Equal(i == 0 ? "0" : wins[i - 1].After, wins[i].Before);
            }

            Assert.Equal(wins[^1].After, (await store.GetLeaseAsync(LeaseChildProcess.Key, None))!.Checkpoint);
        }
        finally
        {
            Array.ForEach(children, StopChild);
        }
    }

    [Fact]
    public async Task A_writer_process_killed_while_it_writes_leaves_a_consistent_folder_that_others_keep_writing()
    {
        FileSystemLeaseStore store = Open();
        Assert.True(await store.CreateLeaseIfNotExistsAsync(new Lease { LeaseKey = LeaseChildProcess.Key, Checkpoint = "0" }, None));
        for (int round = 0; round < 2; round++)
        {
            using Process child = LeaseChildProcess.Start($"churn:{round}", Folder);
            try
            {
                Assert.Equal("ready", await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)));
                await child.StandardInput.WriteLineAsync("go");
                await child.StandardInput.FlushAsync();
                string? last = null;
                for (int i = 0; i < 10 + round * 7; i++)
                {
                    last = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                }

                child.Kill(); // somewhere in a write: before, inside or after the rename
                await child.WaitForExitAsync();
                Assert.StartsWith("win ", last, StringComparison.Ordinal);
            }
            finally
            {
                StopChild(child);
            }

            // What is stored is a whole version the child wrote (its checkpoint names it), and the folder takes writes.
            Lease current = (await store.GetLeaseAsync(LeaseChildProcess.Key, None))!;
            Assert.Equal($"process-{round}", current.LeaseOwner);
            Assert.Equal([current], await store.ListLeasesAsync(None));
            Lease? next = await store.TryUpdateLeaseAsync(current, current with { LeaseOwner = "survivor" }, None).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(current.LeaseCounter + 1, next!.LeaseCounter);
        }

        // A temporary file a killed writer left behind is removed by the next initialization (under the lock).
        string orphan = Path.Combine(Folder, ".tmp", "left-by-a-killed-writer.tmp");
        await File.WriteAllTextAsync(orphan, "{");
        await Open().InitializeAsync(None);
        Assert.False(File.Exists(orphan));
        Assert.Single(await store.ListLeasesAsync(None));
    }

    private static async Task<List<string>> ReadAllLinesAsync(Process child)
    {
        var lines = new List<string>();
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private static void StopChild(Process child)
    {
        if (!child.HasExited)
        {
            child.Kill();
            child.WaitForExit();
        }
    }
}
