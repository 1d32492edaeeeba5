// The layers of src/, top to bottom. A module may import its own folder and any layer below its
// own; never a layer above. Folders of one layer may import each other, but not in a cycle.
// docs/architecture.md shows the same table; test/architecture/docs.node-test.mjs keeps them equal.
export const LAYERS = [
  { name: "entry", parts: ["index.ts", "app.ts", "scheduled.ts"] },
  { name: "http", parts: ["routes", "middleware"] },
  { name: "pipeline", parts: ["gateway", "surfaces", "routing"] },
  {
    name: "domain",
    parts: ["providers", "account", "billing", "auth", "keys", "usage", "retention", "catalog", "health", "email", "admin", "byok", "orgs"],
  },
  { name: "base", parts: ["wire", "lib", "db", "config.ts", "env.ts", "errors.ts"] },
];

/** Edges that skip the gateway although they point down: routes reach providers only through it. */
export const FORBIDDEN = [{ from: "routes", to: "providers", why: "routes reach providers only through gateway/ and surfaces/" }];

/**
 * Allowed upward edges, each with its reason. Kept as short as possible; an entry no edge uses
 * fails the test, so the list cannot go stale.
 */
export const EXCEPTIONS = [
  { from: "env.ts", to: "account", typeOnly: true, why: "the Env type names the AccountDO class of its Durable Object binding" },
  { from: "env.ts", to: "health", typeOnly: true, why: "the Env type names the ChannelHealthDO class of its Durable Object binding" },
];

/** The top-level part of src/ a file belongs to: its folder, or the file itself at the top. */
export function partOf(file) {
  const [, first] = file.split("/");
  return first;
}

export function layerOf(part) {
  const i = LAYERS.findIndex((l) => l.parts.includes(part));
  return i;
}

function exceptionFor(from, to, typeOnly) {
  return EXCEPTIONS.find((x) => x.from === from && x.to === to && (!x.typeOnly || typeOnly));
}

/** Strongly connected folder groups of size > 1 (Tarjan), i.e. folders that import each other. */
function folderCycles(edges) {
  const next = new Map();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, new Set());
    next.get(from).add(to);
  }
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/**
 * Checks a graph of [{ from, to, typeOnly }] (paths relative to the repository root) against the
 * layers. Returns the problems as sentences; an empty list means the graph is clean.
 */
export function checkLayers(graph) {
  const problems = [];
  const used = new Set();
  const folderEdges = [];
  for (const { from, to, typeOnly } of graph) {
    const a = partOf(from);
    const b = partOf(to);
    if (a === b) continue;
    const la = layerOf(a);
    const lb = layerOf(b);
    if (la < 0) problems.push(`${a} (${from}) is in no layer: add it to test/architecture/layers.mjs and docs/architecture.md`);
    if (lb < 0) problems.push(`${b} (${to}) is in no layer: add it to test/architecture/layers.mjs and docs/architecture.md`);
    if (la < 0 || lb < 0) continue;
    const forbidden = FORBIDDEN.find((f) => f.from === a && f.to === b);
    if (forbidden) problems.push(`${from} imports ${to}: ${forbidden.why}`);
    if (lb < la) {
      const x = exceptionFor(a, b, typeOnly);
      if (x) used.add(x);
      else problems.push(`${from} (${LAYERS[la].name}) imports ${to} (${LAYERS[lb].name}), a layer above it`);
    } else if (lb === la) folderEdges.push({ from: a, to: b });
  }
  for (const x of EXCEPTIONS) if (!used.has(x)) problems.push(`unused exception ${x.from} → ${x.to}: remove it from layers.mjs`);
  for (const group of folderCycles(folderEdges)) problems.push(`folders import each other in a cycle: ${group.join(" ↔ ")}`);
  return [...new Set(problems)];
}
