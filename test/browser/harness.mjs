// Browser-test harness: the Stripe stand-in, the worker started the way `npm run dev` serves it
// (scripts/dev.mjs, on a free port and a throwaway local state), Chromium through playwright-core
// (test/browser/chromium.mjs: the system's, or the build shipped in an npm package), the dev mail
// read from the worker's output, and axe-core.
// Everything startStack starts is stopped on every path: a failed start (stand-in, gateway or
// browser) stops what already runs before the error is thrown, stop() ends the whole process trees,
// and an interrupted or exiting test process takes its children with it. Every wait has a timeout.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, resolveChromium } from "./chromium.mjs";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ADMIN_TOKEN = "dev-admin-token"; // scripts/dev.mjs sets it, as `npm start` does
const STRIPE_KEY = "sk_test_browser_0123456789";
const WEBHOOK_SECRET = "whsec_browser_0123456789";
const STANDIN_START_MS = 60_000;
const GATEWAY_START_MS = 240_000;
const BROWSER_LAUNCH_MS = 90_000;
const MIGRATIONS_MS = 300_000;

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    }).on("error", reject);
  });
}

/** Every child this process started and has not yet stopped. */
const live = new Set();
/** Every throwaway state folder of a stack not yet stopped. */
const states = new Set();

/** A child process whose output is kept, so tests can wait for lines (mail, "Ready on"). */
function start(cmd, args, env) {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const proc = { child, out: "", exited: null };
  const onData = (d) => {
    proc.out += d.toString();
    if (process.env.BROWSER_TEST_VERBOSE) process.stderr.write(d);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  child.on("error", (err) => {
    proc.out += `\n${err.message}`;
    proc.exited ??= -1;
  });
  child.on("exit", (code) => {
    proc.exited = code ?? -1;
  });
  live.add(proc);
  return proc;
}

/** The pids below `pid` (Linux /proc; elsewhere none, and the process group is signalled alone). */
function descendants(pid) {
  const children = new Map();
  let entries = [];
  try {
    entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(e));
    } catch {
      // exited meanwhile
    }
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Signals a child's process group and every process below it (wrangler and workerd run in groups of their own). */
function signalTree(proc, signal) {
  const pids = [proc.child.pid, ...descendants(proc.child.pid)];
  for (const pid of pids) {
    try {
      process.kill(-pid, signal);
    } catch {
      // not a group leader, or gone
    }
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** Stops a child and everything it started: SIGTERM, then SIGKILL after `graceMs`. */
async function stopProc(proc, graceMs = 5_000) {
  if (!proc || !live.has(proc)) return;
  live.delete(proc);
  if (proc.child.pid === undefined) return;
  const tree = [proc.child.pid, ...descendants(proc.child.pid)];
  signalTree(proc, "SIGTERM");
  const end = Date.now() + graceMs;
  const alive = () => tree.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  while (alive().length && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  for (const pid of alive()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  proc.child.stdout?.destroy();
  proc.child.stderr?.destroy();
}

// An interrupted or exiting test run takes its children along (synchronously: no awaiting on exit).
function killAllNow() {
  for (const proc of live) {
    if (proc.child.pid !== undefined) signalTree(proc, "SIGKILL");
  }
  live.clear();
  for (const dir of states) rmSync(dir, { recursive: true, force: true });
  states.clear();
}
process.once("exit", killAllNow);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(sig, () => {
    killAllNow();
    process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1));
  });
}

export async function waitFor(fn, { timeout = 30_000, interval = 250, what = "condition" } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Rejects after `ms` with a message naming `what`; the timer never keeps the process alive. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A local D1 state with every migration applied, made once per set of migrations under
 * node_modules/.cache/browser-d1-<hash>/ and copied for each stack (scripts/dev.mjs --no-migrate).
 * The migrations and their d1_migrations rows go in as one file through `wrangler d1 execute`: the
 * same tables and rows as `wrangler d1 migrations apply`, which starts a local runtime per migration
 * (about 1 s each). `npm run test:e2e` makes it before the files start (test/browser/prepare.mjs); a
 * file run alone makes it on first use. Made in a folder of this process's own and renamed into
 * place, as the npm Chromium is (test/browser/chromium.mjs).
 */
export async function migratedState() {
  const dir = join(ROOT, "migrations");
  const names = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
  const hash = createHash("sha256");
  for (const name of names) hash.update(name).update(readFileSync(join(dir, name)));
  const template = join(ROOT, "node_modules/.cache", `browser-d1-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(join(template, "migrated"))) return template;
  const stage = `${template}.${process.pid}.partial`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const sql = ["CREATE TABLE IF NOT EXISTS d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);"];
  for (const name of names) {
    const body = readFileSync(join(dir, name), "utf8").trimEnd();
    sql.push(body.endsWith(";") ? body : `${body};`, `INSERT INTO d1_migrations (name) VALUES ('${name.replaceAll("'", "''")}');`);
  }
  writeFileSync(join(stage, "migrations.sql"), `${sql.join("\n")}\n`);
  const apply = start("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", stage, "--file", join(stage, "migrations.sql")], { CI: "1", WRANGLER_SEND_METRICS: "false" });
  try {
    await waitFor(() => apply.exited !== null, { timeout: MIGRATIONS_MS, interval: 200, what: "wrangler d1 execute (the migrations)" });
  } finally {
    await stopProc(apply);
  }
  if (apply.exited !== 0) throw new Error(`wrangler d1 execute (the migrations) failed:\n${apply.out.slice(-3000)}`);
  rmSync(join(stage, "migrations.sql"));
  writeFileSync(join(stage, "migrated"), "");
  try {
    renameSync(stage, template);
  } catch (err) {
    if (!existsSync(join(template, "migrated"))) throw err;
  }
  rmSync(stage, { recursive: true, force: true });
  return template;
}

async function launchBrowser() {
  const { executablePath, env } = await resolveChromium();
  return chromium.launch({ executablePath, env: { ...process.env, ...env }, headless: true, args: CHROMIUM_ARGS, timeout: BROWSER_LAUNCH_MS });
}

/**
 * The stack of one test file. Files run two at a time (package.json test:e2e), and a free port can
 * be taken by the other file's stack between freePort() and wrangler's bind: that start is retried
 * on new ports.
 */
export async function startStack() {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStackOnce();
    } catch (err) {
      if (attempt >= 3 || !/Address already in use|EADDRINUSE/.test(String(err?.message))) throw err;
    }
  }
}

async function startStackOnce() {
  const [port, standinPort] = [await freePort(), await freePort()];
  const base = `http://localhost:${port}`;
  const template = await migratedState();
  const state = mkdtempSync(join(tmpdir(), "gw-browser-"));
  states.add(state);
  cpSync(template, state, { recursive: true });
  let standin;
  let gateway;
  let browser;
  // The browser is unpacked and launched while the gateway starts; a failure is kept for later.
  let browserError = null;
  const browserReady = launchBrowser().then((b) => {
    browser = b;
    return b;
  });
  browserReady.catch((err) => {
    browserError = err;
  });
  const teardown = async () => {
    await browserReady.then((b) => within(b.close(), 10_000, "closing the browser")).catch(() => {});
    await Promise.all([stopProc(gateway), stopProc(standin)]);
    rmSync(state, { recursive: true, force: true });
    states.delete(state);
  };
  try {
    // The stand-in and the gateway start side by side: each is only told the other's address.
    standin = start(join(ROOT, "node_modules/.bin/tsx"), ["test/standin/cli.ts", String(standinPort)], {
      STANDIN_STRIPE_WEBHOOK_URL: `${base}/api/billing/webhook`,
      STANDIN_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    const gatewayArgs = ["scripts/dev.mjs", "--no-watch", "--no-build", "--no-migrate", "--port", String(port), "--persist-to", state, "--var", `STRIPE_SECRET_KEY:${STRIPE_KEY}`,
      "--var", `STRIPE_WEBHOOK_SECRET:${WEBHOOK_SECRET}`, "--var", `STRIPE_API_BASE:http://127.0.0.1:${standinPort}/stripe`];
    gateway = start(process.execPath, gatewayArgs, { CI: "1", WRANGLER_SEND_METRICS: "false" });
    const standinUp = () => {
      if (standin.exited !== null) throw new Error(`stand-in failed:\n${standin.out}`);
      return standin.out.includes("standin listening");
    };
    await waitFor(() => {
      if (browserError) throw browserError;
      return standinUp();
    }, { timeout: STANDIN_START_MS, what: "the stand-in" });
    await waitFor(async () => {
      if (browserError) throw browserError;
      standinUp();
      if (gateway.exited !== null) throw new Error(`npm run dev failed:\n${gateway.out}`);
      if (!/Ready on/.test(gateway.out)) return false;
      return fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false);
    }, { timeout: GATEWAY_START_MS, interval: 250, what: "npm run dev" }).catch((err) => {
      throw new Error(`${err.message}\n${gateway.out.slice(-3000)}`);
    });
    await within(browserReady, BROWSER_LAUNCH_MS + 60_000, "launching Chromium");
  } catch (err) {
    await teardown();
    throw err;
  }

  return {
    base,
    browser,
    gateway,
    /** The Stripe stand-in's origin: the only other place the browser may go (it plays Stripe Checkout). */
    checkoutOrigin: `http://127.0.0.1:${standinPort}`,
    /** The link of the newest dev mail to `to` whose link contains `path` (the console sender prints it). */
    async mailLink(to, path, after = 0) {
      return waitFor(() => {
        const re = /📧 To: (\S+)[\s\S]*?📧 Link: (\S+)/g;
        let found = null;
        for (const m of gateway.out.slice(after).matchAll(re)) if (m[1] === to && m[2].includes(path)) found = m[2];
        return found;
      }, { timeout: 60_000, what: `mail to ${to}` });
    },
    mark: () => gateway.out.length,
    admin(method, path, body) {
      return fetch(`${base}/api/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
    },
    stop: teardown,
  };
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function axeSerious(page) {
  await page.addScriptTag({ path: join(ROOT, "node_modules/axe-core/axe.min.js") });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

/** Waits until the page's lazy chunk rendered its heading and no loading indicator remains. */
export async function settled(page) {
  await page.waitForSelector("main h1", { timeout: 20_000 });
  // The loading indicator (dashboard/src/components/ui.tsx `Loading`, texts from dashboard/src/i18n) is gone;
  // other status lines (e.g. the models count) stay.
  const loadingTexts = ["Loading…", "載入中…", "加载中…"];
  await page
    .waitForFunction((texts) => ![...document.querySelectorAll('main [role="status"].muted')].some((el) => texts.includes(el.textContent.trim())), loadingTexts, {
      timeout: 20_000,
    })
    .catch(() => {});
  await page.waitForLoadState("networkidle").catch(() => {});
}

/** A USD decimal string (an amount, or a price per token) → integer nano-USD. */
export function usdNano(usd) {
  const [whole, frac = ""] = usd.split(".");
  return Number(whole) * 1e9 + Number(frac.padEnd(9, "0").slice(0, 9));
}

/** Integer nano-USD → the API's 9-decimal USD string. */
export function usdString(nano) {
  return `${Math.floor(nano / 1e9)}.${String(nano % 1e9).padStart(9, "0")}`;
}
