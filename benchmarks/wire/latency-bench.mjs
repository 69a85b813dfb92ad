// PutRecord latency at a fixed rate (default 1,000 calls/s: 4 HTTP/1.1 keep-alive connections x 250/s, h2load from
// Debian's nghttp2-client, pre-built body), for the StreamCore server and, in the same run, the baselines that say what is
// the machine's and what is the server's: a static-response node server (the scheduler's noise on this machine) and
// kinesalite. Each target is measured in rounds, alternating, so they share the same noise. Usage (repository root):
//   (cd benchmarks/wire && npm ci) && dotnet build -c Release src/StreamCore.Server && node benchmarks/wire/latency-bench.mjs
//     [--calls N] [--rounds N] [--aot PATH] [--env NAME=VALUE ...] [--variant 'LABEL:NAME=VALUE,...' ...]
//   (--env is passed to the StreamCore server; each --variant adds the JIT server once more with that environment)
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync, readFileSync, mkdtempSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const calls = Number(opt("--calls", 10_000));
const rounds = Number(opt("--rounds", 3));
const aot = opt("--aot", null);
const env = Object.fromEntries(argv.flatMap((a, i) => (argv[i - 1] === "--env" ? [a.split("=")] : [])));
// --variant 'LABEL:NAME=VALUE,NAME=VALUE' adds the JIT server again with that environment (e.g. another GC), same run.
const variants = argv.flatMap((a, i) => (argv[i - 1] === "--variant" ? [a] : [])).map((v) => {
  const [label, settings] = v.split(":");
  return { label, env: Object.fromEntries(settings.split(",").map((kv) => kv.split("="))) };
});
const work = mkdtempSync(path.join(os.tmpdir(), "streamcore-latency-"));

const servers = [
  { name: "static response (node http, the machine's baseline)", port: 4650, command: process.execPath, args: ["-e", "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.setHeader('Content-Type','application/x-amz-json-1.1');s.end('{\"ShardId\":\"shardId-000000000000\",\"SequenceNumber\":\"1\"}')})}).listen(4650,'127.0.0.1')"] },
  { name: aot ? "StreamCore (Native AOT)" : "StreamCore (`dotnet StreamCore.Server.dll`, JIT)", port: 4651, command: aot ?? "dotnet", args: [...(aot ? [] : [path.join(root, "src/StreamCore.Server/bin/Release/net10.0/StreamCore.Server.dll")]), "--urls", "http://127.0.0.1:4651", "--data-dir", work], env },
  ...variants.map((v, i) => ({ name: `StreamCore (JIT, ${v.label})`, port: 4660 + i, command: "dotnet", args: [path.join(root, "src/StreamCore.Server/bin/Release/net10.0/StreamCore.Server.dll"), "--urls", `http://127.0.0.1:${4660 + i}`, "--data-dir", work], env: v.env })),
  { name: "kinesalite 3.3.3", port: 4652, command: process.execPath, args: [path.join(here, "node_modules/kinesalite/cli.js"), "--port", "4652", "--createStreamMs", "0"] },
];

const call = (port, target, body) => new Promise((resolve, reject) => {
  const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/", agent: false, headers: { "X-Amz-Target": `Kinesis_20131202.${target}`, "Content-Type": "application/x-amz-json-1.1", Authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000", "X-Amz-Date": "20260101T000000Z" } }, (res) => { let t = ""; res.on("data", (c) => (t += c)); res.on("end", () => resolve({ status: res.statusCode, body: t })); });
  req.on("error", reject);
  req.end(body);
});

const body = path.join(work, "putrecord.json");
writeFileSync(body, JSON.stringify({ StreamName: "bench", PartitionKey: "user-1", Data: Buffer.alloc(100, 7).toString("base64") }));
const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const samples = Object.fromEntries(servers.map((s) => [s.name, []]));
const running = [];
try {
  for (const s of servers) {
    const child = spawn(s.command, s.args, { stdio: "ignore", env: { ...process.env, ...(s.env ?? {}) } });
    running.push(child);
    for (let i = 0; ; i++) {
      try { await call(s.port, "ListStreams", "{}"); break; } catch { if (i > 30_000) throw new Error(`${s.name} did not start`); await new Promise((r) => setTimeout(r, 1)); }
    }
    await call(s.port, "CreateStream", JSON.stringify({ StreamName: "bench", ShardCount: 4 }));
    await new Promise((r) => setTimeout(r, 200));
  }
  for (let round = 0; round < rounds + 1; round++) {
    for (const s of servers) {
      const log = path.join(work, `lat-${s.port}.log`);
      // Round 0 warms every server up (JIT tiers, connection pools) and is not counted.
      const n = round === 0 ? Math.min(calls, 3_000) : calls;
      const h2 = spawnSync("h2load", ["--h1", "-n", String(n), "-c", "4", "-t", "1", "--rps", "250", "-d", body,
        "-H", "Content-Type: application/x-amz-json-1.1", "-H", "X-Amz-Date: 20260101T000000Z",
        "-H", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000",
        "-H", "X-Amz-Target: Kinesis_20131202.PutRecord", `--log-file=${log}`, `http://127.0.0.1:${s.port}/`], { encoding: "utf8" });
      if (h2.status !== 0) throw new Error(`h2load failed: ${h2.stderr}`);
      if (round === 0) continue;
      const lines = readFileSync(log, "utf8").trim().split("\n").map((l) => l.split("\t"));
      const bad = lines.filter((l) => l[1] !== "200").length;
      if (bad > 0) throw new Error(`${s.name}: ${bad} answers were not 200`);
      samples[s.name].push(lines.map((l) => Number(l[2]) / 1000).sort((a, b) => a - b));
    }
  }
} finally {
  for (const child of running) child.kill();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`PutRecord at 1,000 calls/s (4 connections x 250/s), ${calls} calls per round, ${rounds} rounds; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
console.log("| Server | p50 | p90 | p99 (median of rounds) | p99 per round | p99.9 (median) |");
console.log("|---|---:|---:|---:|---|---:|");
for (const [name, perRound] of Object.entries(samples)) {
  const q = (x) => median(perRound.map((s) => percentile(s, x)));
  console.log(`| ${name} | ${q(0.5).toFixed(2)} ms | ${q(0.9).toFixed(2)} ms | ${q(0.99).toFixed(2)} ms | ${perRound.map((s) => percentile(s, 0.99).toFixed(2)).join(", ")} | ${q(0.999).toFixed(2)} ms |`);
}
