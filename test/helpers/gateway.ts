import { env, SELF } from "cloudflare:test";
import OpenAI from "openai";
import { expect } from "vitest";
import type { PlaneRecord } from "../../src/db/usage-batch";

export const BASE = "http://gateway.test";
export const ADMIN_TOKEN = "test-admin-token";

export function admin(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${ADMIN_TOKEN}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return SELF.fetch(`${BASE}/api/admin${path}`, { ...init, headers, body });
}

export interface TestUser { userId: string; key: string; keyId: string }

let counter = 0;

/** A user with credits (USD decimal string) and one API key with optional limits. */
export async function createUser(credits = "10.00", keyLimits: Record<string, unknown> = {}): Promise<TestUser> {
  const email = `user${Date.now()}-${counter++}-${Math.random().toString(36).slice(2)}@example.test`;
  const u = await admin("/users", { method: "POST", json: { email } });
  expect(u.status).toBe(201);
  const { id: userId } = (await u.json()) as { id: string };
  if (credits !== "0") {
    const cr = await admin(`/users/${userId}/credits`, { method: "POST", json: { amount_usd: credits, note: "test" } });
    expect(cr.status).toBe(201);
  }
  const k = await admin(`/users/${userId}/keys`, { method: "POST", json: { name: "test key", ...keyLimits } });
  expect(k.status).toBe(201);
  const { id: keyId, key } = (await k.json()) as { id: string; key: string };
  return { userId, key, keyId };
}

export function api(path: string, key: string | null, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key) headers.set("authorization", `Bearer ${key}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return SELF.fetch(`${BASE}/api/v1${path}`, { ...init, headers, body });
}

export function chat(key: string, body: Record<string, unknown>): Promise<Response> {
  return api("/chat/completions", key, { method: "POST", json: { messages: [{ role: "user", content: "Hi" }], ...body } });
}

export function openai(key: string, basePath = "/api/v1"): OpenAI {
  return new OpenAI({
    apiKey: key,
    baseURL: `${BASE}${basePath}`,
    maxRetries: 0,
    fetch: (input, init) => SELF.fetch(input as string, init as RequestInit),
  });
}

export function account(userId: string) {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(userId));
}

/** Waits until every reservation of the user is settled (settlement runs after the response). */
export async function settled(userId: string, timeoutMs = 5000) {
  const start = Date.now();
  for (;;) {
    const s = await account(userId).summary();
    if (s.inFlight === 0) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`still ${s.inFlight} in flight`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Settles, drains the outbox into D1 and returns the account summary. */
export async function drained(userId: string) {
  await settled(userId);
  await account(userId).flushOutbox();
  return account(userId).summary();
}

/**
 * The user's usage records as usage_logs rows (snake_case, stream as 0/1), oldest first, read
 * from where they live: the wallet's recent records (the newest record of each request).
 */
export async function usageRows(userId: string) {
  const read = await account(userId).read({ kind: "records", query: { limit: 100_000, order: "asc" } });
  return (read.kind === "records" ? read.rows : []).map((r) => usageLogRow(userId, r));
}

/** A recent usage record in the shape of the usage_logs row the D1 copy used to hold. */
export function usageLogRow(userId: string, r: PlaneRecord): Record<string, number | string | null> {
  return {
    request_id: r.requestId, user_id: userId, key_id: r.keyId, model: r.model, provider: r.provider, endpoint: r.endpoint,
    stream: r.stream ? 1 : 0, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, cached_tokens: r.cachedTokens ?? 0,
    reasoning_tokens: r.reasoningTokens ?? 0, cost_nano: r.costNano, latency_ms: r.latencyMs, status: r.status, http_status: r.httpStatus,
    usage_source: r.usageSource, error_code: r.errorCode ?? null, attempts: r.attempts ?? 1, route_reason: r.routeReason ?? null,
    price_version: r.priceVersion ?? null, created_at: r.createdAt,
  };
}
