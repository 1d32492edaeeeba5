// Routes reach D1 through one module per aggregate (docs/architecture.md, "D1 aggregates"), never
// with SQL of their own: no file under src/routes/ touches the D1 binding or a drizzle handle on it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { productionSources, ROOT } from "./source-graph.mjs";

/** The D1 binding (`env.DB`, `c.env.DB`) or a drizzle handle on it (`database(...)`). */
const D1_ACCESS = /\.DB\b|\bdatabase\(/;

/** Checks route sources ({ file → text }). Returns the problems as sentences; an empty list means no route touches D1. */
function checkD1Access(sources) {
  const problems = [];
  for (const [file, text] of Object.entries(sources)) {
    if (D1_ACCESS.test(text)) problems.push(`${file} queries D1 directly: call a function of the aggregate's module (docs/architecture.md, "D1 aggregates")`);
  }
  return problems;
}

const routeSources = () =>
  Object.fromEntries(productionSources().filter((f) => f.startsWith("src/routes/")).map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));

test("no route file queries D1 directly", () => {
  const problems = checkD1Access(routeSources());
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});

test("the D1 check fails on a planted query through the binding and on a planted drizzle handle", () => {
  const sources = routeSources();
  const planted = {
    ...sources,
    "src/routes/auth/locale.ts": `${sources["src/routes/auth/locale.ts"]}\nawait c.env.DB.prepare("SELECT 1").run();\n`,
    "src/routes/admin/plans.ts": `${sources["src/routes/admin/plans.ts"]}\nconst db = database(env.DB);\n`,
  };
  const problems = checkD1Access(planted).join("\n");
  assert.match(problems, /src\/routes\/auth\/locale\.ts queries D1 directly/);
  assert.match(problems, /src\/routes\/admin\/plans\.ts queries D1 directly/);
  assert.equal(problems.split("\n").length, 2);
});

test("every aggregate module docs/architecture.md lists exists and no route file is one", () => {
  const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
  const from = doc.indexOf("## D1 aggregates");
  assert.ok(from >= 0, 'docs/architecture.md has no "## D1 aggregates" section');
  const part = doc.slice(from, doc.indexOf("\n## ", from + 1));
  const modules = [...part.matchAll(/^\| `(src\/[^`]+\.ts)`/gm)].map((m) => m[1]);
  assert.ok(modules.length > 0, "the D1 aggregates section names no module");
  const files = new Set(productionSources());
  assert.deepEqual(modules.filter((m) => !files.has(m) || m.startsWith("src/routes/")), []);
});
