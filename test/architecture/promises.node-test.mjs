// docs/promises.md cannot drift from the tests it names: every `file › describe › … › test` line
// points at a file that exists, and each title it spells out in full appears in that file.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./source-graph.mjs";

/** The test references of a promises document: [file, titles] for each `path › title › title` span. */
export function references(doc) {
  return [...doc.matchAll(/`((?:test|src)\/[^`\s]+\.(?:ts|mjs))((?: › [^`]+)*)`/g)]
    .map((m) => [m[1], m[2].split(" › ").slice(1).map((t) => t.trim())]);
}

/** What a reference gets wrong against the files: a missing file, or a title not written in it. */
export function problems(doc, read = (f) => (existsSync(join(ROOT, f)) ? readFileSync(join(ROOT, f), "utf8") : null)) {
  const out = [];
  for (const [file, titles] of references(doc)) {
    if (file.includes("*")) continue; // a folder of tests, named by a glob
    const raw = read(file);
    const text = raw === null ? null : raw.replaceAll('\\"', '"').replaceAll("\\'", "'");
    if (text === null) {
      out.push(`${file} does not exist`);
      continue;
    }
    // Titles abbreviated with "…" or built from template strings are checked by their longest literal part.
    for (const title of titles) {
      const literal = title.split(/…|\$\{[^}]*\}/).map((s) => s.trim()).sort((a, b) => b.length - a.length)[0] ?? "";
      if (literal.length >= 12 && !text.includes(literal)) out.push(`${file}: no test titled "${literal}"`);
    }
  }
  return out;
}

test("every test docs/promises.md names exists, with the titles it quotes", () => {
  const found = problems(readFileSync(join(ROOT, "docs/promises.md"), "utf8"));
  assert.deepEqual(found, [], `\n${found.join("\n")}`);
});

test("the promises check finds a renamed test and a moved file", () => {
  const doc = "- `test/a.test.ts › suite › keeps the balance exact` — x\n- `test/gone.test.ts › s › t` — y";
  const read = (f) => (f === "test/a.test.ts" ? 'describe("suite", () => it("keeps the balance right", () => {}))' : null);
  assert.deepEqual(problems(doc, read), ['test/a.test.ts: no test titled "keeps the balance exact"', "test/gone.test.ts does not exist"]);
});
