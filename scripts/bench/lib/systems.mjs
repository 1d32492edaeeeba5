// Starting the systems under test: the stand-in upstream, the gateway and the bare pass-through
// worker in workerd (through Miniflare's API, no wrangler dev proxy), and Portkey on Node.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createServer } from "node:net";
import { childPids } from "./proc.mjs";

export const ROOT = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
export const BENCH = join(ROOT, "scripts/bench");
const BIN = join(ROOT, "node_modules/.bin");

export const ADMIN_TOKEN = "bench-admin-token";
export const UPSTREAM_KEY = "sk-bench-upstream-0123456789abcdef";
export const BENCH_MODEL = "bench-model";
export const UPSTREAM_MODEL = "bench-upstream";

function log(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Spawns a Node script that prints one JSON line (e.g. {"port": N}) when it is ready. */
function spawnReady(args, opts = {}) {
  return new Promise((resolve, reject) => {
    // stdin stays an open pipe: the child exits when it closes (when this process ends).
    const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"], ...opts });
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start in 30 s`)), 30_000);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
    rl.once("line", (line) => {
      clearTimeout(timer);
      resolve({ child, info: JSON.parse(line) });
    });
  });
}

export async function startStandin(env = {}) {
  const { child, info } = await spawnReady([join(BENCH, "standin.mjs")], { env: { ...process.env, ...env } });
  child.removeAllListeners("exit");
  return { pid: child.pid, port: info.port, origin: `http://127.0.0.1:${info.port}`, stop: () => child.kill("SIGTERM") };
}

/** `wrangler deploy --dry-run --outdir` into a temporary folder: the exact production bundle. */
export function buildBundle(root = ROOT) {
  if (!existsSync(join(root, "dashboard/dist"))) {
    // wrangler.toml's [assets] directory must exist for wrangler to bundle; `npm run deploy` builds it first too.
    spawnSync(process.execPath, [join(ROOT, "dashboard/build.mjs")], { stdio: "inherit", cwd: root });
  }
  const outdir = mkdtempSync(join(tmpdir(), "gateway-bench-bundle-"));
  const r = spawnSync(join(BIN, "wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: root, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
  if (r.status !== 0 || !existsSync(join(outdir, "index.js"))) {
    throw new Error(`wrangler deploy --dry-run failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return { outdir, script: join(outdir, "index.js"), cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** compatibility_date and compatibility_flags from wrangler.toml (the two keys the bench needs). */
export function wranglerCompat() {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flagsRaw = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  const flags = [...flagsRaw.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  if (!date) throw new Error("wrangler.toml has no compatibility_date");
  return { compatibilityDate: date, compatibilityFlags: flags };
}

/** Splits a migration file into statements: `--` comments dropped, `;` outside quotes ends one. */
export function splitSql(sql) {
  const out = [];
  let cur = "";
  let quote = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i];
    if (quote) {
      cur += ch;
      if (ch === quote) {
        if (sql[i + 1] === quote) { cur += sql[++i]; } else quote = null;
      }
      continue;
    }
    if (ch === "-" && sql[i + 1] === "-") {
      while (i < sql.length && sql[i] !== "\n") i++;
      cur += "\n";
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") { quote = ch; cur += ch; continue; }
    if (ch === ";") {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

async function newWorkerdPid(before) {
  for (let i = 0; i < 50; i++) {
    const pids = childPids(process.pid, "workerd").filter((p) => !before.includes(p));
    if (pids.length === 1) return pids[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("could not find the workerd process that Miniflare started");
}

async function loadMiniflare() {
  let mod;
  try {
    mod = await import("miniflare");
  } catch {
    // miniflare is a dependency of wrangler; npm normally hoists it, but not always.
    mod = await import(join(ROOT, "node_modules/wrangler/node_modules/miniflare/dist/src/index.js"));
  }
  // Miniflare 5 takes { workers: [{ config, env, exports, dev }] }; it keeps the flat v4 options
  // (the ones its README documents) through convertV4MiniflareOptions. Miniflare 3/4 take them as is.
  const options = (v4) => (typeof mod.convertV4MiniflareOptions === "function" ? mod.convertV4MiniflareOptions(v4) : v4);
  return { ...mod, options };
}

/**
 * The full gateway, from the dry-run bundle, in its own workerd process: D1 `DB`, the
 * SQLite-backed Durable Objects ACCOUNT (AccountDO) and HEALTH (ChannelHealthDO), the provider
 * settings pointing at the stand-in. Storage is in memory (no persistence between runs).
 * The worker is served on a direct workerd socket (unsafeDirectSockets), so requests do not pass
 * through Miniflare's own entry worker.
 */
/** The gateway worker's options: its bundle, bindings and the Durable Objects it declares or binds. */
function gatewayWorker(bundle, standin, name, durableObjects) {
  return {
    name,
    modules: true,
    scriptPath: bundle.script,
    modulesRoot: bundle.outdir,
    ...wranglerCompat(),
    d1Databases: { DB: "bench-gateway-db" },
    durableObjects,
    bindings: {
      DEMO_PROVIDER: "off",
      ADMIN_TOKEN,
      // API keys carry a tag under this secret (src/lib/api-key.ts); without it no key is issued.
      KEY_TAG_SECRET: "bench-key-tag-secret-0123456789abcdef",
      OPENAI_API_KEY: UPSTREAM_KEY,
      OPENAI_BASE_URL: `${standin.origin}/v1`,
    },
  };
}

const OWN_OBJECTS = {
  ACCOUNT: { className: "AccountDO", useSQLite: true },
  HEALTH: { className: "ChannelHealthDO", useSQLite: true },
};

/** One Miniflare instance in its own workerd process; returns it with that process's pid. */
async function startWorkerd(Miniflare, opts) {
  const before = childPids(process.pid, "workerd");
  const mf = new Miniflare(opts);
  await mf.ready;
  return { mf, pid: await newWorkerdPid(before) };
}

/**
 * The gateway split the way production runs it (--split): three workerd processes, so each one's
 * CPU can be read apart. (1) "d1": Miniflare's D1 simulator, holding the shared storage (the
 * oldest instance of Miniflare's dev registry owns it); (2) "objects": the same bundle as worker
 * "account", whose AccountDO and ChannelHealthDO classes hold the wallets; (3) "worker": the
 * gateway worker serving HTTP, its ACCOUNT and HEALTH bindings pointing at the objects' process
 * (scriptName "account", through Miniflare's dev registry) and its D1 binding at the shared D1.
 */
async function startSplit(Miniflare, shared, bundle, standin, port, workerOptions) {
  const root = mkdtempSync(join(tmpdir(), "gateway-bench-split-"));
  const instance = (name) => ({
    ...shared,
    unsafeDevRegistryPath: join(root, "registry"),
    unsafeEnableSharedStorage: true,
    resourcePersistencePath: join(root, "shared"),
    isolatedResourcePersistencePath: join(root, name),
  });
  const { options: v4 } = await loadMiniflare();
  // convertV4MiniflareOptions drops unsafeEnableSharedStorage: it is set on the converted options.
  const options = (o) => ({ ...v4(o), unsafeEnableSharedStorage: true });
  const d1 = await startWorkerd(Miniflare, options({
    ...instance("d1"), name: "d1-holder", modules: true, ...wranglerCompat(),
    script: "export default { fetch() { return new Response('d1 holder'); } };",
    d1Databases: { DB: "bench-gateway-db" },
  }));
  const objects = await startWorkerd(Miniflare, options({ ...instance("objects"), ...gatewayWorker(bundle, standin, "account", OWN_OBJECTS) }));
  const worker = await startWorkerd(Miniflare, options({
    ...instance("worker"),
    ...gatewayWorker(bundle, standin, "gateway", {
      ACCOUNT: { className: "AccountDO", scriptName: "account", useSQLite: true },
      HEALTH: { className: "ChannelHealthDO", scriptName: "account", useSQLite: true },
    }),
    unsafeDirectSockets: [{ host: "127.0.0.1", port }],
    ...workerOptions,
  }));
  return {
    mf: worker.mf, pid: worker.pid,
    processes: { worker: worker.pid, objects: objects.pid, d1: d1.pid },
    dispose: async () => {
      for (const x of [worker, objects, d1]) await x.mf.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function startGateway(bundle, standin, extraOptions = {}, extraWorkers = [], { split = false } = {}) {
  const { Miniflare, Log, LogLevel, options } = await loadMiniflare();
  const port = await freePort();
  const shared = {
    log: new Log(LogLevel.WARN),
    logRequests: false,
    cf: false, // no download of the Request.cf object (the network is loopback only)
  };
  const gateway = { ...gatewayWorker(bundle, standin, "gateway", OWN_OBJECTS), unsafeDirectSockets: [{ host: "127.0.0.1", port }] };
  // extraWorkers (capacity.mjs only): more workers in the same workerd process, e.g. one bound to
  // the gateway's AccountDO class (scriptName "gateway") that drives it without HTTP.
  const started = split
    ? await startSplit(Miniflare, shared, bundle, standin, port, extraOptions) // extraOptions: the worker's process (inspectorPort)
    : await startWorkerd(Miniflare, options(extraWorkers.length
      ? { ...shared, ...extraOptions, workers: [gateway, ...extraWorkers] }
      : { ...shared, ...gateway, ...extraOptions })); // extraOptions, profile.mjs only: inspectorPort, other storage
  const { mf, pid } = started;
  const db = await mf.getD1Database("DB");
  const files = readdirSync(join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort();
  let statements = 0;
  for (const f of files) {
    const stmts = splitSql(readFileSync(join(ROOT, "migrations", f), "utf8"));
    if (stmts.length) await db.batch(stmts.map((s) => db.prepare(s)));
    statements += stmts.length;
  }
  log(`gateway: applied ${files.length} migrations (${statements} statements) to D1`);
  await db.prepare(
    `INSERT INTO models (id, name, provider, upstream_model, kind, context_length, max_output_tokens, input_price, output_price, cached_input_price, cache_write_price, capabilities, enabled, price_source, price_updated_at)
     VALUES (?, 'Benchmark model', 'openai', ?, 'chat', 128000, 16384, 150000, 600000, 75000, NULL, '["json"]', 1, 'benchmark', '2026-11-01')`,
  ).bind(BENCH_MODEL, UPSTREAM_MODEL).run();

  const origin = `http://127.0.0.1:${port}`;
  const admin = async (path, body) => {
    const res = await fetch(`${origin}/api/admin${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`operator API ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  // A user with credit and a key; limits high enough that the benchmark measures the path, not
  // the limiter's refusals. profile.mjs makes more of them (a fresh key has an empty rate window).
  const createKey = async (label = "bench") => {
    const user = await admin("/users", { email: `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@bench.test`, name: "Benchmark" });
    await admin(`/users/${user.id}/credits`, { amount_usd: "100000.00", note: "benchmark credit", idempotency_key: `bench-${user.id}` });
    const key = await admin(`/users/${user.id}/keys`, { name: label, rpm: 1_000_000, tpm: 1_000_000_000 });
    users.push(user.id);
    return { userId: user.id, apiKey: key.key };
  };
  const users = [];
  const userView = async (id) => (await fetch(`${origin}/api/admin/users/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  const { userId, apiKey } = await createKey();
  log(`gateway: workerd pid ${pid}${started.processes ? ` (objects ${started.processes.objects}, d1 ${started.processes.d1})` : ""}, ${origin}, user ${userId}`);
  return {
    pid, origin, mf, db, userId, apiKey, createKey, processes: started.processes ?? null,
    userState: () => userView(userId),
    /** Usage records held by the wallets of every user the bench created (the main one and the window phase's). */
    usageRecords: async () => (await Promise.all(users.map(userView))).reduce((n, u) => n + (u.usage_records ?? 0), 0),
    d1Count: async (table) => (await db.prepare(`SELECT count(*) AS n FROM ${table}`).first()).n,
    stop: () => (started.dispose ? started.dispose() : mf.dispose()),
  };
}

/** Any other worker, from flat (v4) Miniflare options, in its own workerd process (commit-floor.mjs). */
export async function startMiniflare(v4) {
  const { Miniflare, Log, LogLevel, options } = await loadMiniflare();
  return startWorkerd(Miniflare, options({ log: new Log(LogLevel.WARN), logRequests: false, cf: false, ...v4 }));
}

/** The bare pass-through worker (bare-worker.mjs) in its own workerd process, same options style. */
export async function startBare(standin) {
  const { Miniflare, Log, LogLevel, options } = await loadMiniflare();
  const port = await freePort();
  const before = childPids(process.pid, "workerd");
  const mf = new Miniflare(options({
    log: new Log(LogLevel.WARN),
    logRequests: false,
    cf: false,
    name: "bare",
    modules: true,
    scriptPath: join(BENCH, "bare-worker.mjs"),
    modulesRoot: BENCH,
    ...wranglerCompat(),
    bindings: { UPSTREAM_ORIGIN: standin.origin },
    unsafeDirectSockets: [{ host: "127.0.0.1", port }],
  }));
  await mf.ready;
  const pid = await newWorkerdPid(before);
  const origin = `http://127.0.0.1:${port}`;
  log(`bare: workerd pid ${pid}, ${origin}`);
  return { pid, origin, mf, stop: () => mf.dispose() };
}

const PORTKEY_DIR = join(BENCH, "portkey");

/** Installs scripts/bench/portkey (its own npm project) when its node_modules is missing. */
export function ensurePortkeyInstalled() {
  const entry = join(PORTKEY_DIR, "node_modules/@portkey-ai/gateway/build/start-server.js");
  if (existsSync(entry)) return entry;
  log("portkey: node_modules missing, running npm install --prefix scripts/bench/portkey");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["install", "--prefix", PORTKEY_DIR, "--no-audit", "--no-fund", "--ignore-scripts"], {
    cwd: ROOT, stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0 || !existsSync(entry)) throw new Error(`npm install --prefix ${PORTKEY_DIR} failed (${r.status})`);
  return entry;
}

export function portkeyVersions() {
  const v = (p) => {
    try { return JSON.parse(readFileSync(join(PORTKEY_DIR, "node_modules", p, "package.json"), "utf8")).version; } catch { return null; }
  };
  return { portkey: v("@portkey-ai/gateway"), hono: v("hono"), honoNodeServer: v("@hono/node-server") };
}

/** Portkey's open-source gateway on Node (its own start-server.js), headless. */
export async function startPortkey() {
  const entry = ensurePortkeyInstalled();
  const port = await freePort();
  const child = spawn(process.execPath, [entry, `--port=${port}`, "--headless"], {
    cwd: PORTKEY_DIR, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_ENV: "production" },
  });
  let output = "";
  child.stdout.on("data", (d) => { output += d; });
  child.stderr.on("data", (d) => { output += d; });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`Portkey exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${origin}/`);
      await res.arrayBuffer();
      log(`portkey: node pid ${child.pid}, ${origin}`);
      return { pid: child.pid, origin, output: () => output, stop: () => child.kill("SIGTERM") };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill("SIGTERM");
  throw new Error(`Portkey did not answer on ${origin}:\n${output}`);
}
