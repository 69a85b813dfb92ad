// The remote client next to the AWS SDK for JavaScript v3, in one run, against one StreamCore server: PutRecords
// (500 x 100 B, one call in flight) and GetRecords (a 20,000-record shard read from TRIM_HORIZON with Limit 10000),
// records/s and records per client CPU-second (the per-core figure: each client is a single process whose CPU time
// is measured over the loop). Usage (from the repository root):
//   (cd benchmarks/wire && npm ci) && dotnet build -c Release src/StreamCore.Server benchmarks/RemoteClientBench \
//     && node benchmarks/wire/client-bench.mjs [--quick]
import { spawn, execFileSync } from "node:child_process";
import { Agent } from "node:http";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, ListStreamsCommand, PutRecordsCommand, GetShardIteratorCommand, GetRecordsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const quick = process.argv.includes("--quick");
const port = 4612;
const url = `http://127.0.0.1:${port}`;
const calls = quick ? 5 : 60;
const reads = quick ? 2 : 40;

const client = new KinesisClient({
  endpoint: url,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) }),
  maxAttempts: 1,
});

const busy = await client.send(new ListStreamsCommand({})).then(() => true, () => false);
if (busy) throw new Error(`port ${port} is already in use`);
const server = spawn("dotnet", [path.join(root, "src/StreamCore.Server/bin/Release/net10.0/StreamCore.Server.dll"), "--urls", url], { stdio: "ignore" });
const cpuSeconds = (u) => (u.user + u.system) / 1e6;
const results = [];
try {
  for (const started = performance.now(); ;) {
    try { await client.send(new ListStreamsCommand({})); break; } catch {
      if (performance.now() - started > 30_000) throw new Error("the StreamCore server did not start");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const active = async (name) => {
    while ((await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary.StreamStatus !== "ACTIVE") await new Promise((r) => setTimeout(r, 5));
  };
  await client.send(new CreateStreamCommand({ StreamName: "bench-put", ShardCount: 4 }));
  await client.send(new CreateStreamCommand({ StreamName: "bench-read", ShardCount: 1 }));
  await active("bench-put");
  await active("bench-read");

  const payload = Buffer.alloc(100, 7);
  const batch = (stream) => ({ StreamName: stream, Records: Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `user-${i}`, Data: payload })) });
  for (let i = 0; i < 40; i++) await client.send(new PutRecordsCommand(batch("bench-read"))); // 20,000 records to read
  // Warm the server (JIT tiers) before any client is measured, so the first client measured is not penalised.
  for (let i = 0; i < (quick ? 2 : 200); i++) await client.send(new PutRecordsCommand(batch("bench-put")));
  for (let i = 0; i < (quick ? 1 : 10); i++) {
    let it = (await client.send(new GetShardIteratorCommand({ StreamName: "bench-read", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    while (it) { const p = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 })); it = p.Records.length === 0 ? undefined : p.NextShardIterator; }
  }

  // The JavaScript SDK: PutRecords.
  const putBatch = batch("bench-put");
  for (let i = 0; i < Math.max(5, calls / 6); i++) await client.send(new PutRecordsCommand(putBatch));
  const times = [];
  let cpu = process.cpuUsage();
  let wall = performance.now();
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    const r = await client.send(new PutRecordsCommand(putBatch));
    times.push(performance.now() - t);
    if (r.FailedRecordCount !== 0) throw new Error(`${r.FailedRecordCount} records failed`);
  }
  const putWall = (performance.now() - wall) / 1000;
  const putCpu = cpuSeconds(process.cpuUsage(cpu));
  times.sort((a, b) => a - b);
  const medianPut = times[Math.floor(times.length / 2)];

  // The JavaScript SDK: GetRecords.
  const readAll = async () => {
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: "bench-read", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    let count = 0;
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10000 }));
      count += page.Records.length;
      iterator = page.Records.length === 0 ? undefined : page.NextShardIterator;
    }
    return count;
  };
  for (let i = 0; i < 3; i++) await readAll();
  cpu = process.cpuUsage();
  wall = performance.now();
  let read = 0;
  for (let i = 0; i < reads; i++) read += await readAll();
  const readWall = (performance.now() - wall) / 1000;
  const readCpu = cpuSeconds(process.cpuUsage(cpu));
  results.push({
    client: "AWS SDK for JavaScript v3 (JSON, node " + process.version + ")",
    medianPutMs: medianPut, putRecordsPerSecond: 500 / (medianPut / 1000), putRecordsPerCpuSecond: (calls * 500) / putCpu, putCpuShare: putCpu / putWall,
    getRecordsPerSecond: read / readWall, getRecordsPerCpuSecond: read / readCpu, getCpuShare: readCpu / readWall,
  });

  // The .NET remote client, against the same server and streams.
  for (const protocol of ["json", "cbor"]) {
    const out = execFileSync("dotnet", [path.join(root, "benchmarks/RemoteClientBench/bin/Release/net10.0/RemoteClientBench.dll"),
      "--url", url, "--put-stream", "bench-put", "--read-stream", "bench-read", "--calls", String(calls), "--reads", String(reads), "--protocol", protocol], { encoding: "utf8" });
    results.push(JSON.parse(out.trim().split("\n").pop()));
  }
} finally {
  client.destroy();
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill();
  await exited;
}

const f = (x, d = 0) => Number(x).toFixed(d);
console.log("| Client | PutRecords 500 x 100 B, median call | PutRecords records/s | records per client CPU-s | client CPU share | GetRecords records/s | records per client CPU-s | client CPU share |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  console.log(`| ${r.client} | ${f(r.medianPutMs, 2)} ms | ${f(r.putRecordsPerSecond)} | ${f(r.putRecordsPerCpuSecond)} | ${f(r.putCpuShare, 2)} | ${f(r.getRecordsPerSecond)} | ${f(r.getRecordsPerCpuSecond)} | ${f(r.getCpuShare, 2)} |`);
}
process.exit(0);
