// Hono context variables are typed per router (src/middleware/*: SessionEnv, ApiKeyEnv,
// VerifiedKeyEnv, AdminEnv; src/env.ts: BaseEnv). A global `declare module "hono"` augmentation of
// ContextVariableMap would let every handler read every variable again, whether or not its
// middleware ran; test/types/hono-context.test-d.ts proves the per-router typing with tsc.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, walk } from "./source-graph.mjs";

const AUGMENTS = /declare\s+module\s+["']hono(?:\/[\w/-]+)?["']|interface\s+ContextVariableMap\b/;
/** `new Hono()` or `new Hono<>` without an environment: its handlers' variables would be untyped. */
const UNTYPED_ROUTER = /new\s+Hono\s*(?:\(|<\s*>)/;

/** What the files given (path → text) do against the rule: one line per problem. */
export function problems(files) {
  const out = [];
  for (const [file, text] of files) {
    if (AUGMENTS.test(text)) out.push(`${file} augments Hono's global ContextVariableMap: export a typed Env next to the middleware instead`);
    if (!file.endsWith(".test.ts") && UNTYPED_ROUTER.test(text)) out.push(`${file} creates a Hono router without its environment type`);
  }
  return out;
}

const sources = () => walk("src").filter((f) => f.endsWith(".ts")).map((f) => [f, readFileSync(join(ROOT, f), "utf8")]);

test("no file in src/ augments Hono's global context; every router names its environment", () => {
  const found = problems(sources());
  assert.deepEqual(found, [], `\n${found.join("\n")}`);
});

test("the typed-context check fails on a planted global augmentation and an untyped router", () => {
  const planted = [
    ["src/middleware/planted.ts", 'declare module "hono" {\n  interface ContextVariableMap {\n    user: string;\n  }\n}\n'],
    ["src/routes/planted.ts", "export const r = new Hono().get(\"/\", (c) => c.text(\"\"));\n"],
  ];
  assert.deepEqual(problems(planted).length, 2);
  assert.match(problems(planted)[0], /planted\.ts augments Hono's global ContextVariableMap/);
  assert.match(problems(planted)[1], /without its environment type/);
  assert.deepEqual(problems([...sources(), ...planted]).length, 2);
});

test("the type test that proves per-router variables is checked by tsc", () => {
  const tsconfig = JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8"));
  assert.ok(tsconfig.include.includes("test"), "tsconfig.json must include test/ so test/types/*.test-d.ts is type-checked");
  const typeTest = readFileSync(join(ROOT, "test/types/hono-context.test-d.ts"), "utf8");
  assert.ok((typeTest.match(/@ts-expect-error/g) ?? []).length >= 8);
});
