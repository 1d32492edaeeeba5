#!/usr/bin/env node
// Fails when the worker bundle that `wrangler deploy` would upload is over budget (gzipped).
// Builds it with `wrangler deploy --dry-run --outdir` (minified, as wrangler.toml says; nothing is
// uploaded) into a temporary folder and adds up the gzipped size of every module in it.
// Usage: npm run bundle:check   (also run by npm test)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/**
 * Measured 2026-12-03: 3.8 MB minified, 1,303 KB gzipped, of which about 1,050 KB is the o200k
 * token ranks of gpt-tokenizer (billing/tokenizer.ts; evaluated on first use, not at start-up).
 * Without them: 1.13 MB minified, 256 KB gzipped (2.29 MB / 387 KB before minify). Cloudflare's
 * limit is 3 MB gzipped on the Free plan and 10 MB on paid plans.
 */
const BUDGET_GZIP = 1400 * 1024;
const root = fileURLToPath(new URL("..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "gw-bundle-"));
try {
  const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
  const res = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", out], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "1", WRANGLER_HIDE_BANNER: "true", WRANGLER_SEND_METRICS: "false" },
  });
  if (res.status !== 0) {
    process.stderr.write(`${res.stdout}${res.stderr}`);
    throw new Error(`wrangler deploy --dry-run failed (exit ${res.status})`);
  }
  let raw = 0;
  let gz = 0;
  for (const file of readdirSync(out, { recursive: true })) {
    if (!/\.(m?js|wasm)$/.test(file)) continue;
    const bytes = readFileSync(join(out, file));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  const line = `worker bundle: ${kb(raw)}, ${kb(gz)} gzipped (budget ${kb(BUDGET_GZIP)} gzipped)`;
  if (raw === 0) throw new Error("bundle-size: wrangler wrote no module");
  if (gz > BUDGET_GZIP) {
    console.error(`bundle-size FAILED: ${line}`);
    process.exitCode = 1;
  } else {
    console.log(`bundle-size ok: ${line}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
