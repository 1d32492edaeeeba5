#!/usr/bin/env node
// Before / after of the gateway's own CPU, production-style: two split gateways (lib/systems.mjs,
// worker | Durable Objects | D1 in three workerd processes each), one built from this checkout and
// one from another (--baseline DIR), driven in alternating c=16 closed-loop windows, each window's
// CPU per request read per process. Alternation puts the machine's noise on both alike.
//
//   npm exec -- node scripts/bench/split-ab.mjs --baseline DIR [--rounds 8] [--ms 3000] [--out FILE]
import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { closedLoop, makeAgent } from "./lib/client.mjs";
import { cpuSeconds } from "./lib/proc.mjs";
import { round } from "./lib/stats.mjs";
import { BENCH, BENCH_MODEL, buildBundle, startGateway, startStandin } from "./lib/systems.mjs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const BASELINE = opt("--baseline", null);
const ROUNDS = Number(opt("--rounds", 8));
const MS = Number(opt("--ms", 3000));
const OUT = opt("--out", join(BENCH, "results", "split-ab.json"));
if (!BASELINE) {
  process.stderr.write("usage: split-ab.mjs --baseline DIR [--rounds 8] [--ms 3000] [--out FILE]\n");
  process.exit(2);
}
const log = (m) => process.stderr.write(`[split-ab] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const body = { model: BENCH_MODEL, messages: [
  { role: "system", content: "You are a concise assistant. Answer in one short paragraph." },
  { role: "user", content: "Give me three tips for writing clear commit messages." },
], max_tokens: 64, temperature: 0 };

const cleanups = [];
try {
  const loadAtStart = os.loadavg().map((x) => round(x, 2));
  const standin = await startStandin();
  cleanups.push(() => standin.stop());
  const systems = [];
  for (const [name, dir] of [["after", undefined], ["before", BASELINE]]) {
    const bundle = buildBundle(dir);
    cleanups.push(() => bundle.cleanup());
    const g = await startGateway(bundle, standin, {}, [], { split: true });
    cleanups.push(() => g.stop());
    const target = { url: `${g.origin}/api/v1/chat/completions`, headers: { authorization: `Bearer ${g.apiKey}` } };
    systems.push({ name, g, target, agent: makeAgent(16), sums: { requests: 0, errors: 0, worker: 0, objects: 0, d1: 0 } });
  }
  for (const s of systems) await closedLoop(s.target, body, s.agent, 16, 1500); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of r % 2 ? [...systems].reverse() : systems) {
      await sleep(300);
      const c0 = Object.fromEntries(Object.entries(s.g.processes).map(([k, p]) => [k, cpuSeconds(p)]));
      const w = await closedLoop(s.target, body, s.agent, 16, MS);
      await sleep(300); // settlement and the outbox alarm of the window's last requests
      s.sums.requests += w.completed;
      s.sums.errors += w.errors;
      for (const [k, p] of Object.entries(s.g.processes)) s.sums[k] += cpuSeconds(p) - c0[k];
    }
    log(`round ${r + 1}/${ROUNDS}`);
  }
  const result = { date: new Date().toISOString(), baseline: BASELINE, rounds: ROUNDS, windowMs: MS, loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg().map((x) => round(x, 2)), systems: {} };
  for (const s of systems) {
    const per = (k) => round((s.sums[k] * 1000) / s.sums.requests, 3);
    result.systems[s.name] = { requests: s.sums.requests, errors: s.sums.errors, rps: round(s.sums.requests / ((ROUNDS * MS) / 1000), 1),
      cpuMsPerRequest: { worker: per("worker"), objects: per("objects"), d1: per("d1"), all: round(per("worker") + per("objects") + per("d1"), 3) } };
  }
  writeFileSync(OUT, JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
} finally {
  while (cleanups.length) { try { await cleanups.pop()(); } catch { /* best effort */ } }
}
