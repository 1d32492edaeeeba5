// Browser-test harness: the Stripe stand-in, the worker started the way `npm run dev` serves it
// (scripts/dev.mjs, on a free port and a throwaway local state), Chromium through playwright-core,
// the dev mail read from the worker's output, and axe-core.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const ADMIN_TOKEN = "dev-admin-token"; // scripts/dev.mjs sets it, as `npm start` does
const STRIPE_KEY = "sk_test_browser_0123456789";
const WEBHOOK_SECRET = "whsec_browser_0123456789";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    }).on("error", reject);
  });
}

/** A child process whose output is kept, so tests can wait for lines (mail, "Ready on"). */
function start(cmd, args, env) {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const proc = { child, out: "", exited: null };
  const onData = (d) => { proc.out += d.toString(); if (process.env.BROWSER_TEST_VERBOSE) process.stderr.write(d); };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  child.on("exit", (code) => { proc.exited = code ?? -1; });
  return proc;
}

function stopProc(proc) {
  if (!proc || proc.exited !== null) return;
  try { process.kill(-proc.child.pid, "SIGTERM"); } catch { /* gone */ }
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

export async function startStack() {
  const [port, standinPort] = [await freePort(), await freePort()];
  const base = `http://localhost:${port}`;
  const state = mkdtempSync(join(tmpdir(), "gw-browser-"));
  const standin = start("npx", ["tsx", "test/standin/cli.ts", String(standinPort)], {
    STANDIN_STRIPE_WEBHOOK_URL: `${base}/api/billing/webhook`, STANDIN_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  });
  await waitFor(() => standin.out.includes("standin listening") || standin.exited !== null, { timeout: 60_000, what: "the stand-in" });
  if (standin.exited !== null) throw new Error(`stand-in failed:\n${standin.out}`);
  const gateway = start("node", ["scripts/dev.mjs", "--port", String(port), "--persist-to", state,
    "--var", `STRIPE_SECRET_KEY:${STRIPE_KEY}`, "--var", `STRIPE_WEBHOOK_SECRET:${WEBHOOK_SECRET}`,
    "--var", `STRIPE_API_BASE:http://127.0.0.1:${standinPort}/stripe`], { CI: "1", WRANGLER_SEND_METRICS: "false" });
  await waitFor(async () => {
    if (gateway.exited !== null) throw new Error(`npm run dev failed:\n${gateway.out}`);
    return /Ready on/.test(gateway.out) && (await fetch(`${base}/healthz`).then((r) => r.ok, () => false));
  }, { timeout: 240_000, interval: 500, what: "npm run dev" });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });

  return {
    base, browser, gateway,
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
        method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
    },
    async stop() {
      await browser.close().catch(() => {});
      stopProc(gateway);
      stopProc(standin);
      await new Promise((r) => setTimeout(r, 500));
      rmSync(state, { recursive: true, force: true });
    },
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
  await page.waitForFunction(() => !document.querySelector('main [role="status"].muted'), null, { timeout: 20_000 }).catch(() => {});
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
