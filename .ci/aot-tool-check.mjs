// Checks an installed `streamcore` command: it is a native executable (not the framework-dependent shim running
// StreamCore.Server.dll), prints its help, starts on a free port with its ready line, answers ListStreams, and exits 0
// on SIGTERM. Usage: node .ci/aot-tool-check.mjs PATH_TO_STREAMCORE DATA_DIR
import { spawn, spawnSync } from "node:child_process";
import { realpathSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";

const [command, data] = process.argv.slice(2);
// The tool path's shim leads to the package's files: the native package carries no StreamCore.Server.dll.
const store = path.join(path.dirname(command), ".store", "streamcore.server");
const files = [];
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : files.push(path.join(dir, e.name))));
walk(store);
assert.ok(files.some((f) => f.includes("streamcore.server.linux-x64")), `the linux-x64 package was not installed: ${files.join(", ")}`);
const binary = files.find((f) => path.basename(f) === "StreamCore.Server");
assert.ok(binary, `no native StreamCore.Server in ${files.join(", ")}`);
assert.ok(readFileSync(binary).subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])), "StreamCore.Server is not an ELF executable");
assert.ok(!files.some((f) => path.basename(f) === "StreamCore.Server.dll"), "the framework-dependent StreamCore.Server.dll was installed");

const help = spawnSync(command, ["--help"], { encoding: "utf8" });
assert.equal(help.status, 0, help.stderr);
assert.match(help.stdout, /--status-delay-ms/);

const server = spawn(command, ["--urls", "http://127.0.0.1:0", "--data-dir", data], { stdio: ["ignore", "pipe", "inherit"] });
const exited = new Promise((resolve) => server.once("exit", (code, signal) => resolve({ code, signal })));
const ready = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (chunk) => { out += chunk; if (out.includes("\n")) resolve(out.split("\n")[0]); });
  setTimeout(() => reject(new Error(`no ready line in 60 s: '${out}'`)), 60_000).unref();
});
const match = /^StreamCore ready url=(http:\/\/127\.0\.0\.1:(\d+)) account=000000000000 region=us-east-1 data=/.exec(ready);
assert.ok(match && match[2] !== "0", `unexpected ready line: ${ready}`);
const response = await fetch(match[1], { method: "POST", headers: { "X-Amz-Target": "Kinesis_20131202.ListStreams", "Content-Type": "application/x-amz-json-1.1" }, body: "{}" });
assert.equal(response.status, 200);
assert.deepEqual((await response.json()).StreamNames, []);
server.kill("SIGTERM");
assert.deepEqual(await exited, { code: 0, signal: null });
console.log(`native AOT tool: ${realpathSync(binary)} served ListStreams at ${match[1]} and stopped`);
