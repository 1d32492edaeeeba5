// A Python with the openai package for the Python client (clients/drivers/openai_py.py):
// clients/.venv, made on demand with pip from the configured index, else a system python3.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CLIENTS = fileURLToPath(new URL("../../clients/", import.meta.url));
export const PY_DRIVER = `${CLIENTS}drivers/openai_py.py`;

const hasOpenai = (py) => spawnSync(py, ["-c", "import openai"], { stdio: "ignore" }).status === 0;

/** The interpreter to use, or null when no Python with openai can be had (pip unreachable). */
export function findPython() {
  const venv = `${CLIENTS}.venv/bin/python`;
  if (existsSync(venv) && hasOpenai(venv)) return venv;
  if (spawnSync("python3", ["-m", "venv", `${CLIENTS}.venv`], { stdio: "ignore" }).status === 0) {
    spawnSync(venv, ["-m", "pip", "install", "-q", "openai"], { stdio: "inherit" });
    if (hasOpenai(venv)) return venv;
  }
  return hasOpenai("python3") ? "python3" : null;
}

/** `{ openai, pydantic }` versions of that interpreter. */
export function pythonVersions(py) {
  const [openai, pydantic] = spawnSync(py, ["-c", "import openai, pydantic; print(openai.__version__, pydantic.VERSION)"], { encoding: "utf8" }).stdout.trim().split(" ");
  return { openai, pydantic };
}

/** Runs a child without blocking this process (which may be serving the recorder). */
export function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    child.stderr.on("data", (d) => { out += d; });
    child.on("close", (status) => resolve({ status, out }));
  });
}
