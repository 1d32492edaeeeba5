#!/usr/bin/env node
// `npm test`: every check, the steps that do not depend on each other side by side.
//  1. the dashboard build (the worker tests serve dashboard/dist as assets, the browser tests load it);
//  2. then three lanes at once, each running its steps in order:
//     checks   tsc, lint, architecture, bundle size
//     worker   vitest (all *.test.ts in workerd), its closing "N passed, N failed" line
//     browser  the browser tests (npm run test:e2e)
// Much of a worker or browser test's time is spent waiting (on workerd, the stand-in, the browser),
// so the lanes use what the others leave idle. The checks lane runs at a lower CPU priority (nice 10):
// it only computes and has no timeouts, and the worker tests are the longest lane. Each step's
// output is kept and printed whole when the step ends, one step at a time, never interleaved.
// The first failure stops every other step (their whole process groups; the browser harness takes
// its stand-in, gateway and browser along), prints the failed step's output last, and exits 1.
// Every step has a time limit. `--serial` runs the steps one after another instead.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const LOGS = join(ROOT, "node_modules/.cache/test-logs");
const STEP_LIMIT_MS = 25 * 60_000;

/** [name, command, args, nice] */
const BUILD = ["dashboard build", "npm", ["run", "build:dashboard", "--silent"]];
const LANES = {
  checks: [
    ["type check", "npx", ["tsc", "--noEmit"], 10],
    ["lint", "npm", ["run", "lint", "--silent"], 10],
    ["architecture", "npm", ["run", "test:architecture", "--silent"], 10],
    ["bundle size", "npm", ["run", "bundle:check", "--silent"], 10],
  ],
  worker: [
    ["worker tests", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile=node_modules/.cache/vitest-results.json"]],
    ["worker test summary", "node", ["scripts/test-summary.mjs"]],
  ],
  browser: [["browser tests", "npm", ["run", "test:e2e", "--silent"]]],
};

const running = new Set();
const results = [];
let failed = null;
const started = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
// The steps write to pipes; on a terminal they keep their colours.
const ENV = { ...process.env, ...(process.stdout.isTTY && !("FORCE_COLOR" in process.env) ? { FORCE_COLOR: "1" } : {}) };

/** Runs one step in a process group of its own; resolves with its exit code and kept output. */
function run([name, cmd, args, nice = 0]) {
  const t0 = Date.now();
  const child = spawn(cmd, args, { cwd: ROOT, env: ENV, stdio: ["ignore", "pipe", "pipe"], detached: true });
  if (nice && child.pid !== undefined) {
    try {
      setPriority(child.pid, nice); // inherited by what it starts
    } catch {
      // not permitted here: the step runs at normal priority
    }
  }
  const step = { name, child, out: [] };
  running.add(step);
  since.set(step, t0);
  child.stdout.on("data", (d) => step.out.push(d));
  child.stderr.on("data", (d) => step.out.push(d));
  console.log(`▶ ${name}`);
  const limit = setTimeout(() => {
    step.out.push(Buffer.from(`\n✗ ${name} took longer than ${secs(STEP_LIMIT_MS)}: stopped\n`));
    stop(step);
  }, STEP_LIMIT_MS);
  return new Promise((resolve) => {
    child.on("error", (err) => step.out.push(Buffer.from(`\n${err.message}\n`)));
    child.on("close", (code, signal) => {
      clearTimeout(limit);
      running.delete(step);
      const output = Buffer.concat(step.out).toString();
      writeFileSync(join(LOGS, `${name.replaceAll(" ", "-")}.log`), output);
      resolve({ name, code: code ?? (signal ? 128 : 1), ms: Date.now() - t0, output });
    });
  });
}

/** SIGTERM to the step's process group, SIGKILL 10 s later if it is still there. */
function stop(step) {
  const kill = (sig) => {
    try {
      process.kill(-step.child.pid, sig);
    } catch {
      // gone
    }
  };
  kill("SIGTERM");
  setTimeout(() => kill("SIGKILL"), 10_000).unref();
}

function report(r) {
  results.push(r);
  const ok = r.code === 0;
  if (!ok && failed) {
    r.stopped = true; // because another step failed: its output is noise
    return;
  }
  process.stdout.write(`\n━━━ ${r.name}: ${ok ? "passed" : `FAILED (exit ${r.code})`}, ${secs(r.ms)} ━━━\n`);
  if (ok) process.stdout.write(r.output.endsWith("\n") || !r.output ? r.output : `${r.output}\n`);
  else failed = r;
  if (!ok) for (const s of running) stop(s);
}

/** Runs a lane's steps in order; stops at its first failure or when another lane failed. */
async function lane(steps) {
  for (const s of steps) {
    if (failed) return;
    const r = await run(s);
    report(r);
    if (r.code !== 0) return;
  }
}

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(sig, () => {
    for (const s of running) stop(s);
    setTimeout(() => process.exit(130), 500);
  });
}

// A line a minute while steps run, so a long step is not mistaken for a hang.
const since = new Map();
setInterval(() => {
  const now = [...running].map((s) => `${s.name} (${secs(Date.now() - since.get(s))})`);
  if (now.length) console.log(`… running: ${now.join(", ")}`);
}, 60_000).unref();

mkdirSync(LOGS, { recursive: true });
await lane([BUILD]);
if (!failed) {
  if (process.argv.includes("--serial")) await lane([...LANES.checks, ...LANES.worker, ...LANES.browser]);
  else await Promise.all(Object.values(LANES).map(lane));
}

console.log(`\n━━━ npm test: ${failed ? "FAILED" : "passed"} in ${secs(Date.now() - started)} ━━━`);
for (const r of results) console.log(`  ${r.code === 0 ? "✓" : r.stopped ? "■" : "✗"} ${r.name.padEnd(20)} ${secs(r.ms).padStart(8)}${r.stopped ? "  (stopped)" : ""}`);
if (failed) {
  console.log(`\n━━━ ${failed.name} FAILED (exit ${failed.code}); its output (also in node_modules/.cache/test-logs/): ━━━\n`);
  process.stdout.write(failed.output);
  console.log(`\n✗ ${failed.name} failed; the other steps were stopped.`);
  process.exit(1);
}
