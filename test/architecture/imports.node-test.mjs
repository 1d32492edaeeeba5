// Dependencies point one way: entry → http → pipeline → domain → base (test/architecture/layers.mjs).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checkLayers, LAYERS, partOf } from "./layers.mjs";
import { productionSources, ROOT, sourceGraph, testOnlyModules } from "./source-graph.mjs";

test("every import in src/ points down the layers, and no folders import each other in a cycle", () => {
  const problems = checkLayers(sourceGraph());
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});

test("every top-level folder and file of src/ belongs to a layer", () => {
  const parts = new Set(productionSources().map(partOf));
  const known = new Set(LAYERS.flatMap((l) => l.parts));
  assert.deepEqual([...parts].filter((p) => !known.has(p)), []);
});

test("the check fails on a planted upward import, a planted cycle and a route reaching a provider", () => {
  const up = checkLayers([{ from: "src/lib/ids.ts", to: "src/gateway/dispatch.ts", typeOnly: false }]);
  assert.match(up.join("\n"), /src\/lib\/ids\.ts \(base\) imports src\/gateway\/dispatch\.ts \(pipeline\), a layer above it/);
  const cycle = checkLayers([
    { from: "src/account/a.ts", to: "src/billing/b.ts", typeOnly: false },
    { from: "src/billing/b.ts", to: "src/account/c.ts", typeOnly: false },
  ]);
  assert.match(cycle.join("\n"), /cycle: account ↔ billing/);
  const skip = checkLayers([{ from: "src/routes/v1/x.ts", to: "src/providers/y.ts", typeOnly: false }]);
  assert.match(skip.join("\n"), /routes reach providers only through/);
});

test("src/ holds no module that only tests import: test helpers live in test/helpers/", () => {
  assert.deepEqual(testOnlyModules(), []);
});

test("the test-helper check finds a planted helper in src/", () => {
  // Planted: production code stops importing src/lib/money.ts, which its unit test still imports.
  const read = (f) => {
    const text = readFileSync(join(ROOT, f), "utf8");
    return f.startsWith("src/") && !f.endsWith(".test.ts") ? text.replace(/^import[^;]*(lib\/money|\.\/money)";$/gm, "") : text;
  };
  assert.deepEqual(testOnlyModules(read), ["src/lib/money.ts"]);
});
