// Fails the build when the JavaScript of the first load is over budget (150 KB gzipped).
// "First load" = the entry chunk and every chunk it imports statically (modulepreload), from Vite's
// manifest; lazily imported pages and uPlot are not part of it.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 150 * 1024;
const dist = new URL("../dist/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL(".vite/manifest.json", dist), "utf8"));

const entry = Object.entries(manifest).find(([, m]) => m.isEntry);
if (!entry) throw new Error("size-check: no entry in dist/.vite/manifest.json");

const seen = new Set();
(function walk(key) {
  if (seen.has(key)) return;
  seen.add(key);
  for (const dep of manifest[key].imports ?? []) walk(dep);
})(entry[0]);

let total = 0;
for (const key of seen) {
  const file = manifest[key].file;
  if (!file.endsWith(".js")) continue;
  const gz = gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length;
  total += gz;
  console.log(`  ${file}  ${(gz / 1024).toFixed(1)} KB gzipped`);
}
const line = `first-load JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`;
if (total > BUDGET) {
  console.error(`size-check FAILED: ${line}`);
  process.exit(1);
}
console.log(`size-check ok: ${line}`);
