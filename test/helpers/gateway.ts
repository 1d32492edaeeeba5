import { env, SELF } from "cloudflare:test";
import OpenAI from "openai";
import { expect } from "vitest";

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

export async function usageRows(userId: string) {
  const { results } = await env.DB.prepare("SELECT * FROM usage_logs WHERE user_id = ? ORDER BY created_at").bind(userId).all<Record<string, number | string>>();
  return results;
}
