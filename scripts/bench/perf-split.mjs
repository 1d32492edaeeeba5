#!/usr/bin/env node
// Native profile (Linux perf) of the split gateway (lib/systems.mjs: worker | Durable Objects | D1
// in three workerd processes) during a c=16 closed loop: each process's CPU per request, split by
// kind of work (lib/perf.mjs), and for the objects' process the share of samples under a few
// telling frames (a sample counts for every frame of its stack that matches). Not part of npm test.
//
//   npm exec -- node scripts/bench/perf-split.mjs [--seconds 6] [--root DIR] [--out FILE]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import os, { tmpdir } from "node:os";
import { closedLoop, makeAgent, post } from "./lib/client.mjs";
import { cpuSeconds } from "./lib/proc.mjs";
import { perfAvailable, perfRecord, perfSummarize } from "./lib/perf.mjs";
import { round } from "./lib/stats.mjs";
import { BENCH, BENCH_MODEL, buildBundle, startGateway, startStandin } from "./lib/systems.mjs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const SECONDS = Number(opt("--seconds", 6));
const ROOT = opt("--root", undefined);
const OUT = opt("--out", join(BENCH, "results", "perf-split.json"));
const body = { model: BENCH_MODEL, max_tokens: 64, temperature: 0, messages: [
  { role: "system", content: "You are a concise assistant. Answer in one short paragraph." },
  { role: "user", content: "Give me three tips for writing clear commit messages." },
] };

// Frames whose presence anywhere in a stack says what the sample was for (inclusive shares).
const FRAMES = {
  "JS RPC method (admit, settle, alarm work) as it runs": /JsRpcTargetBase::callImpl/,
  "storage commit (WAL frames, fsync)": /sqlite3PagerCommitPhaseOne|pagerWalFrames/,
  "SQL statements (SqlStorage.exec)": /SqlStorage::exec/,
  "savepoint sub-journal written to a temporary file (transactionSync)": /subjournalPage|memjrnlCreateFile/,
  "fsync": /^fsync|fdatasync/,
  "RPC arguments and results (V8 serializer)": /Serializer|Deserializer|serializeJsValue|deserializeJsValue/,
};

function inclusive(file) {
  const r = spawnSync("perf", ["script", "-i", file, "-F", "ip,sym"], { encoding: "utf8", maxBuffer: 1 << 30 });
  const stacks = r.stdout.split("\n\n").map((b) => b.trim().split("\n").map((l) => l.trim().replace(/^\S+\s+/, ""))).filter((s) => s[0]);
  const share = (re) => round(stacks.filter((s) => s.some((f) => re.test(f))).length / Math.max(1, stacks.length), 3);
  return Object.fromEntries(Object.entries(FRAMES).map(([name, re]) => [name, share(re)]));
}

if (!perfAvailable()) {
  process.stderr.write("perf is not installed (apt-get install linux-perf)\n");
  process.exit(2);
}
const standin = await startStandin();
const bundle = buildBundle(ROOT);
const g = await startGateway(bundle, standin, {}, [], { split: true });
const dir = mkdtempSync(join(tmpdir(), "gateway-perf-split-"));
try {
  const target = { url: `${g.origin}/api/v1/chat/completions`, headers: { authorization: `Bearer ${g.apiKey}` } };
  const agent = makeAgent(16);
  for (let i = 0; i < 300; i++) await post(target, body, agent); // JIT warm-up
  const procs = { worker: g.processes.worker, objects: g.processes.objects };
  const recordings = Object.entries(procs).map(([k, pid]) => perfRecord(pid, SECONDS + 1, join(dir, `${k}.data`)));
  await new Promise((r) => setTimeout(r, 300));
  const cpu0 = Object.fromEntries(Object.entries(g.processes).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const w = await closedLoop(target, body, agent, 16, SECONDS * 1000);
  const cpuMs = Object.fromEntries(Object.entries(g.processes).map(([k, pid]) => [k, round(((cpuSeconds(pid) - cpu0[k]) * 1000) / w.completed, 3)]));
  await Promise.all(recordings);
  const out = { date: new Date().toISOString(), loadAverage: os.loadavg().map((x) => round(x, 2)), requests: w.completed, rps: round(w.completed / (w.elapsedMs / 1000), 1), cpuMsPerRequest: cpuMs, processes: {} };
  for (const k of Object.keys(procs)) {
    const s = perfSummarize(join(dir, `${k}.data`));
    out.processes[k] = {
      samples: s.samples,
      byKind: s.byKind.map((x) => ({ name: x.name, share: round(x.share, 3), cpuMsPerRequest: round(x.share * cpuMs[k], 3) })),
      inclusive: inclusive(join(dir, `${k}.data`)),
      topLeaves: s.topLeaves.slice(0, 15).map((x) => ({ name: x.name.slice(0, 120), share: round(x.share, 3) })),
    };
  }
  writeFileSync(OUT, JSON.stringify(out, null, 2) + "\n");
  process.stdout.write(`${w.completed} requests, ${out.rps} req/s, CPU ms per request ${JSON.stringify(cpuMs)}\n`);
  for (const [k, p] of Object.entries(out.processes)) {
    process.stdout.write(`\n${k} (${p.samples} samples)\n`);
    for (const x of p.byKind) process.stdout.write(`  ${(x.share * 100).toFixed(1).padStart(5)} %  ${x.cpuMsPerRequest.toFixed(3)} ms/req  ${x.name}\n`);
    for (const [name, share] of Object.entries(p.inclusive)) process.stdout.write(`  incl. ${(share * 100).toFixed(1).padStart(5)} %  ${name}\n`);
  }
  process.stdout.write(`\nJSON: ${OUT}\n`);
} finally {
  await g.stop();
  await standin.stop();
  bundle.cleanup();
  rmSync(dir, { recursive: true, force: true });
}
