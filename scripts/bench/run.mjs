#!/usr/bin/env node
// npm run bench [-- --smoke] [-- --skip-portkey] [-- --no-docs] [-- --seed N] [-- --out FILE]
//
// Measures what the gateway adds on top of an upstream, against (a) the upstream called
// directly, (b) a bare pass-through worker on the same runtime (workerd) and (d) Portkey's
// open-source gateway on Node, all pointed at one loopback stand-in upstream (standin.mjs).
// Every figure is taken side by side in one run, in interleaved rounds (the order of the
// systems is shuffled in each round), so that the noise of a shared 2-core machine falls on all
// systems alike. See docs/benchmarks.md.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import os from "node:os";
import { spawnSync } from "node:child_process";
import { makeAgent, post, closedLoop, nsToMs } from "./lib/client.mjs";
import { cpuSeconds, memory } from "./lib/proc.mjs";
import { percentile, median, mean, round, seededShuffle } from "./lib/stats.mjs";
import {
  ROOT, BENCH, UPSTREAM_KEY, BENCH_MODEL, UPSTREAM_MODEL,
  startStandin, buildBundle, startGateway, startBare, startPortkey, portkeyVersions,
} from "./lib/systems.mjs";
import { renderMarkdown, writeDocs } from "./lib/report.mjs";

// ---------------------------------------------------------------------------------------------
// Options and plan
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const USAGE = `npm run bench [-- options]
  --smoke          small sizes (about 35 s): proves the bench still works; writes results/smoke.json, never the docs
  --skip-portkey   leave Portkey out (systems a-c only)
  --no-docs        do not update docs/benchmarks.md
  --seed N         seed of the interleaving order (default 20261122)
  --out FILE       where to write the JSON (default scripts/bench/results/{full,smoke}.json)
  --baseline DIR   also run the gateway built from another checkout (e.g. the commit before a change),
                   as system "before", interleaved with the others: before/after in one run
  --split          also run the gateway split as production bills it, as system "split": the worker,
                   the wallets' Durable Objects and the D1 simulator in three workerd processes,
                   each one's CPU per request reported apart (docs/benchmarks.md, "What runs")`;
const KNOWN = new Set(["--smoke", "--split", "--skip-portkey", "--no-docs", "--seed", "--out", "--baseline", "--help", "-h"]);
const unknown = argv.filter((a, i) => a.startsWith("-") && !KNOWN.has(a) && !["--seed", "--out", "--baseline"].includes(argv[i - 1]));
if (flag("--help") || flag("-h") || unknown.length) {
  if (unknown.length) process.stderr.write(`unknown option(s): ${unknown.join(" ")}\n`);
  process.stderr.write(USAGE + "\n");
  process.exit(unknown.length ? 2 : 0);
}
const SMOKE = flag("--smoke");
const SKIP_PORTKEY = flag("--skip-portkey");
const WRITE_DOCS = !SMOKE && !flag("--no-docs");
const SEED = Number(value("--seed", 20261122));
const OUT = value("--out", join(BENCH, "results", SMOKE ? "smoke.json" : "full.json"));
const BASELINE = value("--baseline", null);
const SPLIT = flag("--split");

const PLAN = SMOKE
  ? { warmupRequests: 20, warmupStreams: 0, latencyRounds: 2, latencyPerRound: 20, streamRounds: 2, loadStreamRounds: 1, loadStreams: 4, throughputRounds: 1, throughputMs: 1000, concurrencies: [16, 64], settleMs: 150, windowSeconds: 4, windowEdgeSeconds: 1 }
  : { warmupRequests: 300, warmupStreams: 1, latencyRounds: 15, latencyPerRound: 100, streamRounds: 16, loadStreamRounds: 2, loadStreams: 16, throughputRounds: 5, throughputMs: 3000, concurrencies: [16, 64], settleMs: 300, windowSeconds: 22, windowEdgeSeconds: 2 };

const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const loadAtStart = os.loadavg();

// A small but realistic chat request: a system prompt, a user turn, a cap on the output.
const MESSAGES = [
  { role: "system", content: "You are a concise assistant. Answer in one short paragraph." },
  { role: "user", content: "Give me three tips for writing clear commit messages." },
];
const jsonBody = (model) => ({ model, messages: MESSAGES, max_tokens: 64, temperature: 0 });
const streamBody = (model) => ({ ...jsonBody(model), stream: true, stream_options: { include_usage: true } });

// ---------------------------------------------------------------------------------------------
// Setup
function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  return {
    nproc: os.availableParallelism(),
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    cpuModel: model.trim(),
    kernel: `${os.type()} ${os.release()}`,
    loadAverageAtStart: loadAtStart.map((x) => round(x, 2)),
  };
}

function gitState() {
  const git = (...a) => spawnSync("git", a, { cwd: ROOT, encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  const dirty = git("status", "--porcelain", "--", "src", "migrations", "wrangler.toml");
  return head.status === 0 ? { commit: head.stdout.trim(), srcChanged: dirty.stdout.trim() !== "" } : null;
}

function versions() {
  const pkg = (p) => {
    try { return JSON.parse(readFileSync(join(ROOT, "node_modules", p, "package.json"), "utf8")).version; } catch { return null; }
  };
  const pk = portkeyVersions();
  return {
    node: process.version,
    workerd: pkg("workerd"),
    wrangler: pkg("wrangler"),
    miniflare: pkg("miniflare") ?? pkg("wrangler/node_modules/miniflare"),
    gatewayHono: pkg("hono"),
    portkey: pk.portkey,
    portkeyHono: pk.hono,
    portkeyHonoNodeServer: pk.honoNodeServer,
  };
}

const cleanups = [];
async function cleanup() {
  while (cleanups.length) {
    try { await cleanups.pop()(); } catch { /* best effort */ }
  }
}
process.on("SIGINT", () => { cleanup().finally(() => process.exit(130)); });
process.on("SIGTERM", () => { cleanup().finally(() => process.exit(143)); });
process.stdout.on("error", () => {}); // EPIPE when the reader went away: the results are in the files

async function setup() {
  log(SMOKE ? "smoke run (small sizes)" : "full run");
  const standin = await startStandin();
  cleanups.push(() => standin.stop());
  log(`stand-in upstream: pid ${standin.pid}, ${standin.origin}`);
  const bundle = buildBundle();
  cleanups.push(() => bundle.cleanup());
  log(`bundle: wrangler deploy --dry-run -> ${bundle.script}`);
  const gateway = await startGateway(bundle, standin);
  cleanups.push(() => gateway.stop());
  const bare = await startBare(standin);
  cleanups.push(() => bare.stop());
  let before = null;
  if (BASELINE) {
    const baseBundle = buildBundle(BASELINE);
    cleanups.push(() => baseBundle.cleanup());
    before = await startGateway(baseBundle, standin);
    cleanups.push(() => before.stop());
    log(`baseline gateway from ${BASELINE}: workerd pid ${before.pid}`);
  }
  let split = null;
  if (SPLIT) {
    split = await startGateway(bundle, standin, {}, [], { split: true });
    cleanups.push(() => split.stop());
  }
  let portkey = null;
  let portkeyError = SKIP_PORTKEY ? "skipped (--skip-portkey)" : null;
  if (!SKIP_PORTKEY) {
    try {
      portkey = await startPortkey();
      cleanups.push(() => portkey.stop());
    } catch (err) {
      portkeyError = String(err.message ?? err);
      log(`portkey could not be started, going on without it: ${portkeyError}`);
    }
  }
  const upstreamAuth = { authorization: `Bearer ${UPSTREAM_KEY}` };
  const systems = [
    { name: "direct", label: "(a) direct: stand-in, no proxy", pid: standin.pid, model: UPSTREAM_MODEL,
      target: { url: `${standin.origin}/v1/chat/completions`, headers: upstreamAuth } },
    { name: "bare", label: "(b) bare pass-through worker (workerd)", pid: bare.pid, model: UPSTREAM_MODEL,
      target: { url: `${bare.origin}/v1/chat/completions`, headers: upstreamAuth } },
    { name: "gateway", label: "(c) gateway, full path (workerd)", pid: gateway.pid, model: BENCH_MODEL,
      target: { url: `${gateway.origin}/api/v1/chat/completions`, headers: { authorization: `Bearer ${gateway.apiKey}` } } },
  ];
  if (before) {
    systems.push({ name: "before", label: "(c0) gateway before this change (workerd)", pid: before.pid, model: BENCH_MODEL,
      target: { url: `${before.origin}/api/v1/chat/completions`, headers: { authorization: `Bearer ${before.apiKey}` } } });
  }
  if (split) {
    systems.push({ name: "split", label: "(c') gateway split: worker, Durable Objects, D1 in three workerd processes", pid: split.pid, parts: split.processes, model: BENCH_MODEL,
      target: { url: `${split.origin}/api/v1/chat/completions`, headers: { authorization: `Bearer ${split.apiKey}` } } });
  }
  if (portkey) {
    systems.push({ name: "portkey", label: "(d) Portkey gateway (Node)", pid: portkey.pid, model: UPSTREAM_MODEL,
      target: { url: `${portkey.origin}/v1/chat/completions`,
        headers: { ...upstreamAuth, "x-portkey-provider": "openai", "x-portkey-custom-host": `${standin.origin}/v1` } } });
  }
  for (const s of systems) {
    s.agent = makeAgent(Math.max(...PLAN.concurrencies, PLAN.loadStreams));
    s.ok = 0;
    s.errorCount = 0;
    s.errors = [];
  }
  return { standin, gateway, bare, before, split, portkey, portkeyError, systems };
}

let phase = "setup";
function record(s, r) {
  if (r.ok) s.ok += 1;
  else s.errorCount += 1;
  if (!r.ok && s.errors.length < 1000) s.errors.push(`${phase}: ${r.status} ${r.error ?? ""}`.slice(0, 200));
}

// ---------------------------------------------------------------------------------------------
// Phases
async function warmup(systems) {
  phase = "warm-up";
  log(`warm-up: ${PLAN.warmupRequests} requests${PLAN.warmupStreams ? ` and ${PLAN.warmupStreams} stream` : ""} per system`);
  for (const s of systems) {
    for (let i = 0; i < PLAN.warmupRequests; i++) record(s, await post(s.target, jsonBody(s.model), s.agent));
    for (let i = 0; i < PLAN.warmupStreams; i++) record(s, await post(s.target, streamBody(s.model), s.agent, { stream: true }));
    // Open the sockets the throughput phase will use, so it does not measure connection set-up.
    const c = Math.max(...PLAN.concurrencies);
    const rs = await Promise.all(Array.from({ length: c }, () => post(s.target, jsonBody(s.model), s.agent)));
    rs.forEach((r) => record(s, r));
  }
}

/** Concurrency 1, non-streamed: the latency of each request, start to last byte. */
async function latencyPhase(systems) {
  phase = "latency c=1";
  log(`latency at c=1: ${PLAN.latencyRounds} rounds x ${PLAN.latencyPerRound} requests per system`);
  const samples = Object.fromEntries(systems.map((s) => [s.name, []]));
  for (let round = 0; round < PLAN.latencyRounds; round++) {
    for (const s of seededShuffle(systems, SEED + round)) {
      for (let i = 0; i < PLAN.latencyPerRound; i++) {
        const r = await post(s.target, jsonBody(s.model), s.agent);
        record(s, r);
        if (r.ok) samples[s.name].push(nsToMs(r.endNs - r.startNs));
      }
    }
  }
  return samples;
}

/** Streams, `concurrency` at a time: per stream its TTFT, per chunk its receive and send times. */
async function streamPhase(systems, rounds, concurrency, seedOffset) {
  phase = `streams c=${concurrency}`;
  log(`streams at c=${concurrency}: ${rounds} rounds x ${concurrency} stream(s) per system`);
  const streams = Object.fromEntries(systems.map((s) => [s.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const s of seededShuffle(systems, SEED + seedOffset + round)) {
      const rs = await Promise.all(Array.from({ length: concurrency }, () => post(s.target, streamBody(s.model), s.agent, { stream: true })));
      for (const r of rs) {
        record(s, r);
        if (r.ok) streams[s.name].push(r);
      }
    }
  }
  return streams;
}

/** Closed-loop throughput at each concurrency, with the process CPU of each system per window. */
async function throughputPhase(ctx) {
  const { systems, standin } = ctx;
  log(`throughput: ${PLAN.throughputRounds} rounds x ${PLAN.throughputMs} ms per system at c=${PLAN.concurrencies.join(", c=")}`);
  const windows = [];
  for (let round = 0; round < PLAN.throughputRounds; round++) {
    for (const c of PLAN.concurrencies) {
      for (const s of seededShuffle(systems, SEED + 1000 + round * 10 + c)) {
        await sleep(PLAN.settleMs);
        const cpu0 = cpuSeconds(s.pid);
        const parts0 = s.parts ? partsCpu(s.parts) : null;
        const up0 = cpuSeconds(standin.pid);
        const client0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const r = await closedLoop(s.target, jsonBody(s.model), s.agent, c, PLAN.throughputMs);
        // Let trailing work of the window (settlement in waitUntil, the outbox alarm) finish so
        // that its CPU is counted for this system and not for the next one.
        await sleep(PLAN.settleMs);
        const wallMs = nsToMs(process.hrtime.bigint() - t0);
        const client = process.cpuUsage(client0);
        s.ok += r.completed;
        s.errorCount += r.errors;
        if (r.errors) s.errors.push(`throughput c=${c}: ${r.errors} errors, first: ${r.firstError}`);
        windows.push({
          system: s.name, concurrency: c, round, completed: r.completed, errors: r.errors, elapsedMs: r.elapsedMs,
          cpuSec: cpuSeconds(s.pid) - cpu0, ...(parts0 ? { partsCpuSec: partsCpu(s.parts, parts0) } : {}), upstreamCpuSec: cpuSeconds(standin.pid) - up0,
          clientCpuSec: (client.user + client.system) / 1e6, wallMs,
        });
      }
    }
  }
  return windows;
}

/** CPU seconds of each process of a split system ({ worker, objects, d1 }), or since `from`. */
function partsCpu(parts, from = null) {
  return Object.fromEntries(Object.entries(parts).map(([k, pid]) => [k, cpuSeconds(pid) - (from?.[k] ?? 0)]));
}

/**
 * The rate window filling up: one fresh key (empty window) under a c=16 closed loop for
 * windowSeconds, second by second, with the gateway's CPU per request of each second. "start" is
 * the first windowEdgeSeconds, "end" the last ones (after 20 s in the full run), when the key's
 * 60-second window holds everything sent so far.
 */
async function windowPhase(ctx, name = "gateway") {
  phase = `window fill (${name})`;
  const g = ctx.systems.find((s) => s.name === name);
  log(`window fill (${name}): ${PLAN.windowSeconds} s at c=16 on one fresh key`);
  const fresh = await ctx[name].createKey("window");
  const target = { ...g.target, headers: { authorization: `Bearer ${fresh.apiKey}` } };
  await sleep(PLAN.settleMs);
  const bySecond = [];
  let inWindow = 0;
  for (let sec = 0; sec < PLAN.windowSeconds; sec++) {
    const cpu0 = cpuSeconds(g.pid);
    const r = await closedLoop(target, jsonBody(g.model), g.agent, 16, 1000);
    g.ok += r.completed;
    g.errorCount += r.errors;
    if (r.errors) g.errors.push(`window fill: ${r.errors} errors, first: ${r.firstError}`);
    inWindow += r.completed;
    bySecond.push({ second: sec + 1, rps: r.completed / (r.elapsedMs / 1000), cpuMsPerRequest: ((cpuSeconds(g.pid) - cpu0) * 1000) / Math.max(1, r.completed), eventsInWindow: inWindow });
  }
  await sleep(PLAN.settleMs);
  const edge = (rows) => {
    const n = rows.reduce((a, x) => a + x.rps, 0);
    return { rps: n / rows.length, cpuMsPerRequest: rows.reduce((a, x) => a + x.cpuMsPerRequest * x.rps, 0) / n };
  };
  const k = PLAN.windowEdgeSeconds;
  const start = edge(bySecond.slice(0, k));
  const end = edge(bySecond.slice(-k));
  return { seconds: PLAN.windowSeconds, start, end, cpuEndOverStart: end.cpuMsPerRequest / start.cpuMsPerRequest, eventsInWindowAtEnd: inWindow, trend: trend(bySecond), bySecond };
}

/**
 * The two edges swing with single seconds; the least-squares line of CPU per request against the
 * requests in the window over every second says how the cost moves as the window fills (shown
 * beside the target, which stays the edges' ratio): its value at the last second over its value at
 * the first.
 */
function trend(rows) {
  const mx = mean(rows.map((r) => r.eventsInWindow));
  const my = mean(rows.map((r) => r.cpuMsPerRequest));
  const sxy = rows.reduce((a, r) => a + (r.eventsInWindow - mx) * (r.cpuMsPerRequest - my), 0);
  const sxx = rows.reduce((a, r) => a + (r.eventsInWindow - mx) ** 2, 0);
  const slope = sxx ? sxy / sxx : 0;
  const at = (x) => my + slope * (x - mx);
  return { msPer1000Requests: slope * 1000, fittedEndOverStart: at(rows.at(-1).eventsInWindow) / at(rows[0].eventsInWindow) };
}

// ---------------------------------------------------------------------------------------------
// Analysis
function latencyStats(ms) {
  return { n: ms.length, p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), mean: mean(ms) };
}

function streamStats(streams) {
  const ttft = [];
  const gaps = [];
  const forward = [];
  let chunks = 0;
  let ordered = 0; // chunks received before the stand-in produced the next one
  let checked = 0;
  let missing = 0;
  let held = 0;
  const late = []; // the chunks that arrived only after the stand-in had produced the next one
  for (const [n, st] of streams.entries()) {
    ttft.push(nsToMs(st.firstNs - st.startNs));
    const cs = [...st.chunks].sort((x, y) => x.i - y.i);
    chunks += cs.length;
    if (cs.length === 0 || cs.at(-1).i + 1 !== cs.length) missing += 1;
    for (let k = 0; k < cs.length; k++) {
      forward.push(nsToMs(cs[k].recvNs - cs[k].sentNs));
      if (k > 0) gaps.push(nsToMs(cs[k].recvNs - cs[k - 1].recvNs));
      if (k + 1 < cs.length) {
        checked += 1;
        if (cs[k].recvNs < cs[k + 1].sentNs) ordered += 1;
        else if (nsToMs(cs[k + 1].recvNs - cs[k].recvNs) < 1) held += 1;
        if (cs[k].recvNs >= cs[k + 1].sentNs && late.length < 20) {
          late.push({ stream: n, chunk: cs[k].i, forwardMs: nsToMs(cs[k].recvNs - cs[k].sentNs), receivedAfterNextSentMs: nsToMs(cs[k].recvNs - cs[k + 1].sentNs), gapToNextReceivedMs: nsToMs(cs[k + 1].recvNs - cs[k].recvNs) });
        }
      }
    }
  }
  return {
    streams: streams.length,
    chunksPerStream: streams.length ? chunks / streams.length : 0,
    incompleteStreams: missing,
    ttft: { p50: median(ttft), p99: percentile(ttft, 99), min: Math.min(...ttft), max: Math.max(...ttft) },
    gap: { p50: median(gaps), p99: percentile(gaps, 99), max: Math.max(...gaps) },
    forwardDelay: { p50: median(forward), p99: percentile(forward, 99), max: Math.max(...forward) },
    // A late chunk that reached the client together with the next one (< 1 ms apart) was held
    // back until the next arrived: buffering. One that came late but well apart from the next
    // was delayed (the process was busy), not buffered.
    zeroBuffering: { checked, forwardedBeforeNext: ordered, violations: checked - ordered, heldUntilNext: held, late },
  };
}

function throughputStats(windows, name, c) {
  const ws = windows.filter((w) => w.system === name && w.concurrency === c);
  const completed = ws.reduce((a, w) => a + w.completed, 0);
  const elapsed = ws.reduce((a, w) => a + w.elapsedMs, 0);
  const cpu = ws.reduce((a, w) => a + w.cpuSec, 0);
  const up = ws.reduce((a, w) => a + w.upstreamCpuSec, 0);
  const client = ws.reduce((a, w) => a + w.clientCpuSec, 0);
  const wall = ws.reduce((a, w) => a + w.wallMs, 0);
  // A split system: each process's CPU per request, and all of them together.
  const byProcess = ws[0]?.partsCpuSec ? Object.fromEntries(Object.keys(ws[0].partsCpuSec).map((k) => [k, (ws.reduce((a, w) => a + w.partsCpuSec[k], 0) * 1000) / completed])) : null;
  if (byProcess) byProcess.all = Object.values(byProcess).reduce((a, x) => a + x, 0);
  return {
    ...(byProcess ? { cpuMsPerRequestByProcess: byProcess } : {}),
    rps: completed / (elapsed / 1000),
    rpsPerRound: ws.map((w) => w.completed / (w.elapsedMs / 1000)),
    completed, errors: ws.reduce((a, w) => a + w.errors, 0),
    cpuMsPerRequest: (cpu * 1000) / completed,
    upstreamCpuMsPerRequest: (up * 1000) / completed,
    clientCpuShare: client / (wall / 1000), // cores' worth of CPU the load generator used
  };
}

function analyse(ctx, latency, streams1, streamsLoad, windows, memoryIdle, windowFill) {
  const names = ctx.systems.map((s) => s.name);
  const per = {};
  for (const s of ctx.systems) {
    const lat = latencyStats(latency[s.name]);
    const st1 = streamStats(streams1[s.name]);
    const stL = streamStats(streamsLoad[s.name]);
    const thr = Object.fromEntries(PLAN.concurrencies.map((c) => [`c${c}`, throughputStats(windows, s.name, c)]));
    const mem = memory(s.pid);
    per[s.name] = {
      label: s.label, pid: s.pid,
      latency: lat, stream: st1, streamUnderLoad: { concurrency: PLAN.loadStreams, ...stL }, throughput: thr,
      memory: { idleRssMiB: memoryIdle[s.name] / 1024, peakRssMiB: mem.peakKiB / 1024, rssAtEndMiB: mem.rssKiB / 1024 },
      requestsOk: s.ok, errors: s.errorCount, firstErrors: s.errors.slice(0, 3),
    };
  }
  const d = per.direct;
  for (const n of names) {
    const p = per[n];
    p.added = {
      latencyP50: p.latency.p50 - d.latency.p50,
      latencyP99: p.latency.p99 - d.latency.p99,
      ttftP50: p.stream.ttft.p50 - d.stream.ttft.p50,
      gapP50: p.stream.gap.p50 - d.stream.gap.p50,
      gapP99: p.stream.gap.p99 - d.stream.gap.p99,
      forwardDelayP50: p.stream.forwardDelay.p50 - d.stream.forwardDelay.p50,
      forwardDelayP99: p.stream.forwardDelay.p99 - d.stream.forwardDelay.p99,
    };
  }
  const g = per.gateway;
  const b = per.bare;
  const pk = per.portkey;
  const over = (x, y) => (y === 0 ? NaN : x / y);
  const ratios = {
    // (c − a) / (b − a): how many times the bare worker's own overhead the gateway adds.
    gatewayOverBareAdded: {
      latencyP50: over(g.added.latencyP50, b.added.latencyP50),
      latencyP99: over(g.added.latencyP99, b.added.latencyP99),
      ttftP50: over(g.added.ttftP50, b.added.ttftP50),
    },
    throughputGatewayOverBare: Object.fromEntries(PLAN.concurrencies.map((c) => [`c${c}`, over(g.throughput[`c${c}`].rps, b.throughput[`c${c}`].rps)])),
    cpuGatewayOverBare: Object.fromEntries(PLAN.concurrencies.map((c) => [`c${c}`, over(g.throughput[`c${c}`].cpuMsPerRequest, b.throughput[`c${c}`].cpuMsPerRequest)])),
  };
  const b0 = per.before;
  if (b0) {
    ratios.gatewayVsBefore = {
      addedLatencyP50: over(g.added.latencyP50, b0.added.latencyP50),
      ...Object.fromEntries(PLAN.concurrencies.map((c) => [`throughputC${c}`, over(g.throughput[`c${c}`].rps, b0.throughput[`c${c}`].rps)])),
      ...Object.fromEntries(PLAN.concurrencies.map((c) => [`cpuPerRequestC${c}`, over(g.throughput[`c${c}`].cpuMsPerRequest, b0.throughput[`c${c}`].cpuMsPerRequest)])),
    };
  }
  if (pk) {
    ratios.gatewayVsPortkey = {
      addedLatencyP50: over(g.added.latencyP50, pk.added.latencyP50),
      addedLatencyP99: over(g.added.latencyP99, pk.added.latencyP99),
      addedTtftP50: over(g.added.ttftP50, pk.added.ttftP50),
      ...Object.fromEntries(PLAN.concurrencies.map((c) => [`throughputC${c}`, over(g.throughput[`c${c}`].rps, pk.throughput[`c${c}`].rps)])),
      ...Object.fromEntries(PLAN.concurrencies.map((c) => [`cpuPerRequestC${c}`, over(g.throughput[`c${c}`].cpuMsPerRequest, pk.throughput[`c${c}`].cpuMsPerRequest)])),
      peakRss: over(g.memory.peakRssMiB, pk.memory.peakRssMiB),
    };
  }
  const targets = [];
  const t = (id, text, measured, pass) => targets.push({ id, target: text, measured, pass: pass === null ? null : Boolean(pass) });
  const ttftOverBare = g.stream.ttft.p50 - b.stream.ttft.p50;
  t("ttft", "TTFT (p50) no more than 1 ms above bare", `${round(ttftOverBare, 2)} ms above bare`, ttftOverBare <= 1);
  const p50OverBare = g.latency.p50 - b.latency.p50;
  t("latency_p50", "added latency at c=1, p50, at most 2 ms above bare", `${round(p50OverBare, 2)} ms above bare`, p50OverBare <= 2);
  const p99OverBare = g.latency.p99 - b.latency.p99;
  t("latency_p99", "added latency at c=1, p99, at most 5 ms above bare", `${round(p99OverBare, 2)} ms above bare`, p99OverBare <= 5);
  for (const c of PLAN.concurrencies) {
    const r = ratios.throughputGatewayOverBare[`c${c}`];
    t(`throughput_c${c}`, `throughput at c=${c} at least 50% of bare`, `${round(r * 100, 1)}% of bare`, r >= 0.5);
  }
  if (pk) {
    t("portkey_latency_p50", "lower added latency than Portkey (c=1, p50)", `${round(g.added.latencyP50, 2)} ms vs ${round(pk.added.latencyP50, 2)} ms`, g.added.latencyP50 < pk.added.latencyP50);
    t("portkey_latency_p99", "lower added latency than Portkey (c=1, p99)", `${round(g.added.latencyP99, 2)} ms vs ${round(pk.added.latencyP99, 2)} ms`, g.added.latencyP99 < pk.added.latencyP99);
    t("portkey_ttft", "lower added TTFT than Portkey (p50)", `${round(g.added.ttftP50, 2)} ms vs ${round(pk.added.ttftP50, 2)} ms`, g.added.ttftP50 < pk.added.ttftP50);
  } else {
    t("portkey", "lower added latency and TTFT than Portkey", `not measured: ${ctx.portkeyError}`, null);
  }
  // Issue 14's targets for the hot path (docs/benchmarks.md, "Targets").
  const cpu16 = g.throughput.c16.cpuMsPerRequest;
  t("cpu_per_request", "gateway CPU per request at c=16 at most 1.0 ms", `${round(cpu16, 3)} ms`, cpu16 <= 1.0);
  for (const c of PLAN.concurrencies) {
    const r = ratios.throughputGatewayOverBare[`c${c}`];
    t(`throughput30_c${c}`, `throughput at c=${c} at least 30% of bare`, `${round(r * 100, 1)}% of bare`, r >= 0.3);
  }
  const sp = per.split;
  if (sp) {
    for (const c of PLAN.concurrencies) {
      const bp = sp.throughput[`c${c}`].cpuMsPerRequestByProcess;
      t(`cpu_per_request_worker_c${c}`, `split: the gateway worker's own CPU per request at c=${c} at most 1.0 ms (its process alone; Durable Objects and D1 apart)`,
        `worker ${round(bp.worker, 3)} ms; objects ${round(bp.objects, 3)} ms, D1 ${round(bp.d1, 3)} ms, all three ${round(bp.all, 3)} ms`, bp.worker <= 1.0);
      const r = sp.throughput[`c${c}`].rps / b.throughput[`c${c}`].rps;
      t(`split_throughput30_c${c}`, `split: throughput at c=${c} at least 30% of bare`, `${round(r * 100, 1)}% of bare`, r >= 0.3);
    }
    if (pk) t("split_latency_p50_no_worse", "split: added latency at c=1, p50, no worse than Portkey's", `${round(sp.added.latencyP50, 2)} ms vs ${round(pk.added.latencyP50, 2)} ms`, sp.added.latencyP50 <= pk.added.latencyP50);
  }
  if (pk) {
    t("portkey_latency_p50_no_worse", "added latency at c=1, p50, no worse than Portkey's", `${round(g.added.latencyP50, 2)} ms vs ${round(pk.added.latencyP50, 2)} ms`, g.added.latencyP50 <= pk.added.latencyP50);
  }
  t("window_flat", `gateway CPU per request after ${windowFill.seconds - PLAN.windowEdgeSeconds} s at c=16 on one key at most 10% above a fresh key's`,
    `${round(windowFill.end.cpuMsPerRequest, 3)} vs ${round(windowFill.start.cpuMsPerRequest, 3)} ms (${round((windowFill.cpuEndOverStart - 1) * 100, 1)}%), ${windowFill.eventsInWindowAtEnd} requests in the window`,
    windowFill.cpuEndOverStart <= 1.1);
  const zb = g.stream.zeroBuffering;
  t("zero_buffering", "each streamed chunk reaches the client before the stand-in produces the next (c=1)",
    `${zb.forwardedBeforeNext}/${zb.checked} chunks${zb.violations ? ` (${zb.heldUntilNext} of the late ones arrived together with the next)` : ""}${g.stream.incompleteStreams ? `, ${g.stream.incompleteStreams} incomplete streams` : ""}`,
    zb.checked > 0 && zb.violations === 0 && g.stream.incompleteStreams === 0);
  return { systems: per, ratios, targets, windowFill };
}

/**
 * Every gateway request that succeeded must have produced one usage record: in the wallet (its
 * recent records, the usage plane's source; the bench binds no queue, so they stay there) and, for a
 * gateway from before the plane, in D1's usage_logs (the outbox).
 */
async function gatewayBookkeeping(ctx, name = "gateway") {
  const g = ctx.systems.find((s) => s.name === name);
  const deadline = Date.now() + 20_000;
  let usage = 0;
  let user = await ctx[name].userState();
  while (Date.now() < deadline) {
    user = await ctx[name].userState();
    usage = Math.max(await ctx[name].usageRecords(), await ctx[name].d1Count("usage_logs"));
    if (usage >= g.ok) break;
    await sleep(250);
  }
  return {
    gatewayRequestsOk: g.ok, usageRecords: usage, usageRecordsInD1: await ctx[name].d1Count("usage_logs"), ledgerRowsInD1: await ctx[name].d1Count("transactions"),
    inFlightReservations: user.in_flight, totalUsageUsd: user.total_usage_usd, balanceUsd: user.balance_usd,
    ok: usage === g.ok && user.in_flight === 0,
  };
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const ctx = await setup();
  const memoryIdle = Object.fromEntries(ctx.systems.map((s) => [s.name, memory(s.pid).rssKiB]));
  const tPhases = Date.now();
  await warmup(ctx.systems);
  const latency = await latencyPhase(ctx.systems);
  const streams1 = await streamPhase(ctx.systems, PLAN.streamRounds, 1, 100);
  const streamsLoad = await streamPhase(ctx.systems, PLAN.loadStreamRounds, PLAN.loadStreams, 200);
  const windows = await throughputPhase(ctx);
  const windowFill = await windowPhase(ctx);
  const windowFillBefore = ctx.before ? await windowPhase(ctx, "before") : null;
  const measuredSec = (Date.now() - tPhases) / 1000;
  const analysis = analyse(ctx, latency, streams1, streamsLoad, windows, memoryIdle, windowFill);
  const bookkeeping = await gatewayBookkeeping(ctx);
  const splitBookkeeping = ctx.split ? await gatewayBookkeeping(ctx, "split") : null;

  const result = {
    kind: SMOKE ? "smoke" : "full",
    date: new Date().toISOString(),
    durationSec: round((Date.now() - started) / 1000, 1),
    measuredSec: round(measuredSec, 1),
    seed: SEED,
    plan: PLAN,
    machine: machine(),
    versions: versions(),
    gateway: gitState(),
    runtime: {
      gateway: "workerd through Miniflare's API (new Miniflare(), one workerd process per system), worker served on a direct workerd socket (unsafeDirectSockets): no wrangler dev proxy, no Miniflare entry worker",
      bundle: "npx wrangler deploy --dry-run --outdir <tmp> (the production bundle)",
      storage: "D1 and SQLite-backed Durable Objects (AccountDO, ChannelHealthDO) in memory; migrations/*.sql applied with D1 batch() before the run",
      portkey: ctx.portkey ? "node build/start-server.js --headless (Node, same binary as the bench), provider openai with x-portkey-custom-host" : ctx.portkeyError,
      upstream: "scripts/bench/standin.mjs, its own Node process: JSON at once; SSE 200 ms to the first token, then 64 chunks 20 ms apart, usage last",
      client: "node:http keep-alive agents in the bench process",
    },
    ...analysis,
    windowFillBefore,
    gatewayBookkeeping: bookkeeping,
    splitBookkeeping,
    portkeyError: ctx.portkeyError,
  };
  const jsonText = JSON.stringify(result, (k, v) => (typeof v === "number" ? round(v, 3) : v), 2);
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, jsonText + "\n");
  const md = renderMarkdown(result);
  if (WRITE_DOCS) {
    writeDocs(join(ROOT, "docs/benchmarks.md"), md, jsonText);
    log("docs/benchmarks.md updated");
  }
  log(`JSON written to ${OUT}`);
  await cleanup(); // before printing: a closed stdout (| head) must not leave workerd or temp files behind
  process.stdout.write(md + "\n");

  // Exit code: 1 when the bench did not work (errors, broken streams, lost bookkeeping).
  // Missed targets are printed, not failed on: timings on a shared machine are noisy.
  const broken = [];
  for (const [name, s] of Object.entries(result.systems)) {
    if (s.errors) broken.push(`${name}: ${s.errors} failed requests, e.g. ${s.firstErrors[0]}`);
    if (s.stream.streams === 0 || s.stream.incompleteStreams) broken.push(`${name}: streams missing or incomplete`);
  }
  if (!bookkeeping.ok) broken.push(`gateway bookkeeping: ${JSON.stringify(bookkeeping)}`);
  if (splitBookkeeping && !splitBookkeeping.ok) broken.push(`split gateway bookkeeping: ${JSON.stringify(splitBookkeeping)}`);
  if (!SKIP_PORTKEY && !ctx.portkey) broken.push(`portkey: ${ctx.portkeyError}`);
  const misses = result.targets.filter((x) => x.pass === false).length;
  log(`done in ${result.durationSec} s: ${result.targets.filter((x) => x.pass).length} targets met, ${misses} missed`);
  if (broken.length) {
    log(`FAILED:\n  ${broken.join("\n  ")}`);
    process.exit(1);
  }
  process.exit(0);
}

main().catch(async (err) => {
  process.stderr.write(`[bench] failed: ${err.stack ?? err}\n`);
  await cleanup();
  process.exit(1);
});
