// docs/architecture.md cannot drift from src/: its folder tree, its layer table and its storage
// schema (every D1 table and column, every Durable Object table and column) are read from the
// code here and compared with the document.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LAYERS } from "./layers.mjs";
import { ROOT, walk } from "./source-graph.mjs";

const read = (f) => readFileSync(join(ROOT, f), "utf8");

/** The text of the first ``` block after a heading (or after the start of the document). */
function blockAfter(doc, heading) {
  const from = heading ? doc.indexOf(heading) : 0;
  assert.ok(from >= 0, `docs/architecture.md has no heading "${heading}"`);
  const start = doc.indexOf("```", from);
  return doc.slice(doc.indexOf("\n", start) + 1, doc.indexOf("```", start + 3));
}

/** The section of a markdown document from a heading to the next heading of the same level. */
function section(doc, heading) {
  const from = doc.indexOf(heading);
  assert.ok(from >= 0, `docs/architecture.md has no heading "${heading}"`);
  const level = heading.match(/^#+/)[0];
  const rest = doc.slice(from + heading.length);
  const end = rest.search(new RegExp(`\\n${level} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** Rows of the markdown tables in a text: the first cell's backticked names → the row's text. */
function tableRows(text) {
  const rows = new Map();
  for (const line of text.split("\n")) {
    if (!line.startsWith("| `")) continue;
    const first = line.split("|")[1];
    for (const m of first.matchAll(/`([^`]+)`/g)) rows.set(m[1], line);
  }
  return rows;
}

/** `CREATE TABLE` statements in the given sources: table → its column names. */
function sqlTables(files) {
  const tables = new Map();
  for (const f of files) {
    for (const m of read(f).matchAll(/CREATE TABLE IF NOT EXISTS (\w+) \(([\s\S]*?)\)\s*(?:STRICT)?;?\s*["`\n]/g)) {
      const cols = m[2]
        .split(/,\s*(?![^(]*\))/)
        .map((c) => c.trim().split(/\s+/)[0])
        .filter((c) => c && !/^(PRIMARY|UNIQUE|FOREIGN|CHECK|CONSTRAINT)$/i.test(c));
      tables.set(m[1], cols);
    }
    for (const m of read(f).matchAll(/ALTER TABLE (\w+) ADD COLUMN (\w+)/g)) tables.get(m[1])?.push(m[2]);
  }
  return tables;
}

/** The drizzle schema's tables (schema.ts and the files it re-exports, schema-*.ts): table → its column names. */
function drizzleTables() {
  const text = ["src/db/schema.ts", "src/db/schema-orgs.ts"].map(read).join("\n");
  const tables = new Map();
  const starts = [...text.matchAll(/sqliteTable\("(\w+)",/g)];
  starts.forEach((m, i) => {
    const body = text.slice(m.index, starts[i + 1]?.index ?? text.length).split(/\n\}, \(|\n\}\);/)[0];
    tables.set(m[1], [...body.matchAll(/\b(?:text|integer|real|blob)\("(\w+)"/g)].map((c) => c[1]));
  });
  return tables;
}

function compareTables(kind, code, rows) {
  const problems = [];
  for (const [table, cols] of code) {
    const row = rows.get(table);
    if (!row) {
      problems.push(`${kind} table ${table} is not in docs/architecture.md`);
      continue;
    }
    for (const col of cols) if (!row.includes(`\`${col}\``)) problems.push(`${kind} column ${table}.${col} is not in docs/architecture.md`);
  }
  for (const table of rows.keys()) if (!code.has(table)) problems.push(`docs/architecture.md lists ${kind} table ${table}, which the code does not create`);
  return problems;
}

export function docsProblems(doc) {
  const problems = [];
  // The folder tree: every top-level part of src/ is named, and every name in the tree exists.
  const tree = blockAfter(doc, "");
  const parts = new Set(walk("src").map((f) => f.split("/")[1]));
  for (const p of parts) {
    const name = p.endsWith(".ts") ? p : `${p}/`;
    const pattern = p.endsWith(".ts") ? `(^|\\s)${p.replace(".", "\\.")}(\\s|$)` : `(^|\\s)${p}/`;
    if (!new RegExp(pattern, "m").test(tree)) problems.push(`src/${name} is missing from the folder tree`);
  }
  for (const m of tree.matchAll(/^ {2}([\w.][\w./ -]*?)\s{2,}/gm)) {
    for (const name of m[1].trim().split(/\s+/)) {
      const path = name.replace(/\/$/, "");
      if (!walk("src").some((f) => f === `src/${path}` || f.startsWith(`src/${path}/`))) problems.push(`the folder tree names src/${name}, which does not exist`);
    }
  }
  // The layers: the table under "## Layers" matches test/architecture/layers.mjs.
  const layerRows = section(doc, "## Layers").split("\n").filter((l) => /^\| \d/.test(l));
  const documented = layerRows.map((l) => [...l.split("|")[3].matchAll(/`([^`]+)`/g)].map((m) => m[1].replace(/\/$/, "")));
  const coded = LAYERS.map((l) => l.parts);
  if (JSON.stringify(documented) !== JSON.stringify(coded)) problems.push(`the layer table says ${JSON.stringify(documented)}, the code ${JSON.stringify(coded)}`);
  // The storage schema.
  const doFiles = walk("src").filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && (f.startsWith("src/account/") || f.startsWith("src/health/")));
  const doTables = sqlTables(doFiles);
  const doRows = new Map([...tableRows(section(doc, "## Durable Object state: `AccountDO`")), ...tableRows(section(doc, "## Durable Object state: `ChannelHealthDO`"))]);
  problems.push(...compareTables("Durable Object", doTables, doRows));
  problems.push(...compareTables("D1", drizzleTables(), tableRows(section(doc, "## D1 schema"))));
  return [...new Set(problems)];
}

test("docs/architecture.md matches src/: folder tree, layers, Durable Object and D1 schema", () => {
  const problems = docsProblems(read("docs/architecture.md"));
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});

test("the drift check fails on a planted drift: a table, a column and a folder missing from the document", () => {
  const doc = read("docs/architecture.md");
  const planted = doc.replace(/\n\| `outbox` \|[^\n]*/, "").replace("`session_version`, ", "").replace(/\n  retention\/[^\n]*/, "");
  const problems = docsProblems(planted).join("\n");
  assert.match(problems, /Durable Object table outbox is not in docs/);
  assert.match(problems, /D1 column users\.session_version is not in docs/);
  assert.match(problems, /src\/retention\/ is missing from the folder tree/);
});
