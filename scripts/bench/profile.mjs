#!/usr/bin/env node
// Where the gateway's time goes: the profiling behind the explanations in docs/benchmarks.md.
//
//   node scripts/bench/profile.mjs [--quick] [--out FILE]      (Node 22: npm exec -- node ...)
//
// 1. Stages, from outside, at concurrency 1 (interleaved rounds, p50 of each):
//      bare           the bare pass-through worker (the runtime's own cost)
//      reject-format  gateway, a key of the wrong format: 401 before any I/O (routing, middleware, error path)
//      reject-body    gateway, a well-formed key and an invalid body: 400 (+ key hash, JSON parse, zod)
//      reject-key     gateway, a well-formed unknown key and a valid body: 401 from AccountDO.admit()
//                     (+ catalog lookup, the Durable Object round trip)
//      full           gateway, a real request (+ reservation writes, upstream call, relay, settlement)
// 2. Durable Object / D1 storage: the same gateway with its Miniflare storage on the default
//    temporary folder (disk) and on tmpfs (/dev/shm), side by side: latency at c=1 and
//    throughput at c=16, to show how much of the cost is storage sync. (In-memory Durable
//    Objects, unsafeEphemeralDurableObjects, cannot be used: the SQLite-backed AccountDO fails.)
// 3. A V8 CPU profile (inspector Profiler domain) of every JS isolate of the gateway's workerd
//    (the worker and its Durable Objects, Miniflare's D1 simulator, Miniflare's outbound service)
//    during a c=16 closed loop, self time grouped by original source file through the bundle's
//    source map, next to the process CPU from /proc, so the JS share and the native share
//    (SQLite, HTTP, RPC, I/O) can be told apart.
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { SourceMap } from "node:module";
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { tmpdir } from "node:os";
import { makeAgent, post, closedLoop, nsToMs } from "./lib/client.mjs";
import { cpuSeconds } from "./lib/proc.mjs";
import { median, percentile, round, seededShuffle } from "./lib/stats.mjs";
import { perfAvailable, perfRecord, perfSummarize } from "./lib/perf.mjs";
import { ROOT, BENCH, UPSTREAM_KEY, BENCH_MODEL, UPSTREAM_MODEL, startStandin, buildBundle, startGateway, startBare, freePort } from "./lib/systems.mjs";

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
// --only 3,5: run just those steps (1 stages, 2 storage, 3 rate window, 4 perf, 5 V8 CPU profile).
const ONLY = argv.includes("--only") ? new Set(argv[argv.indexOf("--only") + 1].split(",").map(Number)) : null;
const step = (n) => !ONLY || ONLY.has(n);
// --split: step 5 profiles the gateway split in three processes (worker, objects, D1; lib/systems.mjs),
// so the worker's isolate holds the worker's JavaScript alone.
const SPLIT = argv.includes("--split");
const OUT = argv.includes("--out") ? argv[argv.indexOf("--out") + 1] : join(BENCH, "results", "profile.json");
const log = (m) => process.stderr.write(`[profile] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const MESSAGES = [
  { role: "system", content: "You are a concise assistant. Answer in one short paragraph." },
  { role: "user", content: "Give me three tips for writing clear commit messages." },
];
const body = (model) => ({ model, messages: MESSAGES, max_tokens: 64, temperature: 0 });

const cleanups = [];
process.stdout.on("error", () => {});
process.on("SIGINT", () => { cleanup().finally(() => process.exit(130)); });
const cleanup = async () => { while (cleanups.length) { try { await cleanups.pop()(); } catch { /* best effort */ } } };

// ---------------------------------------------------------------------------------------------
async function stages(standin, bare, gw) {
  const rounds = QUICK ? 3 : 12;
  const per = QUICK ? 30 : 100;
  const agent = makeAgent(4);
  const url = `${gw.origin}/api/v1/chat/completions`;
  const wrongSecret = gw.apiKey.slice(0, -6) + (gw.apiKey.endsWith("aaaaaa") ? "bbbbbb" : "aaaaaa");
  const variants = [
    { name: "direct", target: { url: `${standin.origin}/v1/chat/completions`, headers: { authorization: `Bearer ${UPSTREAM_KEY}` } }, body: body(UPSTREAM_MODEL), status: 200 },
    { name: "bare", target: { url: `${bare.origin}/v1/chat/completions`, headers: { authorization: `Bearer ${UPSTREAM_KEY}` } }, body: body(UPSTREAM_MODEL), status: 200 },
    { name: "reject-format", target: { url, headers: { authorization: "Bearer not-a-gateway-key" } }, body: body(BENCH_MODEL), status: 401 },
    { name: "reject-body", target: { url, headers: { authorization: `Bearer ${gw.apiKey}` } }, body: { model: BENCH_MODEL, messages: "not a list" }, status: 400 },
    { name: "reject-key", target: { url, headers: { authorization: `Bearer ${wrongSecret}` } }, body: body(BENCH_MODEL), status: 401 },
    { name: "full", target: { url, headers: { authorization: `Bearer ${gw.apiKey}` } }, body: body(BENCH_MODEL), status: 200 },
    // The same, 30 ms after the previous request ended: its settlement (waitUntil, the settle()
    // RPC, the outbox alarm) is over, so it cannot compete with this one.
    { name: "full-paced", target: { url, headers: { authorization: `Bearer ${gw.apiKey}` } }, body: body(BENCH_MODEL), status: 200, pauseMs: 30 },
    { name: "bare-paced", target: { url: `${bare.origin}/v1/chat/completions`, headers: { authorization: `Bearer ${UPSTREAM_KEY}` } }, body: body(UPSTREAM_MODEL), status: 200, pauseMs: 30 },
  ];
  const samples = Object.fromEntries(variants.map((v) => [v.name, []]));
  const statuses = Object.fromEntries(variants.map((v) => [v.name, {}]));
  for (const v of variants) for (let i = 0; i < 50; i++) await post(v.target, v.body, agent); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const v of seededShuffle(variants, 7 + r)) {
      for (let i = 0; i < (v.pauseMs ? Math.ceil(per / 3) : per); i++) {
        if (v.pauseMs) await sleep(v.pauseMs);
        const res = await post(v.target, v.body, agent);
        statuses[v.name][res.status] = (statuses[v.name][res.status] ?? 0) + 1;
        if (res.status === v.status) samples[v.name].push(nsToMs(res.endNs - res.startNs));
      }
    }
  }
  const out = {};
  for (const v of variants) out[v.name] = { n: samples[v.name].length, p50: median(samples[v.name]), p99: percentile(samples[v.name], 99), statuses: statuses[v.name] };
  // TTFT, streams (the profile's stand-in sends short ones), bare and gateway interleaved.
  const ttft = { direct: [], bare: [], gateway: [] };
  const streamTargets = [
    ["direct", variants[0].target, UPSTREAM_MODEL], ["bare", variants[1].target, UPSTREAM_MODEL],
    ["gateway", variants.find((v) => v.name === "full").target, BENCH_MODEL],
  ];
  for (let i = 0; i < (QUICK ? 6 : 30); i++) {
    for (const [name, target, model] of seededShuffle(streamTargets, 500 + i)) {
      const r = await post(target, { ...body(model), stream: true, stream_options: { include_usage: true } }, agent, { stream: true });
      if (r.ok) ttft[name].push(nsToMs(r.firstNs - r.startNs));
    }
  }
  out.ttft = Object.fromEntries(Object.entries(ttft).map(([k, v]) => [k, { n: v.length, p50: median(v), min: Math.min(...v), max: Math.max(...v) }]));
  return out;
}

// ---------------------------------------------------------------------------------------------
async function storageVariants(standin, bundle) {
  const shm = mkdtempSync("/dev/shm/gateway-bench-");
  const removeShm = () => rmSync(shm, { recursive: true, force: true });
  cleanups.push(removeShm);
  const configs = [
    { name: "disk (Miniflare default tmp folder)", extra: {} },
    { name: "tmpfs (/dev/shm)", extra: { resourcePersistencePath: shm } },
    // The outbox's D1 inserts fail (their tables are gone), so the alarm backs off and the D1
    // simulator does next to no work: the difference is what D1 writes cost this process.
    { name: "disk, D1 outbox writes off (tables dropped)", extra: {}, after: async (g) => {
      await g.db.batch([g.db.prepare("DROP TABLE usage_logs"), g.db.prepare("DROP TABLE transactions")]);
    } },
  ];
  const systems = [];
  for (const c of configs) {
    const g = await startGateway(bundle, standin, c.extra);
    if (c.after) await c.after(g);
    if (c.extra.resourcePersistencePath) {
      const { execSync } = await import("node:child_process");
      log(`tmpfs variant: ${execSync(`find ${shm} -type f | wc -l`).toString().trim()} files under ${shm}: ${execSync(`find ${shm} -name '*.sqlite*' | head -3`).toString().trim().replace(/\n/g, ", ")}`);
    }
    systems.push({ ...c, g, agent: makeAgent(16), target: { url: `${g.origin}/api/v1/chat/completions`, headers: { authorization: `Bearer ${g.apiKey}` } }, lat: [], paced: [], win: [] });
  }
  const rounds = QUICK ? 2 : 6;
  for (const s of systems) for (let i = 0; i < 100; i++) await post(s.target, body(BENCH_MODEL), s.agent);
  for (let r = 0; r < rounds; r++) {
    for (const s of seededShuffle(systems, 99 + r)) {
      for (let i = 0; i < (QUICK ? 30 : 100); i++) {
        const res = await post(s.target, body(BENCH_MODEL), s.agent);
        if (res.ok) s.lat.push(nsToMs(res.endNs - res.startNs));
      }
      for (let i = 0; i < (QUICK ? 10 : 30); i++) {
        await sleep(30);
        const res = await post(s.target, body(BENCH_MODEL), s.agent);
        if (res.ok) s.paced.push(nsToMs(res.endNs - res.startNs));
      }
      await sleep(200);
      const cpu0 = cpuSeconds(s.g.pid);
      const w = await closedLoop(s.target, body(BENCH_MODEL), s.agent, 16, QUICK ? 1000 : 2000);
      await sleep(200);
      s.win.push({ ...w, cpuSec: cpuSeconds(s.g.pid) - cpu0 });
    }
  }
  for (const s of systems) await s.g.stop();
  removeShm();
  return systems.map((s) => {
    const completed = s.win.reduce((a, w) => a + w.completed, 0);
    const ms = s.win.reduce((a, w) => a + w.elapsedMs, 0);
    return {
      storage: s.name, latencyP50: median(s.lat), latencyP99: percentile(s.lat, 99), latencyAfterIdleP50: median(s.paced),
      rpsC16: completed / (ms / 1000), cpuMsPerRequest: (s.win.reduce((a, w) => a + w.cpuSec, 0) * 1000) / completed,
    };
  });
}

// ---------------------------------------------------------------------------------------------
/**
 * The per-key rate window: latency at c=1 on a fresh key (empty window), then a c=16 load on
 * that key second by second, then c=1 again while the window holds the load's events.
 */
async function rateWindowEffect(standin, bundle) {
  const g = await startGateway(bundle, standin);
  const url = `${g.origin}/api/v1/chat/completions`;
  const agent = makeAgent(16);
  const target = (key) => ({ url, headers: { authorization: `Bearer ${key}` } });
  for (let i = 0; i < 300; i++) await post(target(g.apiKey), body(BENCH_MODEL), agent); // JIT warm-up on another user
  const fresh = await g.createKey("window");
  const c1 = async (n) => {
    const ms = [];
    for (let i = 0; i < n; i++) {
      const r = await post(target(fresh.apiKey), body(BENCH_MODEL), agent);
      if (r.ok) ms.push(nsToMs(r.endNs - r.startNs));
    }
    return { n: ms.length, p50: median(ms), p99: percentile(ms, 99) };
  };
  const empty = await c1(200);
  const seconds = QUICK ? 6 : 20;
  const bySecond = [];
  let events = 200;
  for (let sec = 0; sec < seconds; sec++) {
    const cpu0 = cpuSeconds(g.pid);
    const w = await closedLoop(target(fresh.apiKey), body(BENCH_MODEL), agent, 16, 1000);
    events += w.completed;
    bySecond.push({ second: sec + 1, rps: round(w.completed / (w.elapsedMs / 1000), 0), cpuMsPerRequest: round(((cpuSeconds(g.pid) - cpu0) * 1000) / w.completed, 3), eventsInWindow: events });
  }
  const full = await c1(200);
  await g.stop();
  return { emptyWindow: empty, afterLoad: { ...full, eventsInWindowBefore: events }, loadBySecond: bySecond };
}

// ---------------------------------------------------------------------------------------------
/** perf on the gateway's and the bare worker's workerd during a c=16 closed loop each. */
async function nativeProfile(standin, bundle) {
  if (!perfAvailable()) return { skipped: "perf is not installed (apt-get install linux-perf)" };
  const out = {};
  const seconds = QUICK ? 3 : 6;
  const dir = mkdtempSync(join(tmpdir(), "gateway-bench-perf-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const which of ["gateway", "bare"]) {
    const sys = which === "gateway" ? await startGateway(bundle, standin) : await startBare(standin);
    const target = which === "gateway"
      ? { url: `${sys.origin}/api/v1/chat/completions`, headers: { authorization: `Bearer ${sys.apiKey}` } }
      : { url: `${sys.origin}/v1/chat/completions`, headers: { authorization: `Bearer ${UPSTREAM_KEY}` } };
    const model = which === "gateway" ? BENCH_MODEL : UPSTREAM_MODEL;
    const agent = makeAgent(16);
    for (let i = 0; i < 300; i++) await post(target, body(model), agent);
    const file = join(dir, `${which}.data`);
    const recording = perfRecord(sys.pid, seconds + 1, file);
    await sleep(300);
    const cpu0 = cpuSeconds(sys.pid);
    const w = await closedLoop(target, body(model), agent, 16, seconds * 1000);
    const cpuMsPerRequest = ((cpuSeconds(sys.pid) - cpu0) * 1000) / w.completed;
    await recording;
    const summary = perfSummarize(file);
    out[which] = {
      requests: w.completed, rps: round(w.completed / (w.elapsedMs / 1000), 0), cpuMsPerRequest: round(cpuMsPerRequest, 3),
      samples: summary.samples, kernelLeafShare: round(summary.kernelLeafShare, 3), insideDurableObjectRpcShare: round(summary.insideDurableObjectRpcShare, 3),
      byKind: summary.byKind.map((k) => ({ ...k, share: round(k.share, 3), cpuMsPerRequest: round(k.share * cpuMsPerRequest, 3) })),
      topLeaves: summary.topLeaves.map((k) => ({ ...k, share: round(k.share, 3) })),
    };
    await sys.stop();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
class Inspector {
  static async connect(url) {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    return new Inspector(ws);
  }
  constructor(ws) {
    this.ws = ws;
    this.id = 0;
    this.pending = new Map();
    ws.onmessage = (ev) => {
      const msg = JSON.parse(typeof ev.data === "string" ? ev.data : Buffer.from(ev.data).toString("utf8"));
      if (msg.id && this.pending.has(msg.id)) {
        const { resolve, reject } = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) reject(new Error(JSON.stringify(msg.error)));
        else resolve(msg.result);
      }
    };
  }
  send(method, params = {}) {
    const id = ++this.id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }
  close() { this.ws.close(); }
}

const SPECIAL = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

/**
 * Self time by original source file and by function; for time spent in a runtime call (leaf
 * frames that are not in the bundle: SqlStorage exec, fetch, ...), the nearest bundle function
 * that called it; and inclusive time of bundle functions.
 */
function groupProfile(name, profile, sourceMap, bundleUrlPart) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const info = new Map(); // node id -> { file, fn, mapped }
  const describe = (node) => {
    if (info.has(node.id)) return info.get(node.id);
    const cf = node.callFrame;
    let file = cf.url || "(runtime)";
    let fn = cf.functionName || "(anonymous)";
    let mapped = false;
    if (SPECIAL.has(cf.functionName)) file = cf.functionName;
    else if (sourceMap && cf.url.includes(bundleUrlPart) && cf.lineNumber >= 0) {
      const e = sourceMap.findEntry(cf.lineNumber, cf.columnNumber);
      if (e && e.originalSource) {
        file = e.originalSource.replace(/^.*?(src\/|node_modules\/)/, "$1");
        fn = `${fn} (${file}:${e.originalLine + 1})`;
        mapped = true;
      }
    } else if (!cf.url) fn = `${fn} [runtime]`;
    const d = { file, fn, mapped };
    info.set(node.id, d);
    return d;
  };
  const files = new Map();
  const functions = new Map();
  const runtimeCalls = new Map();
  const inclusive = new Map();
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000; // the delta after sample i is the time it covered
    const leaf = byId.get(profile.samples[i]);
    const d = describe(leaf);
    add(files, d.file, ms);
    add(functions, d.fn, ms);
    if (d.file === "(idle)") continue;
    busy += ms;
    const seen = new Set();
    let callerFound = d.mapped;
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const a = describe(byId.get(id));
      if (!a.mapped) continue;
      if (!callerFound) {
        add(runtimeCalls, `${d.fn} <- ${a.fn}`, ms);
        callerFound = true;
      }
      if (!seen.has(a.fn)) {
        seen.add(a.fn);
        add(inclusive, a.fn, ms);
      }
    }
  }
  const top = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => ({ name: k, ms: round(v, 1) }));
  return {
    isolate: name, busyMs: round(busy, 1), idleMs: round(files.get("(idle)") ?? 0, 1),
    byFile: top(files, 25), topSelf: top(functions, 25),
    ...(sourceMap ? { runtimeCallsByCaller: top(runtimeCalls, 25), inclusive: top(inclusive, 40) } : {}),
  };
}

async function cpuProfile(standin, bundle) {
  const inspectorPort = await freePort();
  const g = await startGateway(bundle, standin, { inspectorPort }, [], { split: SPLIT });
  cleanups.push(() => g.stop());
  const agent = makeAgent(16);
  const target = { url: `${g.origin}/api/v1/chat/completions`, headers: { authorization: `Bearer ${g.apiKey}` } };
  for (let i = 0; i < 300; i++) await post(target, body(BENCH_MODEL), agent);
  const list = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const wanted = list.filter((t) => ["core:user:gateway", "d1:db", "d1:db:entry", "outbound:0", "core:user:dev-registry-proxy"].includes(t.id));
  const sessions = [];
  for (const t of wanted) {
    const s = await Inspector.connect(t.webSocketDebuggerUrl);
    await s.send("Profiler.enable");
    await s.send("Profiler.setSamplingInterval", { interval: 100 });
    sessions.push({ id: t.id, s });
  }
  for (const { s } of sessions) await s.send("Profiler.start");
  const cpu0 = cpuSeconds(g.pid);
  const w = await closedLoop(target, body(BENCH_MODEL), agent, 16, QUICK ? 2000 : 8000);
  await sleep(1500); // settlement and the outbox alarm of the last requests
  const cpuSec = cpuSeconds(g.pid) - cpu0; // with --split: the worker's process alone
  const map = JSON.parse(readFileSync(bundle.script + ".map", "utf8"));
  const sourceMap = new SourceMap(map);
  const isolates = [];
  for (const { id, s } of sessions) {
    const { profile } = await s.send("Profiler.stop");
    isolates.push(groupProfile(id, profile, id === "core:user:gateway" ? sourceMap : null, "index.js"));
    s.close();
  }
  const jsBusy = isolates.reduce((a, i) => a + i.busyMs, 0);
  return {
    requests: w.completed, errors: w.errors, seconds: round(w.elapsedMs / 1000, 2),
    processCpuMsPerRequest: round((cpuSec * 1000) / w.completed, 3),
    jsBusyMsPerRequest: round(jsBusy / w.completed, 3),
    note: "busyMs = sampled time not idle, including (program) (V8/native work attributed to the isolate) and (garbage collector); the inspector itself adds some overhead",
    isolates,
  };
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const standin = await startStandin({ STANDIN_CHUNKS: "4" }); // short streams: only the TTFT is of interest here
  cleanups.push(() => standin.stop());
  const bundle = buildBundle();
  cleanups.push(() => bundle.cleanup());
  const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" });
  const result = { date: new Date().toISOString(), quick: QUICK, gatewayCommit: head.status === 0 ? head.stdout.trim() : null };

  log("1/5 stages at c=1");
  if (step(1)) {
    const gw = await startGateway(bundle, standin);
    const bare = await startBare(standin);
    result.stages = await stages(standin, bare, gw);
    await gw.stop();
    await bare.stop();
  }
  log("2/5 storage variants");
  result.storage = step(2) ? await storageVariants(standin, bundle) : [];
  log("3/5 rate window: fresh key vs loaded key");
  result.rateWindow = step(3) ? await rateWindowEffect(standin, bundle) : null;
  log("4/5 native profile (perf) at c=16");
  result.native = step(4) ? await nativeProfile(standin, bundle) : { skipped: "not run (--only)" };
  log("5/5 V8 CPU profile at c=16");
  result.cpuProfile = step(5) ? await cpuProfile(standin, bundle) : null;

  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(result, (k, v) => (typeof v === "number" ? round(v, 3) : v), 2) + "\n");
  await cleanup(); // before printing: a closed stdout must not leave workerd or temp files behind
  const st = result.stages;
  if (st) {
    process.stdout.write("\nStages at c=1 (p50 / p99 ms):\n");
    for (const [k, v] of Object.entries(st)) if (k !== "ttft") process.stdout.write(`  ${k.padEnd(14)} ${v.p50.toFixed(2).padStart(7)} ${v.p99.toFixed(2).padStart(7)}  (n=${v.n}, statuses ${JSON.stringify(v.statuses)})\n`);
    process.stdout.write(`TTFT p50 (200 ms upstream): ${Object.entries(st.ttft).map(([k, v]) => `${k} ${v.p50.toFixed(2)} ms (n=${v.n})`).join(", ")}\n`);
  }
  process.stdout.write("\nStorage variants:\n");
  for (const s of result.storage) process.stdout.write(`  ${s.storage.padEnd(42)} c=1 p50 ${s.latencyP50.toFixed(2)} ms, p99 ${s.latencyP99.toFixed(2)} ms, p50 after 30 ms idle ${s.latencyAfterIdleP50.toFixed(2)} ms; c=16 ${s.rpsC16.toFixed(0)} req/s, ${s.cpuMsPerRequest.toFixed(3)} ms CPU/req\n`);
  const rw = result.rateWindow;
  if (rw) process.stdout.write(`\nRate window (one fresh key): c=1 p50 ${rw.emptyWindow.p50.toFixed(2)} ms with an empty window; ` +
    `after ${rw.loadBySecond.length} s at c=16 (${rw.afterLoad.eventsInWindowBefore} events in the window) c=1 p50 ${rw.afterLoad.p50.toFixed(2)} ms\n`);
  if (rw) process.stdout.write(`  c=16 by second: ${rw.loadBySecond.map((b) => `${b.rps} req/s (${b.cpuMsPerRequest} ms CPU)`).join(", ")}\n`);
  if (result.native.skipped) process.stdout.write(`\nNative profile: ${result.native.skipped}\n`);
  else {
    for (const [which, n] of Object.entries(result.native)) {
      process.stdout.write(`\nNative profile (perf), ${which} at c=16: ${n.rps} req/s, ${n.cpuMsPerRequest} ms CPU/req, ${n.samples} samples, ${(n.insideDurableObjectRpcShare * 100).toFixed(0)}% inside DO RPC methods\n`);
      for (const k of n.byKind) process.stdout.write(`  ${(k.share * 100).toFixed(1).padStart(5)}%  ${k.cpuMsPerRequest.toFixed(3)} ms/req  ${k.name}\n`);
    }
  }
  const cp = result.cpuProfile ?? { isolates: [] };
  if (result.cpuProfile) process.stdout.write(`\nCPU profile at c=16: ${cp.requests} requests, process CPU ${cp.processCpuMsPerRequest} ms/req, JS isolates busy ${cp.jsBusyMsPerRequest} ms/req\n`);
  for (const iso of cp.isolates) {
    process.stdout.write(`  ${iso.isolate}: busy ${iso.busyMs} ms (${(iso.busyMs / cp.requests).toFixed(3)} ms/req)\n`);
    for (const f of iso.byFile.slice(0, 10)) process.stdout.write(`      ${String(f.ms).padStart(8)} ms  ${f.name}\n`);
    if (iso.runtimeCallsByCaller) {
      process.stdout.write("    runtime calls by caller:\n");
      for (const f of iso.runtimeCallsByCaller.slice(0, 12)) process.stdout.write(`      ${String(f.ms).padStart(8)} ms  ${f.name}\n`);
      process.stdout.write("    inclusive:\n");
      for (const f of iso.inclusive.slice(0, 15)) process.stdout.write(`      ${String(f.ms).padStart(8)} ms  ${f.name}\n`);
    }
  }
  process.stdout.write(`\nJSON: ${OUT}\n`);
  process.exit(0);
}

main().catch(async (err) => {
  process.stderr.write(`[profile] failed: ${err.stack ?? err}\n`);
  await cleanup();
  process.exit(1);
});
