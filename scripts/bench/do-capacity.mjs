#!/usr/bin/env node
// How many requests per second ONE user's Durable Object sustains, from admission through
// settlement (docs/capacity-big-tenants.md). Not part of npm test.
//
//   npm exec -- node scripts/bench/do-capacity.mjs [--seconds 3] [--rounds 2] [--out FILE]
//
// The gateway's production bundle runs in workerd (as in run.mjs) with a second worker in the same
// process, bound to the gateway's AccountDO class. That driver calls admit() then settle() on one
// user's object, c clients at a time, in a closed loop: no HTTP, no upstream, no tokenizer, so the
// figure is the object's own ceiling (its SQLite work, its two commits, its outbox alarm) plus
// the RPC hop. The process CPU per pair is that of the whole workerd process (driver included).
// With strace installed, a separate window counts the storage syncs (fsync/fdatasync) per pair.
import { createHash } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { cpuSeconds } from "./lib/proc.mjs";
import { round } from "./lib/stats.mjs";
import { ADMIN_TOKEN, BENCH, buildBundle, freePort, startGateway, startStandin, wranglerCompat } from "./lib/systems.mjs";

const argv = process.argv.slice(2);
const opt = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const SECONDS = Number(opt("--seconds", 3));
const ROUNDS = Number(opt("--rounds", 2));
const OUT = opt("--out", join(BENCH, "results", "do-capacity.json"));
const CONCURRENCIES = [1, 4, 16, 64];
const log = (m) => process.stderr.write(`[do-capacity] ${m}\n`);

// Settings as src/config.ts defaults them; prices as the bench model's (pUSD per token).
const SETTINGS = { defaultAllowance: 4096, reservationTtlMs: 900_000, defaultRpm: 600, defaultTpm: 2_000_000, overdraftNano: 50_000_000 };
const PAIR_COST_NANO = (30 * 150_000 + 50 * 600_000) / 1000; // 30 prompt + 50 output tokens

const DRIVER = `
export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const c = Number(q.get("c")), ms = Number(q.get("ms")), keyHash = q.get("keyHash");
    const settings = JSON.parse(q.get("settings"));
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(q.get("user")));
    const run = crypto.randomUUID().slice(0, 8);
    let pairs = 0, refused = 0, charged = 0;
    const t0 = Date.now();
    const end = t0 + ms;
    const loop = async (w) => {
      for (let i = 0; Date.now() < end; i++) {
        const requestId = "cap-" + run + "-" + w + "-" + i;
        const startedAt = Date.now();
        const a = await stub.admit({ keyHash, requestId, model: "bench-model", models: ["bench-model"], now: startedAt,
          inputPrice: 150000, outputPrice: 600000, promptTokensEstimate: 40, requestedMaxOutput: 64, modelMaxOutput: 16384, settings });
        if (!a.ok) { refused++; continue; }
        const r = await stub.settle({ requestId, keyId: a.keyId, model: "bench-model", provider: "openai", attempts: 1, endpoint: "chat.completions",
          stream: false, startedAt, latencyMs: 1, status: "success", httpStatus: 200, errorCode: null, promptTokens: 30, completionTokens: 50,
          cachedTokens: 0, reasoningTokens: 0, costNano: ${PAIR_COST_NANO}, usageSource: "upstream", overdraftNano: settings.overdraftNano });
        charged += r.chargedNano;
        pairs++;
      }
    };
    await Promise.all(Array.from({ length: c }, (_, w) => loop(w)));
    return Response.json({ pairs, refused, charged, elapsedMs: Date.now() - t0 });
  },
};`;

function straceAvailable() {
  return spawnSync("strace", ["-V"], { encoding: "utf8" }).status === 0;
}

/** Storage syncs of the workerd process while `work` runs (strace -c; slows the process, so timed separately). */
async function countSyncs(pid, work) {
  const dir = mkdtempSync(join(tmpdir(), "do-capacity-"));
  const file = join(dir, "strace.txt");
  const tracer = spawn("strace", ["-f", "-c", "-e", "trace=fsync,fdatasync", "-o", file, "-p", String(pid)], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 500));
  const result = await work();
  tracer.kill("SIGINT");
  await new Promise((r) => tracer.on("exit", r));
  const text = readFileSync(file, "utf8");
  rmSync(dir, { recursive: true, force: true });
  const calls = (name) => Number(new RegExp(`^\\s*[\\d.]+\\s+[\\d.]+\\s+\\d+\\s+(\\d+)\\s+(?:\\d+\\s+)?${name}$`, "m").exec(text)?.[1] ?? 0);
  return { ...result, fsync: calls("fsync"), fdatasync: calls("fdatasync") };
}

async function main() {
  const standin = await startStandin();
  const bundle = buildBundle();
  const driverPort = await freePort();
  const driver = {
    name: "driver", modules: true, script: DRIVER, ...wranglerCompat(),
    durableObjects: { ACCOUNT: { className: "AccountDO", scriptName: "gateway", useSQLite: true } },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: driverPort }],
  };
  const g = await startGateway(bundle, standin, {}, [driver]);
  const cleanup = async () => { await g.stop(); standin.stop(); bundle.cleanup(); };
  try {
    const user = await g.createKey("capacity");
    const keyHash = createHash("sha256").update(user.apiKey).digest("hex");
    const drive = async (c, ms) => {
      const q = new URLSearchParams({ c: String(c), ms: String(ms), user: user.userId, keyHash, settings: JSON.stringify(SETTINGS) });
      const res = await fetch(`http://127.0.0.1:${driverPort}/?${q}`);
      if (!res.ok) throw new Error(`driver: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const results = [];
    let charged = (await drive(4, 1000)).charged; // warm-up (JIT, schema)
    for (let rnd = 0; rnd < ROUNDS; rnd++) {
      for (const c of CONCURRENCIES) {
        await new Promise((r) => setTimeout(r, 1200)); // the outbox alarm of the previous window runs in its own time
        const cpu0 = cpuSeconds(g.pid);
        const r = await drive(c, SECONDS * 1000);
        const cpu = cpuSeconds(g.pid) - cpu0;
        charged += r.charged;
        results.push({ round: rnd, concurrency: c, pairs: r.pairs, refused: r.refused, pairsPerSecond: r.pairs / (r.elapsedMs / 1000), cpuMsPerPair: (cpu * 1000) / Math.max(1, r.pairs) });
        log(`c=${c}: ${round(r.pairs / (r.elapsedMs / 1000), 0)} admit+settle pairs/s, ${round((cpu * 1000) / Math.max(1, r.pairs), 3)} ms CPU per pair`);
      }
    }
    const syncs = {};
    if (straceAvailable()) {
      for (const c of [1, 16]) {
        const r = await countSyncs(g.pid, () => drive(c, 2000));
        charged += r.charged;
        syncs[`c${c}`] = { pairs: r.pairs, fsyncPerPair: r.fsync / Math.max(1, r.pairs), fdatasyncPerPair: r.fdatasync / Math.max(1, r.pairs) };
        log(`storage syncs at c=${c} (under strace): ${round(r.fsync / Math.max(1, r.pairs), 2)} fsync and ${round(r.fdatasync / Math.max(1, r.pairs), 2)} fdatasync per pair`);
      }
    }
    // The books: every pair charged exactly its cost, nothing left reserved.
    await new Promise((r) => setTimeout(r, 1500));
    const state = await (await fetch(`${g.origin}/api/admin/users/${user.userId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
    const summary = {};
    for (const c of CONCURRENCIES) {
      const rs = results.filter((x) => x.concurrency === c);
      summary[`c${c}`] = { pairsPerSecond: Math.max(...rs.map((x) => x.pairsPerSecond)), cpuMsPerPair: Math.min(...rs.map((x) => x.cpuMsPerPair)) };
    }
    const out = {
      date: new Date().toISOString(), seconds: SECONDS, rounds: ROUNDS, summary, syncs, windows: results,
      books: { chargedNano: charged, pairCostNano: PAIR_COST_NANO, inFlight: state.in_flight, totalUsageUsd: state.total_usage_usd, balanceUsd: state.balance_usd,
        ok: state.in_flight === 0 && Math.round(Number(state.total_usage_usd) * 1e9) === charged },
    };
    writeFileSync(OUT, JSON.stringify(out, (k, v) => (typeof v === "number" ? round(v, 3) : v), 2) + "\n");
    process.stdout.write(`${JSON.stringify(out.summary)}\n${JSON.stringify(out.syncs)}\n${JSON.stringify(out.books)}\nJSON: ${OUT}\n`);
    if (!out.books.ok) throw new Error(`the books do not match: ${JSON.stringify(out.books)}`);
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  process.stderr.write(`[do-capacity] failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
