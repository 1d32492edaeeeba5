#!/usr/bin/env node
// The floor under the gateway's CPU figure: what two Durable Object calls per request cost on this
// machine when they do nothing but the storage pattern a metered request needs (docs/benchmarks.md,
// "The floor"). Not part of npm test.
//
//   npm exec -- node scripts/bench/commit-floor.mjs [--seconds 3] [--rounds 3] [--out FILE]
//
// One workerd process holds a minimal SQLite-backed Durable Object (one table, one row per request)
// and a driver worker that calls it in a closed loop, c callers at a time, two calls per "request":
//   rpc  two read-only calls                    (the RPC hop alone: no commit)
//   one  a read-only call, then one insert      (one durable commit per request)
//   two  an insert, then an update of that row  (two durable commits: admission, then settlement)
// Modes take turns in every round (shuffled, seeded), so the machine's noise falls on all of them.
// The bare pass-through worker (bare-worker.mjs) runs in the same rounds at c=16 through HTTP,
// as in the bench: bare's CPU per request plus the "two" pattern's is the least a gateway with a
// durable reservation and a durable charge can cost in one process, before any of its own work.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpuSeconds } from "./lib/proc.mjs";
import { makeAgent, closedLoop } from "./lib/client.mjs";
import { median, round, seededShuffle } from "./lib/stats.mjs";
import { BENCH, freePort, startBare, startMiniflare, startStandin, wranglerCompat } from "./lib/systems.mjs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const SECONDS = Number(opt("--seconds", 3));
const ROUNDS = Number(opt("--rounds", 3));
const OUT = opt("--out", join(BENCH, "results", "commit-floor.json"));
const MODES = ["rpc", "one", "two"];
const CONCURRENCIES = [1, 16];
const log = (m) => process.stderr.write(`[commit-floor] ${m}\n`);

const SCRIPT = `
import { DurableObject } from "cloudflare:workers";
export class Floor extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS r (id TEXT PRIMARY KEY, state TEXT NOT NULL, amount INTEGER NOT NULL)");
  }
  read(id) { return this.ctx.storage.sql.exec("SELECT count(*) AS n FROM r WHERE id = ?", id).one().n; }
  reserve(id) { this.ctx.storage.sql.exec("INSERT INTO r (id, state, amount) VALUES (?, 'reserved', 100)", id); return 1; }
  settle(id) { this.ctx.storage.sql.exec("UPDATE r SET state = 'settled', amount = 50 WHERE id = ?", id); return 1; }
  record(id) { this.ctx.storage.sql.exec("INSERT INTO r (id, state, amount) VALUES (?, 'settled', 50)", id); return 1; }
}
const PAIRS = {
  rpc: async (s, id) => { await s.read(id); await s.read(id); },
  one: async (s, id) => { await s.read(id); await s.record(id); },
  two: async (s, id) => { await s.reserve(id); await s.settle(id); },
};
export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const c = Number(q.get("c")), ms = Number(q.get("ms")), mode = q.get("mode");
    const stub = env.FLOOR.get(env.FLOOR.idFromName("wallet"));
    const run = crypto.randomUUID().slice(0, 8);
    const pairMs = [];
    let pairs = 0;
    const t0 = Date.now(), end = t0 + ms;
    const loop = async (w) => {
      for (let i = 0; Date.now() < end; i++) {
        const id = run + "-" + w + "-" + i;
        const a = performance.now();
        await PAIRS[mode](stub, id);
        pairMs.push(performance.now() - a);
        pairs++;
      }
    };
    await Promise.all(Array.from({ length: c }, (_, w) => loop(w)));
    pairMs.sort((x, y) => x - y);
    return Response.json({ pairs, elapsedMs: Date.now() - t0, pairP50Ms: pairMs[Math.floor(pairMs.length / 2)] ?? null });
  },
};`;

async function startFloor() {
  const port = await freePort();
  const { mf, pid } = await startMiniflare({
    name: "floor", modules: true, script: SCRIPT, ...wranglerCompat(),
    durableObjects: { FLOOR: { className: "Floor", useSQLite: true } },
    unsafeDirectSockets: [{ host: "127.0.0.1", port }],
  });
  return { mf, pid, origin: `http://127.0.0.1:${port}` };
}

async function main() {
  const standin = await startStandin();
  const bare = await startBare(standin);
  const floor = await startFloor();
  log(`floor: workerd pid ${floor.pid}; bare: pid ${bare.pid}`);
  const drive = async (mode, c, ms) => (await fetch(`${floor.origin}/?${new URLSearchParams({ mode, c: String(c), ms: String(ms) })}`)).json();
  const agent = makeAgent(32);
  const bareTarget = { url: `${bare.origin}/v1/chat/completions`, headers: { authorization: "Bearer sk-bench" } };
  const payload = { model: "bench-upstream", messages: [{ role: "user", content: "Hi" }], max_tokens: 64 };
  const windows = [];
  try {
    for (const m of MODES) await drive(m, 4, 500); // warm-up
    await closedLoop(bareTarget, payload, agent, 16, 500);
    for (let rnd = 0; rnd < ROUNDS; rnd++) {
      for (const sys of seededShuffle([...MODES.flatMap((m) => CONCURRENCIES.map((c) => ({ m, c }))), { m: "bare", c: 16 }], 20261203 + rnd)) {
        await new Promise((r) => setTimeout(r, 300));
        const pid = sys.m === "bare" ? bare.pid : floor.pid;
        const cpu0 = cpuSeconds(pid);
        const r = sys.m === "bare"
          ? await closedLoop(bareTarget, payload, agent, sys.c, SECONDS * 1000).then((x) => ({ pairs: x.completed, elapsedMs: x.elapsedMs, pairP50Ms: null }))
          : await drive(sys.m, sys.c, SECONDS * 1000);
        await new Promise((r) => setTimeout(r, 300)); // commits and alarms finish inside the window's CPU
        const cpuMs = (cpuSeconds(pid) - cpu0) * 1000;
        windows.push({ round: rnd, mode: sys.m, concurrency: sys.c, pairs: r.pairs, perSecond: r.pairs / (r.elapsedMs / 1000), cpuMsPerPair: cpuMs / Math.max(1, r.pairs), pairP50Ms: r.pairP50Ms });
        log(`round ${rnd} ${sys.m} c=${sys.c}: ${round(r.pairs / (r.elapsedMs / 1000), 0)}/s, ${round(cpuMs / Math.max(1, r.pairs), 3)} ms CPU each${r.pairP50Ms === null ? "" : `, p50 ${round(r.pairP50Ms, 3)} ms`}`);
      }
    }
  } finally {
    await floor.mf.dispose();
    await bare.stop();
    standin.stop();
  }
  const summary = {};
  for (const w of windows) (summary[`${w.mode} c=${w.concurrency}`] ??= []).push(w);
  const table = Object.fromEntries(Object.entries(summary).map(([k, ws]) => [k, {
    cpuMsPerPair: median(ws.map((w) => w.cpuMsPerPair)), perSecond: median(ws.map((w) => w.perSecond)),
    ...(ws[0].pairP50Ms === null ? {} : { pairP50Ms: median(ws.map((w) => w.pairP50Ms)) }),
  }]));
  const floorC16 = table["bare c=16"].cpuMsPerPair + table["two c=16"].cpuMsPerPair;
  const out = { date: new Date().toISOString(), seconds: SECONDS, rounds: ROUNDS, summary: table, floorCpuMsPerRequestC16: floorC16, windows };
  writeFileSync(OUT, JSON.stringify(out, (k, v) => (typeof v === "number" ? round(v, 3) : v), 2) + "\n");
  process.stdout.write(`${JSON.stringify(table, null, 1)}\nfloor at c=16 (bare + two commits): ${round(floorC16, 3)} ms CPU per request\nJSON: ${OUT}\n`);
}

main().catch((err) => {
  process.stderr.write(`[commit-floor] failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
