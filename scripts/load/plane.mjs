#!/usr/bin/env node
// npm run load:plane [-- --requests N (default 200000) --users U (50) --keys-per-user K (5) --mirror on|off (off) --concurrency C (8)]
//
// The usage data plane under load, on the production bundle (`wrangler deploy --dry-run`) in
// workerd through Miniflare: D1, the Durable Objects, the R2 archive and the queue with its
// batched consumer, all local. A full HTTP run does about 26 requests/s on this 2-core machine
// (scripts/load/run.mjs: 20,000 in 766 s), so 200,000 would take over two hours: this script
// drives the wallet's Durable Object directly instead, from a small driver worker over RPC —
// settle() per request (ledger entry, usage record, outbox), the same calls the gateway makes
// after a response — and lets the real queue consumer write the archive, rollups and statements.
// Requests are stamped with the time they are settled, as in production.
//
// It reports D1 rows written per request (row upserts and SQLite rows_written, which counts index
// entries), bytes per request in D1, R2 and the queue, and drift between every wallet's Durable
// Object, its D1 cursor, rollups, statements and archived lines (must be 0).
// Writes scripts/load/results/plane-<mirror>.json; exit code 1 if any drift.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBundle, ROOT, splitSql, wranglerCompat } from "../bench/lib/systems.mjs";

const args = process.argv.slice(2);
const arg = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const PLAN = {
  requests: Number(arg("--requests", 200_000)), users: Number(arg("--users", 50)), keysPerUser: Number(arg("--keys-per-user", 5)),
  mirror: arg("--mirror", "off"), concurrency: Number(arg("--concurrency", 8)), chunk: 500, models: ["model-a", "model-b", "model-c"],
};
const log = (m) => process.stderr.write(`[plane] ${m}\n`);

// The driver: settles `count` requests of one wallet, or flushes it, or reads its figures.
const DRIVER = `
export default {
  async fetch(request, env) {
    const q = await request.json();
    const stub = env.ACCOUNT.get(env.ACCOUNT.idFromName(q.userId));
    if (q.op === "init") {
      await stub.credit(q.userId, { kind: "grant", amountNano: 1_000_000_000_000, ref: "load-plane" });
      return Response.json({ ok: true });
    }
    if (q.op === "flush") return Response.json({ sent: await stub.flushOutbox() });
    if (q.op === "figures") {
      const s = await stub.summary();
      const cursor = q.batch;
      return Response.json({ summary: s, plane: await stub.usagePlaneSnapshot(cursor) });
    }
    for (let i = 0; i < q.count; i++) {
      const n = q.from + i;
      await stub.settle({
        requestId: "req_" + q.userId + "_" + n, keyId: q.keyIds[n % q.keyIds.length], model: q.models[n % q.models.length],
        provider: "openai", attempts: 1, endpoint: "chat", stream: n % 3 === 0, startedAt: Date.now(),
        latencyMs: 20 + (n % 200), status: "success", httpStatus: 200, errorCode: null, promptTokens: 100 + (n % 50),
        completionTokens: 20 + (n % 30), cachedTokens: n % 5, reasoningTokens: 0, costNano: 1000 + (n % 997), usageSource: "upstream", overdraftNano: 0,
      });
    }
    return Response.json({ settled: q.count });
  },
};`;

async function loadMiniflare() {
  try { return await import("miniflare"); } catch { return import(join(ROOT, "node_modules/wrangler/node_modules/miniflare/dist/src/index.js")); }
}

async function start(bundle, consumerStats) {
  const mod = await loadMiniflare();
  const convert = (v4) => (typeof mod.convertV4MiniflareOptions === "function" ? mod.convertV4MiniflareOptions(v4) : v4);
  const mf = new mod.Miniflare(convert({
    log: new mod.Log(mod.LogLevel.WARN), cf: false,
    handleStructuredLogs({ level, message }) {
      const m = /usage plane: (\{.*\})/.exec(message);
      if (m) consumerStats.push(JSON.parse(m[1]));
      else if (level === "error" || level === "warn") process.stderr.write(`${message}\n`);
    },
    workers: [
      {
        name: "gateway", modules: true, ...wranglerCompat(), scriptPath: bundle.script, modulesRoot: bundle.outdir,
        d1Databases: { DB: "plane-db" }, r2Buckets: { USAGE_ARCHIVE: "plane-archive" },
        queueProducers: { USAGE_QUEUE: "gateway-usage" },
        queueConsumers: { "gateway-usage": { maxBatchSize: 100, maxBatchTimeout: 1, maxRetries: 100 } },
        durableObjects: { ACCOUNT: { className: "AccountDO", useSQLite: true }, HEALTH: { className: "ChannelHealthDO", useSQLite: true } },
        bindings: { DEMO_PROVIDER: "off", USAGE_D1_MIRROR: PLAN.mirror },
      },
      { name: "driver", modules: true, ...wranglerCompat(), script: DRIVER, durableObjects: { ACCOUNT: { className: "AccountDO", scriptName: "gateway", useSQLite: true } } },
    ],
  }));
  await mf.ready;
  const db = await mf.getD1Database("DB", "gateway");
  for (const f of readdirSync(join(ROOT, "migrations")).filter((x) => x.endsWith(".sql")).sort()) {
    const stmts = splitSql(readFileSync(join(ROOT, "migrations", f), "utf8"));
    if (stmts.length) await db.batch(stmts.map((s) => db.prepare(s)));
  }
  const driver = await mf.getWorker("driver");
  const call = async (body) => {
    const res = await driver.fetch("http://driver/", { method: "POST", body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`driver ${body.op ?? "settle"}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { mf, db, call, r2: await mf.getR2Bucket("USAGE_ARCHIVE", "gateway") };
}

async function pool(items, n, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++]); }));
}


async function drive(call) {
  const users = Array.from({ length: PLAN.users }, (_, u) => ({
    userId: `uload${String(u).padStart(4, "0")}${Math.random().toString(36).slice(2, 8)}`,
    keyIds: Array.from({ length: PLAN.keysPerUser }, (_, k) => `key_load${u}x${k}`),
  }));
  for (const u of users) await call({ op: "init", userId: u.userId });
  const perUser = Math.ceil(PLAN.requests / PLAN.users);
  const jobs = [];
  for (const u of users) for (let from = 0; from < perUser; from += PLAN.chunk) jobs.push({ ...u, from, count: Math.min(PLAN.chunk, perUser - from) });
  let done = 0;
  const t0 = performance.now();
  await pool(jobs, PLAN.concurrency, async (j) => {
    await call({ userId: j.userId, keyIds: j.keyIds, models: PLAN.models, from: j.from, count: j.count });
    done += j.count;
    if (done % 20_000 < PLAN.chunk) log(`${done}/${perUser * users.length} settled`);
  });
  return { users, total: perUser * users.length, seconds: (performance.now() - t0) / 1000 };
}

/** Waits until every wallet's D1 cursor carries everything its Durable Object sent. */
async function settleDown(call, db, users) {
  const deadline = Date.now() + 30 * 60_000;
  for (const u of users) await call({ op: "flush", userId: u.userId });
  for (;;) {
    const { results } = await db.prepare("SELECT user_id, last_batch, records, charged_nano FROM usage_cursors").all();
    const cursors = new Map(results.map((r) => [r.user_id, r]));
    let behind = 0;
    for (const u of users) {
      const c = cursors.get(u.userId) ?? { last_batch: 0, records: 0, charged_nano: 0 };
      const f = await call({ op: "figures", userId: u.userId, batch: c.last_batch });
      u.figures = { ...f, cursor: c };
      if (f.plane.pendingRecords > 0 || f.plane.claimedChargedNano !== c.charged_nano) behind++;
    }
    if (behind === 0) return;
    if (Date.now() > deadline) throw new Error(`${behind} wallets still behind after 30 min`);
    for (const u of users) if (u.figures.plane.pendingRecords > 0) await call({ op: "flush", userId: u.userId });
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function archive(r2) {
  const lines = new Map();
  let bytes = 0;
  let objects = 0;
  let cursor;
  do {
    const list = await r2.list({ prefix: "usage/", cursor });
    for (const o of list.objects) {
      objects++;
      bytes += o.size;
      const text = await (await r2.get(o.key)).text();
      for (const l of text.split("\n")) if (l) { const x = JSON.parse(l); lines.set(`${x.request_id}/${x.replaces_expired}`, x); }
    }
    cursor = list.truncated ? list.cursor : undefined;
  } while (cursor);
  return { lines: [...lines.values()], bytes, objects };
}

async function d1Figures(db) {
  const one = async (q) => Object.values((await db.prepare(q).first()) ?? { n: 0 })[0] ?? 0;
  const tables = ["usage_rollups", "usage_statements", "usage_cursors", "usage_pseudonyms", "usage_logs", "transactions"];
  const rows = {};
  for (const t of tables) rows[t] = await one(`SELECT count(*) AS n FROM ${t}`);
  let bytes = null;
  try { bytes = await one("SELECT sum(pgsize) AS n FROM dbstat WHERE name IN ('usage_rollups','usage_statements','usage_cursors','usage_pseudonyms','usage_rollups_hour','usage_statements_day','usage_pseudonyms_pseudonym','sqlite_autoindex_usage_rollups_1','sqlite_autoindex_usage_statements_1','sqlite_autoindex_usage_cursors_1','sqlite_autoindex_usage_pseudonyms_1')"); } catch { /* dbstat not compiled in */ }
  return { rows, planeBytes: bytes };
}

function drift(users, lines, rollups, statements, names) {
  const failures = [];
  for (const u of users) {
    const { summary, cursor } = u.figures;
    const mine = lines.filter((l) => l.pseudonym === names.get(u.userId));
    const r = rollups.get(u.userId) ?? { requests: 0, cost: 0 };
    const s = statements.get(u.userId) ?? { charges: 0, charged: 0 };
    const doUsage = summary.usageNano;
    const arch = mine.reduce((a, l) => a + l.cost_nano, 0);
    const figures = { doUsage, cursor: cursor.charged_nano, rollups: r.cost, statements: s.charged, archive: arch, records: u.expected, cursorRecords: cursor.records, rollupRequests: r.requests, archiveLines: mine.length };
    if (new Set([doUsage, cursor.charged_nano, r.cost, s.charged, arch]).size !== 1 || new Set([u.expected, cursor.records, r.requests, mine.length, s.charges]).size !== 1) {
      failures.push(`${u.userId}: ${JSON.stringify(figures)}`);
    }
  }
  return failures;
}

const bundle = buildBundle();
const consumerStats = [];
const t0 = Date.now();
log(`${PLAN.requests} requests, ${PLAN.users} wallets × ${PLAN.keysPerUser} keys × ${PLAN.models.length} models, mirror ${PLAN.mirror}`);
const { mf, db, call, r2 } = await start(bundle, consumerStats);
let exit = 1;
try {
  const run = await drive(call);
  log(`settled ${run.total} in ${run.seconds.toFixed(1)} s; draining the plane`);
  for (const u of run.users) u.expected = Math.ceil(PLAN.requests / PLAN.users);
  await settleDown(call, db, run.users);
  const drainedAt = Date.now();
  const byUser = async (q) => new Map((await db.prepare(q).all()).results.map((r) => [r.user_id, r]));
  const rollups = await byUser("SELECT user_id, sum(requests) AS requests, sum(cost_nano) AS cost FROM usage_rollups GROUP BY user_id");
  const statements = await byUser("SELECT user_id, sum(charges) AS charges, sum(charged_nano) AS charged FROM usage_statements GROUP BY user_id");
  const names = new Map([...(await byUser("SELECT user_id, pseudonym FROM usage_pseudonyms"))].map(([k, v]) => [k, v.pseudonym]));
  const arch = await archive(r2);
  const d1 = await d1Figures(db);
  const failures = drift(run.users, arch.lines, rollups, statements, names);
  const sum = (k) => consumerStats.reduce((a, s) => a + s[k], 0);
  const n = run.total;
  const d1PerRequestMirror = PLAN.mirror === "on" ? (d1.rows.usage_logs + d1.rows.transactions - PLAN.users) / n : 0;
  const result = {
    date: new Date().toISOString(), plan: PLAN, requests: n, driveSeconds: run.seconds, drainSeconds: (drainedAt - t0) / 1000 - run.seconds,
    consumer: { runs: consumerStats.length, messages: sum("applied"), duplicates: sum("duplicates"), later: sum("later"), records: sum("records") },
    d1: {
      rows: d1.rows, planeBytes: d1.planeBytes, planeBytesPerRequest: d1.planeBytes == null ? null : d1.planeBytes / n,
      upsertsPerRequest: sum("d1Statements") / n, rowsWrittenPerRequest: sum("d1RowsWritten") / n, mirrorRowsPerRequest: d1PerRequestMirror,
    },
    r2: { objects: arch.objects, bytes: arch.bytes, bytesPerRequest: arch.bytes / n, writesPerRequest: arch.objects / n },
    queue: { messages: sum("applied"), bytes: sum("messageBytes"), bytesPerRequest: sum("messageBytes") / n, messagesPerRequest: sum("applied") / n },
    drift: { wallets: run.users.length, drifted: failures.length, details: failures.slice(0, 10) },
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(ROOT, "scripts/load/results"), { recursive: true });
  writeFileSync(join(ROOT, "scripts/load/results", `plane-${PLAN.mirror}.json`), JSON.stringify(result, null, 2) + "\n");
  exit = failures.length ? 1 : 0;
} finally {
  await mf.dispose();
  bundle.cleanup();
}
log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(exit);
