// The StreamCore Kinesis endpoint next to kinesalite, measured with the same client: the AWS SDK for JavaScript v3
// over HTTP/1.1 with keep-alive (kinesalite does not speak HTTP/2). Measures start-up (spawn to first answered call),
// PutRecords of 500 x 100 B, and PutRecord latency. Usage (from the repository root):
//   (cd benchmarks/wire && npm ci) && dotnet build -c Release src/StreamCore.Server && node benchmarks/wire/wire-bench.mjs
import { spawn } from "node:child_process";
import { Agent } from "node:http";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand, ListStreamsCommand, PutRecordCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const quick = process.argv.includes("--quick");
const targets = [
  { name: "StreamCore endpoint", port: 4610, command: "dotnet", args: [path.join(root, "src/StreamCore.Server/bin/Release/net10.0/StreamCore.Server.dll"), "--urls", "http://127.0.0.1:4610"] },
  { name: "kinesalite 3.3.3", port: 4611, command: process.execPath, args: [path.join(here, "node_modules/kinesalite/cli.js"), "--port", "4611", "--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0", "--shardLimit", "1000"] },
];

const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const results = [];
for (const target of targets) {
  const client = new KinesisClient({
    endpoint: `http://127.0.0.1:${target.port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) }),
    maxAttempts: 1,
  });

  // Nothing may already answer on the port, or start-up would time the wrong server.
  const busy = await client.send(new ListStreamsCommand({})).then(() => true, () => false);
  if (busy) throw new Error(`port ${target.port} is already in use`);

  // Start-up: from spawning the server to its first answered call (polled every 5 ms).
  const started = performance.now();
  const server = spawn(target.command, target.args, { stdio: "ignore" });
  let startupMs;
  for (;;) {
    try {
      await client.send(new ListStreamsCommand({}));
      startupMs = performance.now() - started;
      break;
    } catch {
      if (performance.now() - started > 30_000) throw new Error(`${target.name} did not start`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  try {
    await client.send(new CreateStreamCommand({ StreamName: "bench", ShardCount: 4 }));
    while ((await client.send(new DescribeStreamSummaryCommand({ StreamName: "bench" }))).StreamDescriptionSummary.StreamStatus !== "ACTIVE") {
      await new Promise((r) => setTimeout(r, 5));
    }

    const payload = Buffer.alloc(100, 7);
    const batch = { StreamName: "bench", Records: Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `user-${i}`, Data: payload })) };
    const calls = quick ? 3 : 60;
    for (let i = 0; i < (quick ? 1 : 5); i++) await client.send(new PutRecordsCommand(batch));
    const batchTimes = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      const r = await client.send(new PutRecordsCommand(batch));
      batchTimes.push(performance.now() - t);
      if (r.FailedRecordCount !== 0) throw new Error(`${target.name}: ${r.FailedRecordCount} records failed`);
    }

    const singles = quick ? 50 : 2000;
    for (let i = 0; i < (quick ? 5 : 100); i++) await client.send(new PutRecordCommand({ StreamName: "bench", PartitionKey: "k", Data: payload }));
    const latencies = [];
    for (let i = 0; i < singles; i++) {
      const t = performance.now();
      await client.send(new PutRecordCommand({ StreamName: "bench", PartitionKey: `k${i}`, Data: payload }));
      latencies.push(performance.now() - t);
    }

    batchTimes.sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    const medianBatch = percentile(batchTimes, 0.5);
    results.push({
      name: target.name, startupMs,
      putRecordsPerSecond: 500 / (medianBatch / 1000), medianBatchMs: medianBatch,
      p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), p999: percentile(latencies, 0.999),
    });
  } finally {
    client.destroy();
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill();
    await exited;
  }
}

const f = (x, d = 2) => x.toFixed(d);
console.log("| Server | Start-up to first answer | PutRecords 500 x 100 B (median call) | Records/s through PutRecords | PutRecord p50 | p99 | p99.9 |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const r of results) {
  console.log(`| ${r.name} | ${f(r.startupMs, 0)} ms | ${f(r.medianBatchMs)} ms | ${f(r.putRecordsPerSecond, 0)} | ${f(r.p50)} ms | ${f(r.p99)} ms | ${f(r.p999)} ms |`);
}
process.exit(0);
