#!/usr/bin/env node
// npm run load [-- --smoke (1,000 requests, 20 users × 5 keys, about 30 s)] [-- --requests N --users U --keys-per-user K --seed S --max-burst B]
//
// Load and money check on the production bundle: the gateway (`wrangler deploy --dry-run`) in
// workerd through Miniflare with D1 and the Durable Objects (scripts/bench/lib/systems.mjs), the
// loopback stand-in upstream (scripts/bench/standin.mjs). Users and keys are made through the
// operator API. Traffic: bursts of random size (1..max-burst) from random keys, non-streamed and
// streamed, some clients aborting mid-stream; some users have little credit (→ 402) and some
// keys a low rpm (→ 429). Then every account is drained and checked (scripts/load/verify.mjs).
// Prints a markdown table, writes scripts/load/results/latest.json; exit code 1 if a check fails.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { execSync } from "node:child_process";
import { ADMIN_TOKEN, BENCH_MODEL, buildBundle, ROOT, startGateway, startStandin } from "../bench/lib/systems.mjs";
import { chatRequest, makeAgent, rng } from "./traffic.mjs";
import { verify } from "./verify.mjs";

const args = process.argv.slice(2);
const value = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : fallback; };
const SMOKE = args.includes("--smoke");
const base = SMOKE ? { requests: 1000, users: 20, keys: 5 } : { requests: 20_000, users: 100, keys: 10 };
const PLAN = {
  requests: value("--requests", base.requests), users: value("--users", base.users), keysPerUser: value("--keys-per-user", base.keys),
  seed: value("--seed", 20261122), maxBurst: value("--max-burst", 64),
  streamShare: 0.35, abortShare: 0.05, lowCreditUserShare: 0.1, lowRpmKeyShare: 0.05,
  lowCreditUsd: "0.0005", credit: "1000.00", lowRpm: 20, maxTokens: 64, abortAfterChunks: 3,
  standin: { ttftMs: 20, chunks: 16, gapMs: 5 },
};
for (const k of ["requests", "users", "keysPerUser", "seed", "maxBurst"]) {
  if (!Number.isSafeInteger(PLAN[k]) || PLAN[k] < 1) { console.error(`--${k} must be a positive integer`); process.exit(2); }
}
const log = (m) => process.stderr.write(`[load] ${m}\n`);
const random = rng(PLAN.seed);
const pick = (a) => a[Math.floor(random() * a.length)];

async function admin(origin, path, body) {
  const res = await fetch(`${origin}/api/admin${path}`, {
    method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function makeAccounts(origin) {
  const users = [];
  const keys = [];
  for (let u = 0; u < PLAN.users; u++) {
    const user = await admin(origin, "/users", { email: `load-${u}-${PLAN.seed}@load.test`, name: `Load ${u}` });
    const low = random() < PLAN.lowCreditUserShare;
    await admin(origin, `/users/${user.id}/credits`, { amount_usd: low ? PLAN.lowCreditUsd : PLAN.credit, note: "load test", idempotency_key: `load-${user.id}` });
    users.push({ id: user.id, lowCredit: low });
    for (let k = 0; k < PLAN.keysPerUser; k++) {
      const lowRpm = random() < PLAN.lowRpmKeyShare;
      const key = await admin(origin, `/users/${user.id}/keys`, { name: `load ${k}`, ...(lowRpm ? { rpm: PLAN.lowRpm } : { rpm: 1_000_000, tpm: 1_000_000_000 }) });
      keys.push({ userId: user.id, key: key.key, lowRpm });
    }
  }
  return { users, keys };
}

async function drive(origin, keys, sent) {
  const agent = makeAgent(PLAN.maxBurst);
  const byStatus = {};
  const bursts = [];
  const errors = [];
  let aborted = 0;
  let streamed = 0;
  let issued = 0;
  const started = performance.now();
  while (issued < PLAN.requests) {
    const size = Math.min(PLAN.requests - issued, 1 + Math.floor(random() * PLAN.maxBurst));
    bursts.push(size);
    const batch = Array.from({ length: size }, () => {
      const k = pick(keys);
      const roll = random();
      const stream = roll < PLAN.streamShare + PLAN.abortShare;
      const abort = roll < PLAN.abortShare;
      const payload = { model: BENCH_MODEL, max_tokens: PLAN.maxTokens, messages: [{ role: "user", content: `load ${issued}` }], ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) };
      return chatRequest(origin, agent, k.key, payload, abort ? PLAN.abortAfterChunks : null).then((r) => ({ ...r, userId: k.userId }));
    });
    issued += size;
    for (const r of await Promise.all(batch)) {
      byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      const c = sent.get(r.userId);
      c.sent++;
      if (r.admitted) c.admitted++;
      if (r.aborted) aborted++;
      if (r.stream) streamed++;
      if (r.error && errors.length < 10) errors.push(r.error);
      if (![200, 402, 429].includes(r.status) && errors.length < 10) errors.push(`${r.status} ${r.body ?? ""}`);
    }
    if (bursts.length % 100 === 0) log(`${issued}/${PLAN.requests} sent`);
  }
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, byStatus, aborted, streamed, bursts: bursts.length, meanBurst: issued / bursts.length, errors };
}

function table(r) {
  const t = r.totals;
  const row = (k, v) => `| ${k} | ${v} |`;
  return [
    `| figure | value |`, `| --- | ---: |`,
    row("requests sent", r.plan.requests), row("users / keys", `${r.plan.users} / ${r.plan.users * r.plan.keysPerUser}`),
    row("bursts (size 1–" + r.plan.maxBurst + ")", `${r.traffic.bursts} (mean ${r.traffic.meanBurst.toFixed(1)})`),
    row("streamed / aborted mid-stream", `${r.traffic.streamed} / ${r.traffic.aborted}`),
    ...Object.entries(r.traffic.byStatus).map(([s, n]) => row(`HTTP ${s}`, n)),
    row("duration", `${r.traffic.seconds.toFixed(1)} s (${(r.plan.requests / r.traffic.seconds).toFixed(0)} req/s)`),
    row("admitted (200)", t.admitted), row("usage records in D1", t.usageRows), row("duplicate usage records", t.duplicateUsageRows),
    row("users whose usage records ≠ admitted requests", t.usageCountMismatches),
    row("records success / client_disconnected", `${t.successRows} / ${t.disconnectedRows}`),
    row("users whose Σ D1 transactions ≠ DO balance", t.ledgerMismatches),
    row("lowest balance (USD)", (t.minBalanceNano / 1e9).toFixed(9)), row("lowest balance after any ledger entry (USD)", (t.minBalanceAfterNano / 1e9).toFixed(9)),
    row("in flight / reserved after drain", `${t.inFlight} / ${t.reservedNano} nUSD`), row("total usage charged (USD)", (t.usageNano / 1e9).toFixed(9)),
    row("checks failed", r.failures.length),
  ].join("\n");
}

const t0 = Date.now();
log(`${SMOKE ? "smoke" : "full"} run: ${PLAN.requests} requests, ${PLAN.users} users × ${PLAN.keysPerUser} keys, seed ${PLAN.seed}`);
const bundle = buildBundle();
const standin = await startStandin({ STANDIN_TTFT_MS: String(PLAN.standin.ttftMs), STANDIN_CHUNKS: String(PLAN.standin.chunks), STANDIN_GAP_MS: String(PLAN.standin.gapMs) });
let gw;
let exit = 1;
try {
  gw = await startGateway(bundle, standin);
  const { users, keys } = await makeAccounts(gw.origin);
  log(`made ${users.length} users (${users.filter((u) => u.lowCredit).length} with ${PLAN.lowCreditUsd} USD) and ${keys.length} keys (${keys.filter((k) => k.lowRpm).length} at ${PLAN.lowRpm} rpm)`);
  const sent = new Map(users.map((u) => [u.id, { sent: 0, admitted: 0 }]));
  const traffic = await drive(gw.origin, keys, sent);
  log(`traffic done in ${traffic.seconds.toFixed(1)} s; draining and checking`);
  const { totals, failures } = await verify({ origin: gw.origin, adminToken: ADMIN_TOKEN, db: gw.db, users, sent });
  if (traffic.errors.length) failures.push(...traffic.errors.map((e) => `client: ${e}`));
  let commit = null;
  try { commit = execSync("git rev-parse --short HEAD", { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(); } catch { /* not a git checkout */ }
  const result = {
    kind: SMOKE ? "smoke" : "full", date: new Date().toISOString(), durationSec: (Date.now() - t0) / 1000, commit, plan: PLAN,
    machine: { cores: cpus().length, memGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version }, traffic, totals, failures,
  };
  const md = table(result);
  console.log(md);
  if (failures.length) console.log(`\nFailed checks:\n${failures.slice(0, 20).map((f) => `- ${f}`).join("\n")}`);
  mkdirSync(join(ROOT, "scripts/load/results"), { recursive: true });
  writeFileSync(join(ROOT, "scripts/load/results", SMOKE ? "smoke.json" : "latest.json"), JSON.stringify(result, null, 2) + "\n");
  exit = failures.length ? 1 : 0;
} finally {
  await gw?.stop();
  standin.stop();
  bundle.cleanup();
}
log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(exit);
