using System.Numerics;
using System.Text;
using StreamCore.Samples.Consumer;
using StreamCore.Server;

namespace StreamCore.Tests.Consuming;

/// <summary>
/// Worker processes on one machine (the consumer sample's worker mode, started with <c>dotnet</c>) share a stream
/// through the StreamCore server and a <see cref="StreamCore.Consuming.FileSystemLeaseStore"/> folder; one is killed
/// with <see cref="System.Diagnostics.Process.Kill()"/>. Every record is counted from the workers' reports: none is
/// lost, and a record is processed again only inside an uncheckpointed window (the killed worker's tail after its
/// stored checkpoint, or a batch whose checkpoint found the lease gone), at most once per window.
/// </summary>
public sealed class MultiProcessKillTests
{
    private const int PerPhase = 1000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_killed_worker_process_s_shards_are_taken_over_and_every_record_is_counted()
    {
        using var engine = new StreamEngine(); // the real clock: the workers are other processes
        await using KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine);
        DataStream stream = engine.CreateStream("orders", 4);
        string folder = Directory.CreateTempSubdirectory("kill-test-leases-").FullName;
        string program = Path.Combine(AppContext.BaseDirectory, "StreamCore.Consumer.dll");
        var workers = new List<WorkerProcess>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                // Failover in 1 s; each batch's last 3 records stay uncheckpointed, so the crash leaves a window to redo.
                workers.Add(WorkerProcess.Start(new WorkerSettings(endpoint.Url, folder, "orders", "w" + i, TimeSpan.FromSeconds(1), CheckpointLag: 3, MaxRecords: 20), program));
            }

            await WorkerProcess.WaitUntilAsync(() => workers.All(w => w.Lines.Contains("ready")), Patience, "the workers to start" + Diagnostics(workers));
            Write(stream, 0, PerPhase);

            // The victim: the first worker seen holding a shard with processed but uncheckpointed records.
            WorkerProcess? victim = null;
            await WorkerProcess.WaitUntilAsync(() => (victim = workers.FirstOrDefault(w => Replay(w.Lines).Pending.Values.Any(p => p.Count > 0))) is not null, Patience, "a worker with uncheckpointed records" + Diagnostics(workers));
            victim!.Kill();
            WorkerProcess[] survivors = [.. workers.Where(w => w != victim)];
            Dictionary<WorkerProcess, int> linesAtKill = survivors.ToDictionary(s => s, s => s.LineCount); // what follows is the takeover
            Replayed dead = Replay(victim.Lines);
            string[] orphaned = [.. dead.Held];
            Assert.NotEmpty(orphaned);

            Write(stream, PerPhase, PerPhase);
            await WorkerProcess.WaitUntilAsync(() => workers.SelectMany(w => Replay(w.Lines).Deliveries).Select(d => d.Data).Distinct().Count() == 2 * PerPhase, Patience, "every record to be processed" + Diagnostics(workers));
            foreach (WorkerProcess survivor in survivors)
            {
                Assert.Equal(0, await survivor.StopAsync(Patience));
            }

            Replayed[] replays = [.. workers.Select(w => Replay(w.Lines))];

            // None lost.
            Assert.Equal(Enumerable.Range(0, 2 * PerPhase).Select(i => "order-" + i).Order(StringComparer.Ordinal), replays.SelectMany(r => r.Deliveries).Select(d => d.Data).Distinct().Order(StringComparer.Ordinal));

            // Duplicates only inside uncheckpointed windows: the killed worker's open tails, and any batch whose lease was lost.
            var windows = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (Delivery open in dead.Pending.Values.SelectMany(p => p).Concat(replays.SelectMany(r => r.Abandoned)))
            {
                windows[open.Data] = windows.GetValueOrDefault(open.Data) + 1;
            }

            foreach (IGrouping<string, Delivery> record in replays.SelectMany(r => r.Deliveries).GroupBy(d => d.Data))
            {
                Assert.True(record.Count() <= 1 + windows.GetValueOrDefault(record.Key), $"{record.Key} was processed {record.Count()} times but lay in {windows.GetValueOrDefault(record.Key)} uncheckpointed windows");
            }

            // The survivors stopped gracefully: everything they processed is checkpointed.
            Assert.All(survivors.Select(s => Replay(s.Lines)), r => Assert.All(r.Pending.Values, p => Assert.Empty(p)));

            // Each orphaned shard was taken over from the killed worker's stored checkpoint: at or after the last one it
            // reported, at or before the last record it processed; exactly its records after that checkpoint were redone.
            foreach (string shard in orphaned)
            {
                // The takeover: the first survivor to take the shard after the kill; or, when a survivor stole it just before
                // (the victim was killed before it noticed), that survivor's take.
                (WorkerProcess s, string line, int index)[] inits = [.. survivors.SelectMany(s => s.Lines.Select((line, index) => (s, line, index))).Where(x => x.line.StartsWith($"init {shard} ", StringComparison.Ordinal))];
                (WorkerProcess successor, _, int taken) = inits.Where(x => x.index >= linesAtKill[x.s]).Select(x => ((WorkerProcess, string, int)?)x).FirstOrDefault() ?? inits[^1];
                string from = successor.Lines[taken].Split(' ')[2];
                Position resumed = Position.Parse(from, 0);
                Assert.True(resumed >= dead.LastCheckpoint.GetValueOrDefault(shard, Position.Start), $"{successor.WorkerId} resumed {shard} at {from}, before {victim.WorkerId}'s reported checkpoint");
                Delivery[] processedByDead = [.. dead.Deliveries.Where(d => d.Shard == shard)];
                Assert.True(processedByDead.Length == 0 || resumed <= processedByDead[^1].At, $"{successor.WorkerId} resumed {shard} after the last record {victim.WorkerId} processed");
                HashSet<string> redone = [.. Replay(successor.Lines.Skip(taken)).Deliveries.Where(d => d.Shard == shard).Select(d => d.Data)];
                Assert.All(processedByDead, d => Assert.Equal(d.At > resumed, redone.Contains(d.Data)));
                Assert.True(processedByDead.Length == 0 || processedByDead[^1].At > resumed, "the last record of each batch is never checkpointed (lag 3), so the crash always leaves one to redo");
            }
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Write(DataStream stream, int from, int count)
    {
        for (int i = from; i < from + count; i++)
        {
            stream.Append("customer-" + (i % 50), Encoding.UTF8.GetBytes("order-" + i));
        }
    }

    private static string Diagnostics(IEnumerable<WorkerProcess> workers) =>
        string.Concat(workers.Select(w => $"\n{w.WorkerId} (exited: {w.HasExited}): {w.LineCount} lines; last: {(w.Lines is [.., string last] ? last : "")}; stderr: {w.Errors}"));

    /// <summary>A position in a shard: a sequence number (compared as a number) and a subsequence number.</summary>
    private readonly record struct Position(BigInteger Sequence, long SubSequence) : IComparable<Position>
    {
        public static Position Start => new(BigInteger.MinusOne, 0);

        public static Position Parse(string sequence, long subSequence) =>
            BigInteger.TryParse(sequence, out BigInteger number) ? new(number, subSequence) : Start; // TRIM_HORIZON

        public int CompareTo(Position other) => Sequence != other.Sequence ? Sequence.CompareTo(other.Sequence) : SubSequence.CompareTo(other.SubSequence);

        public static bool operator <(Position a, Position b) => a.CompareTo(b) < 0;

        public static bool operator >(Position a, Position b) => a.CompareTo(b) > 0;

        public static bool operator <=(Position a, Position b) => a.CompareTo(b) <= 0;

        public static bool operator >=(Position a, Position b) => a.CompareTo(b) >= 0;
    }

    private sealed record Delivery(string Shard, Position At, string Data);

    /// <summary>A worker's report replayed: what it processed, what is still uncheckpointed per shard, what it abandoned.</summary>
    private sealed record Replayed(List<Delivery> Deliveries, Dictionary<string, List<Delivery>> Pending, List<Delivery> Abandoned, Dictionary<string, Position> LastCheckpoint, SortedSet<string> Held);

    private static Replayed Replay(IEnumerable<string> lines)
    {
        var replayed = new Replayed([], new(StringComparer.Ordinal), [], new(StringComparer.Ordinal), new(StringComparer.Ordinal));
        List<Delivery> PendingOf(string shard) => replayed.Pending.TryGetValue(shard, out List<Delivery>? list) ? list : replayed.Pending[shard] = [];
        foreach (string line in lines)
        {
            string[] p = line.Split(' ');
            switch (p[0])
            {
                case "init":
                    replayed.Held.Add(p[1]);
                    replayed.Pending[p[1]] = [];
                    break;
                case "rec":
                    var delivery = new Delivery(p[1], Position.Parse(p[2], long.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture)), p[4]);
                    replayed.Deliveries.Add(delivery);
                    PendingOf(p[1]).Add(delivery);
                    break;
                case "ckpt":
                    Position at = p[2] == "SHARD_END" ? new Position(BigInteger.Pow(10, 60), 0) : Position.Parse(p[2], long.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture));
                    replayed.LastCheckpoint[p[1]] = at;
                    PendingOf(p[1]).RemoveAll(d => d.At <= at);
                    break;
                case "ckpt-lost":
                case "lost":
                    replayed.Abandoned.AddRange(PendingOf(p[1]));
                    PendingOf(p[1]).Clear();
                    replayed.Held.Remove(p[1]);
                    break;
                case "end":
                case "shutdown":
                    replayed.Held.Remove(p[1]);
                    break;
            }
        }

        return replayed;
    }
}
