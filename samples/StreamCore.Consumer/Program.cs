// Several KCL-style workers, each a process of its own, share a stream: they read it through the StreamCore server
// (the remote client; point it at Amazon Kinesis and nothing else changes) and keep their leases and checkpoints in
// one folder (FileSystemLeaseStore; DynamoDbLeaseStore for workers on several machines). One worker is killed
// mid-stream: once its leases expire (the failover time) the others take its shards over and resume after its last
// checkpoint; the records it processed after that checkpoint are processed again (at least once), nothing is lost.
using System.Text;
using StreamCore;
using StreamCore.Samples.Consumer;
using StreamCore.Server;

if (args.Length > 0 && args[0] == "worker")
{
    return await ConsumerWorker.RunAsync(WorkerSettings.Parse(args), Console.Out, Console.In);
}

using var engine = new StreamEngine();
await using KinesisEndpoint endpoint = await KinesisEndpoint.StartAsync(engine);
DataStream orders = engine.CreateStream("orders", 4);
string leaseFolder = Directory.CreateTempSubdirectory("orders-app-leases-").FullName;
Console.WriteLine($"Server at {endpoint.Url}; stream 'orders' with 4 shards; leases in {leaseFolder}");

const int PerPhase = 3000;
var workers = new List<WorkerProcess>();
try
{
    for (int i = 1; i <= 3; i++)
    {
        // Each worker leaves the last 5 records of every batch uncheckpointed, so a crash has something to redo.
        workers.Add(WorkerProcess.Start(new WorkerSettings(endpoint.Url, leaseFolder, "orders", "worker-" + i, TimeSpan.FromSeconds(2), CheckpointLag: 5, MaxRecords: 50)));
    }

    TimeSpan patience = TimeSpan.FromSeconds(60);
    await WorkerProcess.WaitUntilAsync(() => workers.All(w => w.Lines.Contains("ready")), patience, "the workers to start");
    Write(0, PerPhase);
    WorkerProcess victim = workers[0];
    await WorkerProcess.WaitUntilAsync(() => victim.Lines.Any(l => l.StartsWith("rec ", StringComparison.Ordinal)), patience, "worker-1 to process records");
    string[] victimShards = [.. Held(victim)];
    victim.Kill();
    Console.WriteLine($"Killed worker-1 (pid {victim.ProcessId}) holding {string.Join(", ", victimShards)} after it processed {Records(victim).Count()} records");

    Write(PerPhase, PerPhase);
    await WorkerProcess.WaitUntilAsync(() => workers.SelectMany(Records).Distinct().Count() == 2 * PerPhase, patience, "every record to be processed");
    foreach (WorkerProcess survivor in workers.Skip(1))
    {
        await survivor.StopAsync(patience); // graceful: checkpoint, release
    }

    foreach (WorkerProcess worker in workers)
    {
        Console.WriteLine($"{worker.WorkerId}: {Records(worker).Count(),5} records; took {string.Join(", ", worker.Lines.Where(l => l.StartsWith("init ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]))}");
    }

    string[] all = [.. workers.SelectMany(Records)];
    int distinct = all.Distinct().Count();
    Console.WriteLine($"{2 * PerPhase} records written, {distinct} processed, none lost: {distinct == 2 * PerPhase}; {all.Length - distinct} processed twice (worker-1's uncheckpointed tail, redone by the new owners)");
    return distinct == 2 * PerPhase ? 0 : 1;
}
finally
{
    workers.ForEach(w => w.Dispose());
    Directory.Delete(leaseFolder, recursive: true);
}

void Write(int from, int count)
{
    for (int i = from; i < from + count; i++)
    {
        orders.Append("customer-" + (i % 100), Encoding.UTF8.GetBytes("order-" + i));
    }
}

static IEnumerable<string> Records(WorkerProcess worker) =>
    worker.Lines.Where(l => l.StartsWith("rec ", StringComparison.Ordinal)).Select(l => l[(l.LastIndexOf(' ') + 1)..]);

static IEnumerable<string> Held(WorkerProcess worker)
{
    var held = new SortedSet<string>(StringComparer.Ordinal);
    foreach (string line in worker.Lines)
    {
        string[] parts = line.Split(' ');
        if (parts[0] == "init")
        {
            held.Add(parts[1]);
        }
        else if (parts[0] is "lost" or "end" or "shutdown")
        {
            held.Remove(parts[1]);
        }
    }

    return held;
}
