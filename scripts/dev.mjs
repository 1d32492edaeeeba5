#!/usr/bin/env node
// `npm run dev` (and `npm start`): the dashboard and the API on one origin.
//  1. applies the D1 migrations locally, printing one line (the full output only if that fails);
//  2. builds the dashboard once, then (npm run dev only) keeps `vite build --watch` writing into dashboard/dist;
//  3. runs `wrangler dev` (which serves dashboard/dist as Workers assets and reloads the worker on
//     source changes) with the local settings below.
// The port: `--port N`, else the PORT environment variable, else 8787.
// Extra arguments go to wrangler, e.g. `npm run dev -- --var STRIPE_SECRET_KEY:sk_test_…`;
// `--persist-to <dir>` is also used for the migrations (the browser tests run on a throwaway state).
// Own flags: `--no-watch` (npm start: no dashboard watcher); `--no-build` (the browser tests: serve the
// dashboard as `npm test` built it, building only when dashboard/dist is missing); `--no-migrate` (the
// browser tests: their state is a copy of one already migrated).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const OWN = ["--no-watch", "--no-build", "--no-migrate"];
const args = process.argv.slice(2);
const watch = !args.includes("--no-watch");
const build = !args.includes("--no-build") || !existsSync(`${root}/dashboard/dist/index.html`);
const extra = args.filter((a) => !OWN.includes(a));
const persistAt = extra.indexOf("--persist-to");
const persist = persistAt >= 0 ? ["--persist-to", extra[persistAt + 1]] : [];
const port = extra.includes("--port") ? [] : ["--port", process.env.PORT || "8787"];
const quiet = { ...process.env, CI: "1", WRANGLER_HIDE_BANNER: "true", WRANGLER_SEND_METRICS: "false" };

export const DEV_VARS = [
  "--var",
  "DEMO_PROVIDER:on",
  "--var",
  "ADMIN_TOKEN:dev-admin-token",
  "--var",
  "SESSION_SECRET:dev-session-secret-not-for-production-0123456789",
];

const children = new Set();
function run(cmd, args, opts = {}) {
  // Each child leads its own process group, so stopping it also stops what npx started under it.
  const child = spawn(cmd, args, { cwd: root, stdio: "inherit", shell: process.platform === "win32", detached: process.platform !== "win32", ...opts });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}
const done = (child) => new Promise((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`)))));
function killAll() {
  for (const c of children) {
    try {
      if (process.platform === "win32") c.kill("SIGTERM");
      else process.kill(-c.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}
function stop() {
  killAll();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

/** Applies the migrations; prints which ones ran, in one line. */
async function migrate() {
  const child = run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", ...persist], { env: quiet, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  try {
    await done(child);
  } catch (err) {
    process.stderr.write(out);
    throw err;
  }
  const names = [...new Set([...out.matchAll(/│ (\d{4}_\S+\.sql)\s+│/g)].map((m) => m[1]))];
  console.log(names.length ? `D1 (local): applied ${names.length} migration(s), ${names[0]} … ${names.at(-1)}` : "D1 (local): migrations up to date");
}

if (!args.includes("--no-migrate")) await migrate();
if (build) await done(run("npm", ["run", "build:dashboard", "--silent"]));
// The watcher rebuilds on change (the type check and the size budget run in build:dashboard).
if (watch) run("npx", ["vite", "build", "--watch", "--config", "dashboard/vite.config.ts", "--logLevel", "warn"]);
// Locally there is nothing to gain from fetching Request.cf or sending telemetry (both fail offline,
// loudly); either can be turned back on by setting the variable.
const devEnv = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", ...process.env, WRANGLER_HIDE_BANNER: "true" };
const wrangler = run("npx", ["wrangler", "dev", ...port, ...DEV_VARS, ...extra], { env: devEnv });
wrangler.on("exit", (code) => {
  killAll();
  process.exit(code ?? 0);
});
