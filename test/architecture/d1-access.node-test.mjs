// Routes reach D1 through one module per aggregate (docs/architecture.md, "D1 aggregates"), never
// with SQL of their own. The route files below still query D1 directly; the list may only shrink:
// a route not listed that touches D1 fails, and so does a listed one that no longer does.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { productionSources, ROOT } from "./source-graph.mjs";

/** Route files that still query D1 themselves. Move their queries into an aggregate module and delete the line. */
const DIRECT_D1_ROUTES = [
];

/** The D1 binding (`env.DB`, `c.env.DB`) or a drizzle handle on it (`database(...)`). */
const D1_ACCESS = /\.DB\b|\bdatabase\(/;

/**
 * Checks route sources ({ file → text }) against the allow-list. Returns the problems as
 * sentences; an empty list means no route outside the list touches D1 and every listed one does.
 */
function checkD1Access(sources, allowed) {
  const problems = [];
  for (const [file, text] of Object.entries(sources)) {
    const touches = D1_ACCESS.test(text);
    if (touches && !allowed.includes(file)) problems.push(`${file} queries D1 directly: call a function of the aggregate's module (docs/architecture.md, "D1 aggregates")`);
    if (!touches && allowed.includes(file)) problems.push(`${file} no longer queries D1 directly: remove it from DIRECT_D1_ROUTES`);
  }
  for (const file of allowed) if (!(file in sources)) problems.push(`${file} does not exist: remove it from DIRECT_D1_ROUTES`);
  return problems;
}

const routeSources = () =>
  Object.fromEntries(productionSources().filter((f) => f.startsWith("src/routes/")).map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));

test("no route file outside the shrinking allow-list queries D1 directly, and every listed one still does", () => {
  const problems = checkD1Access(routeSources(), DIRECT_D1_ROUTES);
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});

test("the D1 check fails on a planted query in a clean route, on a listed route that stopped, and on a stale entry", () => {
  const sources = routeSources();
  const planted = {
    ...sources,
    "src/routes/auth/locale.ts": `${sources["src/routes/auth/locale.ts"]}\nawait c.env.DB.prepare("SELECT 1").run();\n`,
    "src/routes/admin/plans.ts": `${sources["src/routes/admin/plans.ts"]}\nconst db = database(env.DB);\n`,
    "src/routes/admin/revenue.ts": "export const revenue = 0;\n",
  };
  const problems = checkD1Access(planted, [...DIRECT_D1_ROUTES, "src/routes/admin/revenue.ts", "src/routes/gone.ts"]).join("\n");
  assert.match(problems, /src\/routes\/auth\/locale\.ts queries D1 directly/);
  assert.match(problems, /src\/routes\/admin\/plans\.ts queries D1 directly/);
  assert.match(problems, /src\/routes\/admin\/revenue\.ts no longer queries D1 directly/);
  assert.match(problems, /src\/routes\/gone\.ts does not exist/);
  assert.equal(problems.split("\n").length, 4);
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
