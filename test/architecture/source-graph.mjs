// Reads src/ as text and returns its import graph; shared by the architecture tests.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), "../.."));

/** Every file below `dir` (relative to the repository root), recursively. */
export function walk(dir, out = []) {
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) walk(rel, out);
    else out.push(rel);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Resolves a relative specifier the way the bundler does (".ts", "/index.ts"). */
function resolve(from, spec) {
  const base = normalize(join(dirname(from), spec));
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile()) return candidate;
  }
  return null;
}

/**
 * The imports of one source text: { to, typeOnly } per relative import, resolved to a path
 * relative to the repository root. Package imports are left out.
 */
export function importsOf(file, text) {
  const edges = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    if (!spec.startsWith(".")) continue;
    const to = resolve(file, spec.replace(/\?raw$/, ""));
    if (to) edges.push({ to, typeOnly: Boolean(m[2]) });
  }
  return edges;
}

/** The production source files of src/ (tests and test utilities are left out). */
export function productionSources() {
  return walk("src").filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
}

/** The graph of src/: [{ from, to, typeOnly }]. */
export function sourceGraph(read = (f) => readFileSync(join(ROOT, f), "utf8")) {
  return productionSources().flatMap((from) => importsOf(from, read(from)).map((e) => ({ from, ...e })));
}

/** The unit tests beside the code in src/. */
export function unitTests() {
  return walk("src").filter((f) => f.endsWith(".test.ts"));
}

/**
 * Modules of src/ that only tests import (a unit test beside the code, or a worker test under
 * test/): test helpers, which belong in test/helpers/.
 */
export function testOnlyModules(read = (f) => readFileSync(join(ROOT, f), "utf8")) {
  const tests = [...unitTests(), ...walk("test").filter((f) => /\.(ts|mjs)$/.test(f))];
  const fromTests = new Set(tests.flatMap((f) => importsOf(f, read(f)).map((e) => e.to)));
  const fromProduction = new Set(sourceGraph(read).map((e) => e.to));
  // The entry (wrangler.toml `main`) is imported by nothing in src/, by design.
  return productionSources().filter((f) => f !== "src/index.ts" && fromTests.has(f) && !fromProduction.has(f));
}

export const rel = (p) => relative(ROOT, p);
