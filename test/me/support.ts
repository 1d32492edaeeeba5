import { runInDurableObject } from "cloudflare:test";
import type { AccountDO } from "../../src/account/account-do";
import { enqueueUsage } from "../../src/account/usage-plane";
import type { PlaneRecord } from "../../src/db/usage-batch";
import { account } from "../helpers/gateway";
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

/**
 * Plants usage records where a wallet keeps them: its Durable Object's recent records, then sent
 * through the usage queue (rollups, statements, archive) as the wallet's own records are.
 */
export async function insertUsage(rows: UsageFixture[]): Promise<void> {
  for (const userId of new Set(rows.map((r) => r.user_id))) {
    const stub = account(userId);
    const mine = rows.filter((r) => r.user_id === userId).map(planeRecord);
    await runInDurableObject(stub, (_instance: AccountDO, state) => { for (const r of mine) enqueueUsage(state.storage.sql, r); });
    await stub.flushOutbox();
  }
}

function planeRecord(r: UsageFixture): PlaneRecord {
  return {
    requestId: r.request_id, keyId: r.key_id, model: r.model, provider: r.provider, endpoint: r.endpoint, stream: Boolean(r.stream),
    promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens, cachedTokens: r.cached_tokens, reasoningTokens: r.reasoning_tokens,
    costNano: r.cost_nano, latencyMs: r.latency_ms, status: r.status, httpStatus: r.http_status, usageSource: r.usage_source,
    errorCode: r.error_code, attempts: r.attempts, routeReason: r.route_reason, createdAt: r.created_at, chargedAt: r.created_at,
  };
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
