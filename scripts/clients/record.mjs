// Records what real clients send: runs each driver in clients/drivers against the recording
// stand-in (recorder.mjs) and writes test/fixtures/clients/<client>/<case>.json.
//   npm run record:clients              all clients
//   npm run record:clients -- claude-code openai-python   only these
// Installs clients/ (npm ci) and a Python venv with openai (clients/.venv) on demand.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { findPython, PY_DRIVER, pythonVersions, run } from "./python.mjs";
import { startRecorder } from "./recorder.mjs";
import { ensureClients } from "./stack.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLIENTS = `${ROOT}clients/`;
const OUT = `${ROOT}test/fixtures/clients/`;
const only = process.argv.slice(2);
const wanted = (name) => only.length === 0 || only.includes(name);

const versionOf = (pkg) => JSON.parse(readFileSync(`${CLIENTS}node_modules/${pkg}/package.json`, "utf8")).version;

function save(meta, name, requests) {
  if (requests.length === 0) throw new Error(`${meta.client}/${name}: the client sent no request`);
  mkdirSync(`${OUT}${meta.client}`, { recursive: true });
  const file = `${OUT}${meta.client}/${name}.json`;
  const doc = { client: meta.client, package: meta.pkg, version: meta.version, packages: meta.packages, case: name, recorded_with: "scripts/clients/record.mjs", requests };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`  ${meta.client}/${name}: ${requests.length} request(s) → ${file.slice(ROOT.length)}`);
}

async function recordNode(rec, driverFile) {
  const { default: d } = await import(`${CLIENTS}drivers/${driverFile}`);
  if (!wanted(d.client)) return;
  const packages = Object.fromEntries([d.pkg, ...(d.extra ?? [])].map((p) => [p, versionOf(p)]));
  const meta = { client: d.client, pkg: d.pkg, version: versionOf(d.pkg), packages };
  for (const [name, run] of Object.entries(d.cases)) {
    await run(rec.base(d.client, name));
    save(meta, name, rec.take(d.client, name));
  }
}

async function recordPython(rec) {
  const client = "openai-python";
  if (!wanted(client)) return;
  const py = findPython();
  if (!py) return console.log(`  ${client}: skipped — no Python with the openai package (pip install openai)`);
  const packages = pythonVersions(py);
  const meta = { client, pkg: "openai (PyPI)", version: packages.openai, packages };
  for (const name of ["create", "stream", "parse", "tool-loop", "tool-loop-model-dump"]) {
    const r = await run(py, [PY_DRIVER, rec.base(client, name), name], { OPENAI_API_KEY: "sk-recording-not-a-key" });
    if (r.status !== 0) throw new Error(`${client}/${name} failed: ${r.out}`);
    save(meta, name, rec.take(client, name));
  }
}

async function recordClaudeCode(rec, ws) {
  const client = "claude-code";
  if (!wanted(client)) return;
  const { runClaude } = await import(`${CLIENTS}drivers/claude.mjs`);
  const meta = { client, pkg: "@anthropic-ai/claude-code", version: versionOf("@anthropic-ai/claude-code"), packages: {} };
  const name = "print-tool-call";
  const r = await runClaude({ baseUrl: rec.base(client, name), apiKey: "sk-ant-recording-not-a-key", ws });
  if (r.code !== 0) throw new Error(`claude -p exited ${r.code}: ${r.stderr}${r.stdout}`);
  console.log(`  claude -p finished in ${r.ms} ms: ${r.stdout.slice(0, 200)}`);
  save(meta, name, rec.take(client, name));
}

ensureClients();
const { workspace } = await import(`${CLIENTS}drivers/claude.mjs`);
const ws = workspace();
const rec = await startRecorder({ readPath: ws.file });
try {
  for (const f of ["openai-node.mjs", "anthropic-node.mjs", "ai-sdk.mjs", "langchain.mjs"]) await recordNode(rec, f);
  await recordPython(rec);
  await recordClaudeCode(rec, ws);
} finally {
  await rec.close();
  ws.cleanup();
}
