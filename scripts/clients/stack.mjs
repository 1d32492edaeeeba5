// The gateway as a real client meets it: `wrangler dev` on a free port with a throwaway local
// state, its provider base URLs pointed at the recording stand-in (recorder.mjs, which answers
// with recorded provider responses and calls the client's tool until it has a result), and a
// user with credit and an API key made through the operator API. stop() ends every process
// this started (their whole process groups) and removes the state, on every path.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startRecorder } from "./recorder.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ADMIN_TOKEN = "e2e-admin-token";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    }).on("error", reject);
  });
}

async function waitFor(fn, what, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Installs the client programs (clients/package.json) when they are missing. */
export function ensureClients() {
  if (existsSync(`${ROOT}clients/node_modules/.bin/claude`)) return;
  console.log("installing clients/ (npm ci --prefix clients) …");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", `${ROOT}clients`], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm ci --prefix clients failed");
}

export async function startStack({ client }) {
  const cleanups = [];
  const stop = async () => { for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {}); };
  try {
    const state = mkdtempSync(join(tmpdir(), "gw-e2e-"));
    cleanups.push(() => rmSync(state, { recursive: true, force: true }));
    const { workspace } = await import(`${ROOT}clients/drivers/claude.mjs`);
    const ws = workspace();
    cleanups.push(() => ws.cleanup());
    const rec = await startRecorder({ readPath: ws.file });
    cleanups.push(() => rec.close());
    const upstream = (name) => `${rec.base(client, name)}/v1`;

    const env = { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" };
    if (!existsSync(`${ROOT}dashboard/dist/index.html`)) spawnSync("npm", ["run", "build:dashboard", "--silent"], { cwd: ROOT, stdio: "inherit" });
    const mig = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { cwd: ROOT, env, encoding: "utf8" });
    if (mig.status !== 0) throw new Error(`migrations failed:\n${mig.stdout}${mig.stderr}`);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const vars = {
      ADMIN_TOKEN, ANTHROPIC_BASE_URL: upstream("anthropic"), ANTHROPIC_API_KEY: "sk-ant-upstream-e2e",
      OPENAI_BASE_URL: upstream("openai"), OPENAI_API_KEY: "sk-upstream-e2e", UPSTREAM_TIMEOUT_MS: "30000",
    };
    const args = ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, "--show-interactive-dev-session=false"];
    for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
    const wrangler = spawn("npx", args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let exited = null;
    wrangler.stdout.on("data", (d) => { out += d; });
    wrangler.stderr.on("data", (d) => { out += d; });
    wrangler.on("exit", (code) => { exited = code ?? -1; });
    cleanups.push(async () => {
      if (exited !== null) return;
      try { process.kill(-wrangler.pid, "SIGTERM"); } catch { /* gone */ }
      await waitFor(() => exited !== null, "wrangler to stop", 5000).catch(() => { try { process.kill(-wrangler.pid, "SIGKILL"); } catch { /* gone */ } });
    });
    await waitFor(async () => {
      if (exited !== null) throw new Error(`wrangler dev exited ${exited}:\n${out}`);
      return fetch(`${base}/api/v1/models`).then((r) => r.ok, () => false);
    }, "wrangler dev", 120_000);

    const admin = async (path, body) => {
      const r = await fetch(`${base}/api/admin${path}`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`admin ${path}: ${r.status} ${await r.text()}`);
      return r.json();
    };
    const user = await admin("/users", { email: `e2e-${Date.now()}@example.test` });
    await admin(`/users/${user.id}/credits`, { amount_usd: "20.00", note: "e2e" });
    const { key } = await admin(`/users/${user.id}/keys`, { name: "e2e" });
    const models = (await (await fetch(`${base}/api/v1/models`)).json()).data.map((m) => m.id);
    return { base, key, models, ws, rec, stop, log: () => out };
  } catch (err) {
    await stop();
    throw err;
  }
}
