// Runs the real Claude Code CLI (`claude -p`) from clients/node_modules with a fake key, its
// telemetry, update checks and nonessential traffic off, in a throwaway HOME and working folder.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLAUDE_BIN = fileURLToPath(new URL("../node_modules/.bin/claude", import.meta.url));
export const SECRET_WORD = "pelican";
export const FILE_TEXT = `The secret word is ${SECRET_WORD}.`;

/** A folder holding hello.txt for the Read tool call; `cleanup()` removes it and the HOME. */
export function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "claude-ws-"));
  const home = mkdtempSync(join(tmpdir(), "claude-home-"));
  writeFileSync(join(dir, "hello.txt"), `${FILE_TEXT}\n`);
  return { dir, home, file: join(dir, "hello.txt"), cleanup: () => { rmSync(dir, { recursive: true, force: true }); rmSync(home, { recursive: true, force: true }); } };
}

/**
 * `claude -p <prompt> --allowedTools Read` against `baseUrl`. Resolves { code, stdout, stderr,
 * ms }; the child is killed (its whole process group) on timeout.
 */
export function runClaude({ baseUrl, apiKey, ws, model, smallModel, timeoutMs = 120_000 }) {
  const args = ["-p", `Read the file ${ws.file} and tell me the secret word.`, "--allowedTools", "Read", "--output-format", "json"];
  if (model) args.push("--model", model);
  const env = {
    PATH: process.env.PATH, HOME: ws.home, TMPDIR: tmpdir(), LANG: "C.UTF-8", TERM: "dumb",
    ANTHROPIC_BASE_URL: baseUrl, ANTHROPIC_API_KEY: apiKey,
    DISABLE_TELEMETRY: "1", DISABLE_AUTOUPDATER: "1", DISABLE_ERROR_REPORTING: "1", DISABLE_BUG_COMMAND: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", CLAUDE_CODE_MAX_RETRIES: "0", API_TIMEOUT_MS: "60000",
  };
  if (smallModel) Object.assign(env, { ANTHROPIC_SMALL_FAST_MODEL: smallModel, ANTHROPIC_DEFAULT_HAIKU_MODEL: smallModel });
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(CLAUDE_BIN, args, { cwd: ws.dir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    const timer = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, ms: Date.now() - started });
    });
  });
}
