#!/usr/bin/env node
// `npm run dev`: the dashboard and the API on one origin, rebuilt as files change.
//  1. applies the D1 migrations locally;
//  2. builds the dashboard once, then keeps `vite build --watch` writing into dashboard/dist;
//  3. runs `wrangler dev` (which serves dashboard/dist as Workers assets and reloads the worker on
//     source changes) with the same local settings as `npm start`.
// Extra arguments go to wrangler, e.g. `npm run dev -- --port 8790 --var STRIPE_SECRET_KEY:sk_test_…`;
// `--persist-to <dir>` is also used for the migrations (the browser tests run on a throwaway state).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const extra = process.argv.slice(2);
const persistAt = extra.indexOf("--persist-to");
const persist = persistAt >= 0 ? ["--persist-to", extra[persistAt + 1]] : [];
const hasPort = extra.includes("--port");

export const DEV_VARS = [
  "--var", "DEMO_PROVIDER:on",
  "--var", "ADMIN_TOKEN:dev-admin-token",
  "--var", "SESSION_SECRET:dev-session-secret-not-for-production-0123456789",
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

await done(run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", ...persist], { env: { ...process.env, CI: "1" } }));
await done(run("npm", ["run", "build:dashboard", "--silent"]));
// The watcher rebuilds on change (the type check and the size budget run in build:dashboard).
run("npx", ["vite", "build", "--watch", "--config", "dashboard/vite.config.ts", "--logLevel", "warn"]);
const wrangler = run("npx", ["wrangler", "dev", ...(hasPort ? [] : ["--port", "8787"]), ...DEV_VARS, ...extra]);
wrangler.on("exit", (code) => {
  killAll();
  process.exit(code ?? 0);
});
