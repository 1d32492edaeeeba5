// README.md's "Settings" table and src/lib/settings.ts cannot drift: every var the zod schema reads
// is documented with exactly its default, and every var the table documents is read by the schema.
// Secrets (API keys, signing keys, tokens) and the per-provider `<NAME>_API_KEY` / `<NAME>_BASE_URL`
// pattern (src/providers/registry.ts) are not settings of the schema and are left out on both sides.
import assert from "node:assert/strict";
import { registerHooks } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, walk } from "./source-graph.mjs";

// src/ imports without extensions (the bundler's way); Node's type stripping needs the ".ts".
registerHooks({
  resolve(specifier, context, nextResolve) {
    const local = /^\.\.?\//.test(specifier) && !/\.[cm]?[jt]s$/.test(specifier) && context.parentURL?.includes("/src/");
    return nextResolve(local ? `${specifier}.ts` : specifier, context);
  },
});
const { settingsSchema } = await import("../../src/lib/settings.ts");

/** The schema's settings: name → its documented default (the var's text), or undefined (no default). */
export function schemaDefaults(schema) {
  return new Map(Object.entries(schema.shape).map(([name, field]) => [name, field.meta()?.default]));
}

const PATTERN = /\*|_API_KEY$|_BASE_URL$/;

/** The README's settings table: var name → its default text (undefined: unset), secrets left out. */
export function documentedSettings(readme) {
  const from = readme.indexOf("\n## Settings");
  assert.ok(from >= 0, "README.md has no '## Settings' section");
  const rest = readme.slice(from + 1);
  const end = rest.indexOf("\n## ", 3);
  const section = end < 0 ? rest : rest.slice(0, end);
  const vars = new Map();
  for (const line of section.split("\n").filter((l) => l.startsWith("| `"))) {
    const [, nameCell, kindCell, defaultCell] = line.split("|").map((c) => c.trim());
    const names = [...nameCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const kinds = kindCell.split(",").map((k) => k.trim());
    // The defaults are the cell's leading run of backticked values, one per name; anything else ("unset (…)") is no default.
    const lead = /^`[^`]*`(?:, `[^`]*`)*/.exec(defaultCell)?.[0] ?? "";
    const defaults = [...lead.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
    names.forEach((name, i) => {
      if (PATTERN.test(name) || (kinds[i] ?? kinds[0]) !== "var") return;
      vars.set(name, names.length === 1 ? defaults[0] : defaults[i]);
    });
  }
  return vars;
}

/** Where the table and the schema disagree, one line each. */
export function problems(documented, schema) {
  const out = [];
  for (const [name, value] of schema) {
    if (!documented.has(name)) out.push(`${name} is read by src/lib/settings.ts but not in README.md's settings table`);
    else if (documented.get(name) !== value) out.push(`${name}: README.md's default is ${JSON.stringify(documented.get(name))}, the schema's ${JSON.stringify(value)}`);
  }
  for (const name of documented.keys()) if (!schema.has(name)) out.push(`${name} is documented in README.md as a var but src/lib/settings.ts does not read it`);
  return out;
}

const readme = () => readFileSync(join(ROOT, "README.md"), "utf8");

test("README.md's settings table lists exactly the vars of the settings schema, with the schema's defaults", () => {
  const found = problems(documentedSettings(readme()), schemaDefaults(settingsSchema));
  assert.deepEqual(found, [], `\n${found.join("\n")}`);
  assert.ok(schemaDefaults(settingsSchema).size >= 40);
});

test("the settings drift check fails on a planted drift: a changed default, an undocumented var and a var the schema lacks", () => {
  const text = readme();
  const changed = text.replace("| `MAX_BODY_BYTES` | var | `5242880` |", "| `MAX_BODY_BYTES` | var | `1048576` |");
  assert.notEqual(changed, text, "the planted change must hit the table");
  assert.deepEqual(problems(documentedSettings(changed), schemaDefaults(settingsSchema)), [
    'MAX_BODY_BYTES: README.md\'s default is "1048576", the schema\'s "5242880"',
  ]);
  const dropped = text.replace(/\n\| `REFUND_WINDOW_DAYS` \|[^\n]*/, "");
  assert.deepEqual(problems(documentedSettings(dropped), schemaDefaults(settingsSchema)), [
    "REFUND_WINDOW_DAYS is read by src/lib/settings.ts but not in README.md's settings table",
  ]);
  const extra = text.replace("| `REFUND_WINDOW_DAYS` |", "| `REFUND_GRACE_DAYS` | var | `7` | planted |\n| `REFUND_WINDOW_DAYS` |");
  assert.deepEqual(problems(documentedSettings(extra), schemaDefaults(settingsSchema)), [
    "REFUND_GRACE_DAYS is documented in README.md as a var but src/lib/settings.ts does not read it",
  ]);
});

/** Reads of a schema var straight from `env` (not through settings()), one line each. */
export function directReads(files, schema) {
  const out = [];
  for (const [file, text] of files) {
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) if (schema.has(m[1])) out.push(`${file} reads env.${m[1]}: read it through settings(env) (src/lib/settings.ts)`);
  }
  return out;
}

test("no module reads a var straight from env: every var goes through src/lib/settings.ts", () => {
  const files = walk("src").filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "src/lib/settings.ts");
  const found = directReads(files.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]), schemaDefaults(settingsSchema));
  assert.deepEqual(found, [], `\n${found.join("\n")}`);
  const planted = directReads([["src/planted.ts", "const n = Number(c.env.MAX_BODY_BYTES ?? 0);"]], schemaDefaults(settingsSchema));
  assert.deepEqual(planted, ["src/planted.ts reads env.MAX_BODY_BYTES: read it through settings(env) (src/lib/settings.ts)"]);
});
