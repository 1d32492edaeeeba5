import { env } from "cloudflare:test";
import { expect } from "vitest";
import { TEST_PRICE } from "../helpers/catalog";
import { admin, chat, settled } from "../helpers/gateway";

export const USD = 1_000_000_000;
// Test prices in nUSD per token: input 1000, output 2000; the stand-in's echo reports 11 in, 7 out.
export const ECHO_COST = 11 * (TEST_PRICE.input / 1000) + 7 * (TEST_PRICE.output / 1000); // 25,000 nUSD

/** An API key for an existing user (operator API). */
export async function keyFor(userId: string): Promise<{ key: string; keyId: string }> {
  const res = await admin(`/users/${userId}/keys`, { method: "POST", json: { name: "ledger test" } });
  expect(res.status).toBe(201);
  const { id, key } = (await res.json()) as { id: string; key: string };
  return { key, keyId: id };
}

/** One test-echo chat request, settled; returns its request id. */
export async function echo(userId: string, key: string): Promise<string> {
  const res = await chat(key, { model: "test-echo" });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  await settled(userId);
  return res.headers.get("x-request-id")!;
}

/** Operator credit (positive: grant, negative: adjustment). */
export async function operatorCredit(userId: string, amountUsd: string, note = "test"): Promise<void> {
  const res = await admin(`/users/${userId}/credits`, { method: "POST", json: { amount_usd: amountUsd, note } });
  expect(res.status).toBe(201);
}

export async function lowBalanceEmails(userId: string) {
  const { results } = await env.DB.prepare("SELECT id, to_address, template, data FROM email_outbox WHERE user_id = ? AND template = 'low_balance' ORDER BY created_at")
    .bind(userId).all<{ id: string; to_address: string; template: string; data: string }>();
  return results;
}
