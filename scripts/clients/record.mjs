// Records what real clients send: runs each driver in clients/drivers against the recording
// stand-in (recorder.mjs) and writes test/fixtures/clients/<client>/<case>.json.
//   npm run record:clients              all clients
//   npm run record:clients -- claude-code openai-python   only these
// Installs clients/ (npm ci) and a Python venv with openai (clients/.venv) on demand.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startRecorder } from "./recorder.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLIENTS = `${ROOT}clients/`;
const OUT = `${ROOT}test/fixtures/clients/`;
const only = process.argv.slice(2);
const wanted = (name) => only.length === 0 || only.includes(name);

function ensureClients() {
  if (existsSync(`${CLIENTS}node_modules/.bin/claude`)) return;
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", CLIENTS], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm ci --prefix clients failed");
}

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

/** A Python with the openai package: clients/.venv, made with pip from the configured index. */
function python() {
  const venv = `${CLIENTS}.venv/bin/python`;
  const has = (py) => spawnSync(py, ["-c", "import openai"], { stdio: "ignore" }).status === 0;
  if (existsSync(venv) && has(venv)) return venv;
  if (spawnSync("python3", ["-m", "venv", `${CLIENTS}.venv`], { stdio: "inherit" }).status === 0) {
    spawnSync(venv, ["-m", "pip", "install", "-q", "openai"], { stdio: "inherit" });
    if (has(venv)) return venv;
  }
  return has("python3") ? "python3" : null;
}

/** Runs a child without blocking this process, which must keep answering as the recorder. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    child.on("close", (status) => resolve({ status, out }));
  });
}

async function recordPython(rec) {
  const client = "openai-python";
  if (!wanted(client)) return;
  const py = python();
  if (!py) return console.log(`  ${client}: skipped — no Python with the openai package (pip install openai)`);
  const version = spawnSync(py, ["-c", "import openai, pydantic; print(openai.__version__, pydantic.VERSION)"], { encoding: "utf8" }).stdout.trim().split(" ");
  const meta = { client, pkg: "openai (PyPI)", version: version[0], packages: { openai: version[0], pydantic: version[1] } };
  for (const name of ["create", "stream", "parse", "tool-loop", "tool-loop-model-dump"]) {
    const r = await run(py, [`${CLIENTS}drivers/openai_py.py`, rec.base(client, name), name]);
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
