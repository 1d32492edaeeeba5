import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { SessionUser } from "../helpers/session";

/** The "key" fields of docs/api.md, plus the period figures this gateway adds. */
export const KEY_FIELDS = [
  "id", "name", "prefix", "last4", "created_at", "last_used_at", "revoked_at", "expires_at", "rpm", "tpm", "max_concurrency",
  "spend_limit_usd", "spend_limit_period", "spent_usd", "period_spent_usd", "period_resets_at", "models",
].sort();

export interface KeyJson {
  id: string; name: string; prefix: string; last4: string; created_at: string; last_used_at: string | null; revoked_at: string | null;
  expires_at: string | null; rpm: number | null; tpm: number | null; max_concurrency: number | null; spend_limit_usd: string | null;
  spend_limit_period: string; spent_usd: string; period_spent_usd: string; period_resets_at: string | null; models: string[] | null;
}

/** Creates a key through the dashboard API; returns the key (shown once) and its view. */
export async function sessionKey(u: SessionUser, body: Record<string, unknown> = {}): Promise<KeyJson & { key: string; warning: string }> {
  const res = await u.fetch("/api/me/keys", { method: "POST", json: { name: "k", ...body } });
  expect(res.status).toBe(201);
  return res.json();
}

export async function listKeys(u: SessionUser): Promise<KeyJson[]> {
  const res = await u.fetch("/api/me/keys");
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: KeyJson[] }).data;
}

/** A usage_logs row as the outbox writes it (snake_case columns). */
export interface UsageFixture {
  request_id: string; user_id: string; key_id: string; model: string; provider: string; endpoint: string; stream: number;
  prompt_tokens: number; completion_tokens: number; cached_tokens: number; reasoning_tokens: number; cost_nano: number;
  latency_ms: number; status: string; http_status: number; usage_source: string; error_code: string | null; attempts: number;
  created_at: number; route_reason: string | null;
}

const COLUMNS = [
  "request_id", "user_id", "key_id", "model", "provider", "endpoint", "stream", "prompt_tokens", "completion_tokens", "cached_tokens",
  "reasoning_tokens", "cost_nano", "latency_ms", "status", "http_status", "usage_source", "error_code", "attempts", "created_at", "route_reason",
] as const;

/** Inserts usage rows straight into D1 (five rows per statement: D1 binds at most 100 values). */
export async function insertUsage(rows: UsageFixture[]): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += 5) {
    const chunk = rows.slice(i, i + 5);
    const sql = `INSERT INTO usage_logs (${COLUMNS.join(", ")}) VALUES ${chunk.map(() => `(${COLUMNS.map(() => "?").join(", ")})`).join(", ")}`;
    statements.push(env.DB.prepare(sql).bind(...chunk.flatMap((r) => COLUMNS.map((c) => r[c]))));
  }
  await env.DB.batch(statements);
}

/** A fake key id in the real format. */
export function fakeKeyId(tag: string): string {
  return `key_${tag.padEnd(22, "0").slice(0, 22)}`;
}

/** Minimal RFC 4180 parser: quoted fields, doubled quotes, CRLF records. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(field); field = ""; }
    else if (ch === "\r" && text[i + 1] === "\n") { row.push(field); rows.push(row); row = []; field = ""; i++; }
    else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}
