// Start-up to first answered request, the StreamCore server next to kinesalite, side by side in one run: spawn, then
// send ListStreams over a raw HTTP/1.1 connection every millisecond until one is answered. Usage (repository root):
//   (cd benchmarks/wire && npm ci) && dotnet build -c Release src/StreamCore.Server && node benchmarks/wire/startup-bench.mjs [runs]
import { spawn } from "node:child_process";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const runs = Number(process.argv[2] ?? 7);
const targets = [
  { name: "StreamCore (dotnet StreamCore.Server.dll, Release)", port: 4620, command: "dotnet", args: [path.join(root, "src/StreamCore.Server/bin/Release/net10.0/StreamCore.Server.dll"), "--urls", "http://127.0.0.1:4620", "--data-dir", "/tmp"] },
  { name: "kinesalite 3.3.3", port: 4621, command: process.execPath, args: [path.join(here, "node_modules/kinesalite/cli.js"), "--port", "4621"] },
];

const ask = (port) => new Promise((resolve) => {
  const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/", agent: false, headers: { "X-Amz-Target": "Kinesis_20131202.ListStreams", "Content-Type": "application/x-amz-json-1.1", Authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00" } }, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode < 500)); });
  req.on("error", () => resolve(false));
  req.end("{}");
});

const results = Object.fromEntries(targets.map((t) => [t.name, []]));
for (let i = 0; i < runs; i++) {
  for (const target of targets) {
    const started = performance.now();
    const server = spawn(target.command, target.args, { stdio: "ignore" });
    while (!(await ask(target.port))) {
      if (performance.now() - started > 30_000) throw new Error(`${target.name} did not start`);
      await new Promise((r) => setTimeout(r, 1));
    }
    results[target.name].push(performance.now() - started);
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill();
    await exited;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log("| Server | Start-up to first answered ListStreams (median of " + runs + ") | min | max |");
console.log("|---|---:|---:|---:|");
for (const [name, xs] of Object.entries(results)) console.log(`| ${name} | ${median(xs).toFixed(0)} ms | ${Math.min(...xs).toFixed(0)} ms | ${Math.max(...xs).toFixed(0)} ms |`);
