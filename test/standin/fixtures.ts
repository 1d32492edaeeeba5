// Loads recorded provider responses from test/fixtures/providers (see its README.md).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const FIXTURE_ROOT = fileURLToPath(new URL("../fixtures/providers/", import.meta.url));

/** Which wire format (and so which SSE framing) a fixture file was recorded in. */
export type FixtureApi = "chat" | "responses" | "anthropic" | "gemini" | "cohere";

export interface Fixture {
  name: string;
  api: FixtureApi;
  /** Parsed `.json` file, if it exists. */
  json?: unknown;
  /** Non-empty lines of the `.chunks.txt` file, if it exists. */
  lines?: string[];
}

const cache = new Map<string, Fixture | null>();

export function fixtureApi(name: string): FixtureApi {
  if (name.startsWith("anthropic/") || name.startsWith("synthetic/anthropic-")) return "anthropic";
  if (name.startsWith("google/")) return "gemini";
  if (name.startsWith("cohere/")) return "cohere";
  if (name.startsWith("openai/responses/")) return "responses";
  return "chat";
}

/** `name` is a path under the fixture root without extension, e.g. `openai/chat/openai-text`. */
export function loadFixture(name: string): Fixture | null {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  let fixture: Fixture | null = null;
  if (/^[\w.-]+(\/[\w.-]+)*$/.test(name) && !name.split("/").includes("..")) {
    const base = join(FIXTURE_ROOT, name);
    const jsonPath = `${base}.json`;
    const chunksPath = `${base}.chunks.txt`;
    const hasJson = existsSync(jsonPath);
    const hasChunks = existsSync(chunksPath);
    if (hasJson || hasChunks) {
      fixture = { name, api: fixtureApi(name) };
      if (hasJson) fixture.json = JSON.parse(readFileSync(jsonPath, "utf8"));
      if (hasChunks) {
        fixture.lines = readFileSync(chunksPath, "utf8")
          .split("\n")
          .map((l) => l.replace(/\r$/, ""))
          .filter((l) => l.trim() !== "");
      }
    }
  }
  cache.set(name, fixture);
  return fixture;
}

/** Like loadFixture, but throws: for the built-in defaults, which must exist. */
export function mustLoad(name: string): Fixture {
  const f = loadFixture(name);
  if (!f) throw new Error(`standin: missing fixture ${name} under ${FIXTURE_ROOT}`);
  return f;
}

const ANTHROPIC_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

const OPENAI_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  invalid_api_key: 401,
  insufficient_quota: 429,
  rate_limit_exceeded: 429,
  server_error: 500,
};

/**
 * HTTP status for a recorded JSON body. Only the Anthropic error was recorded with a
 * status (400); the others are derived from the body the way each provider maps them.
 */
export function statusForJson(body: unknown): number {
  if (!isObject(body) || !isObject(body.error)) return 200;
  const err = body.error;
  if (typeof err.code === "number") return err.code; // Gemini google.rpc shape
  if (body.type === "error" && typeof err.type === "string") return ANTHROPIC_STATUS[err.type] ?? 400;
  const key = typeof err.code === "string" && OPENAI_STATUS[err.code] ? err.code : String(err.type);
  return OPENAI_STATUS[key] ?? 400;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
