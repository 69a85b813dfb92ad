// Start-up, the StreamCore server next to kinesalite, side by side in one run, alternating: spawn, then send ListStreams
// over a fresh HTTP/1.1 connection every millisecond until one is answered; StreamCore's ready line on stdout is timed too.
// Usage (repository root):
//   (cd benchmarks/wire && npm ci) && dotnet build -c Release src/StreamCore.Server && node benchmarks/wire/startup-bench.mjs [runs] [--aot PATH]
// --aot PATH (repeatable) adds a Native AOT binary (dotnet publish src/StreamCore.Server -c Release -r linux-x64 -p:PublishAot=true
// -o DIR gives DIR/StreamCore.Server); --no-jit leaves out the framework-dependent `dotnet StreamCore.Server.dll`.
import { spawn } from "node:child_process";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const argv = process.argv.slice(2);
const aots = argv.flatMap((a, i) => (argv[i - 1] === "--aot" ? [path.resolve(a)] : []));
const runs = Number(argv.find((a, i) => /^\d+$/.test(a) && argv[i - 1] !== "--aot") ?? 7);
const serverArgs = (port) => ["--urls", `http://127.0.0.1:${port}`, "--data-dir", "/tmp/streamcore-startup-bench"];
const targets = [
  ...(argv.includes("--no-jit") ? [] : [{ name: "StreamCore, `dotnet StreamCore.Server.dll` (JIT, Release)", port: 4620, command: "dotnet", args: [path.join(root, "src/StreamCore.Server/bin/Release/net10.0/StreamCore.Server.dll"), ...serverArgs(4620)], ready: true }]),
  ...aots.map((aot, i) => ({ name: `StreamCore, Native AOT${aots.length > 1 ? ` (${aot})` : ""}`, port: 4623 + i, command: aot, args: serverArgs(4623 + i), ready: true })),
  { name: "kinesalite 3.3.3", port: 4621, command: process.execPath, args: [path.join(here, "node_modules/kinesalite/cli.js"), "--port", "4621"], ready: false },
];

const ask = (port) => new Promise((resolve) => {
  const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/", agent: false, headers: { "X-Amz-Target": "Kinesis_20131202.ListStreams", "Content-Type": "application/x-amz-json-1.1", Authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00" } }, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode < 500)); });
  req.on("error", () => resolve(false));
  req.end("{}");
});

const results = Object.fromEntries(targets.map((t) => [t.name, { answered: [], ready: [] }]));
for (let i = 0; i < runs; i++) {
  for (const target of targets) {
    if (await ask(target.port)) throw new Error(`port ${target.port} is already in use`);
    const started = performance.now();
    const server = spawn(target.command, target.args, { stdio: ["ignore", target.ready ? "pipe" : "ignore", "ignore"] });
    if (target.ready) {
      let out = "";
      server.stdout.on("data", (chunk) => {
        if (!out.includes("\n") && (out += chunk).includes("\n")) results[target.name].ready.push(performance.now() - started);
      });
    }
    while (!(await ask(target.port))) {
      if (performance.now() - started > 30_000) throw new Error(`${target.name} did not start`);
      await new Promise((r) => setTimeout(r, 1));
    }
    results[target.name].answered.push(performance.now() - started);
    const exited = new Promise((resolve) => server.once("exit", resolve));
    server.kill();
    await exited;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => (x === undefined ? "-" : `${x.toFixed(0)} ms`);
const baseline = median(results["kinesalite 3.3.3"].answered);
console.log(`| Server | Spawn to ready line (median of ${runs}) | Spawn to first answered ListStreams (median) | min | max | Ratio to kinesalite |`);
console.log("|---|---:|---:|---:|---:|---:|");
for (const [name, { answered, ready }] of Object.entries(results)) {
  console.log(`| ${name} | ${ms(ready.length ? median(ready) : undefined)} | ${ms(median(answered))} | ${ms(Math.min(...answered))} | ${ms(Math.max(...answered))} | ${(median(answered) / baseline).toFixed(2)} |`);
}
