// Code shape: no file of src/ over 300 lines, no function over 80 (test/architecture/sizes.mjs).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { functionsOf, LIMITS, sizeProblems } from "./sizes.mjs";
import { productionSources, ROOT } from "./source-graph.mjs";

test(`no file of src/ is over ${LIMITS.fileLines} lines and no function over ${LIMITS.functionLines}`, () => {
  const problems = productionSources().flatMap((f) => sizeProblems(f, readFileSync(join(ROOT, f), "utf8")));
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});

test("the size check fails on a planted long file and a planted long function, and counts from declaration to closing brace", () => {
  const body = (n) => Array.from({ length: n }, (_, i) => `  const x${i} = ${i};`).join("\n");
  // 1 declaration line + 79 body lines + 1 closing brace = 81 lines.
  const long = `export function tooLong(): void {\n${body(79)}\n}\n`;
  const fine = `export const justRight = (): void => {\n${body(78)}\n};\n`;
  assert.deepEqual(functionsOf("src/x.ts", long), [{ name: "tooLong", line: 1, lines: 81 }]);
  assert.deepEqual(functionsOf("src/x.ts", fine), [{ name: "justRight", line: 1, lines: 80 }]);
  assert.deepEqual(sizeProblems("src/x.ts", fine), []);
  assert.deepEqual(sizeProblems("src/x.ts", long), ["src/x.ts:1 tooLong has 81 lines (limit 80)"]);

  const method = `class A {\n  run(): void {\n${body(80)}\n  }\n}\n`;
  assert.deepEqual(sizeProblems("src/a.ts", method), ["src/a.ts:2 run has 82 lines (limit 80)"]);

  const file = `${Array.from({ length: 301 }, (_, i) => `export const c${i} = ${i};`).join("\n")}\n`;
  assert.deepEqual(sizeProblems("src/big.ts", file), ["src/big.ts has 301 lines (limit 300)"]);
  assert.deepEqual(sizeProblems("src/ok.ts", file.split("\n").slice(1).join("\n")), []);
});
