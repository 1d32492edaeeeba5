import { env } from "cloudflare:test";
import { expect } from "vitest";
import { hashPassword } from "../../src/auth/password";
import { issueSession } from "../../src/auth/session";
import { account, admin, chat, drained, usageRows } from "../helpers/gateway";
import { TEST_PRICE } from "../helpers/catalog";
import { sessionClient, signedInUser, type SessionUser } from "../helpers/session";

export const PASSWORD = "correct horse battery staple";
export const USD = 1_000_000_000;

/** A signed-in user with a password, a profile, an OAuth identity, a pending token and one API key. */
export async function deletableUser(opts: { grantUsd?: string; password?: boolean } = {}): Promise<SessionUser & { key: string; keyId: string }> {
  const u = await signedInUser(opts.grantUsd ?? "0");
  // Few iterations: the test is about deletion, not the hash's cost (verify reads the count from the hash).
  const hash = opts.password === false ? null : await hashPassword(PASSWORD, 1000);
  await env.DB.prepare("UPDATE users SET name = 'Ada Lovelace', company = 'Analytical Engines Ltd', locale = 'en', password_hash = ?, stripe_customer_id = 'cus_test_1' WHERE id = ?")
    .bind(hash, u.userId).run();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO oauth_accounts (provider, subject, user_id, created_at) VALUES ('github', ?, ?, ?)").bind(`gh-${u.userId}`, u.userId, Date.now()),
    env.DB.prepare("INSERT INTO auth_tokens (token_hash, user_id, purpose, email, expires_at, created_at) VALUES (?, ?, 'change_email', 'new@example.test', ?, ?)")
      .bind(`hash-${u.userId}`, u.userId, Date.now() + 3600_000, Date.now()),
  ]);
  const k = await admin(`/users/${u.userId}/keys`, { method: "POST", json: { name: "Ada's laptop" } });
  expect(k.status).toBe(201);
  const { id: keyId, key } = (await k.json()) as { id: string; key: string };
  return { ...u, key, keyId };
}

/** Purchased credit, posted as the Stripe webhook would: a "purchase" ledger entry in the Durable Object. */
export async function purchase(userId: string, amountNano: number, ref = "pi_test_1") {
  const r = await account(userId).credit(userId, { kind: "purchase", amountNano, ref });
  expect(r.ok).toBe(true);
}

/** One chat request through the key; returns its exact cost from the usage row's token counts. */
export async function spend(userId: string, key: string): Promise<number> {
  const res = await chat(key, { model: "test-echo" });
  expect(res.status).toBe(200);
  await res.text();
  await drained(userId);
  const row = (await usageRows(userId)).at(-1)!;
  // cost = prompt tokens × 1000 nUSD + completion tokens × 2000 nUSD (test catalog prices)
  const cost = Number(row.prompt_tokens) * TEST_PRICE.input / 1000 + Number(row.completion_tokens) * TEST_PRICE.output / 1000;
  expect(Number(row.cost_nano)).toBe(cost);
  return cost;
}

/** A session whose sign-in (auth_time) was `ageSeconds` ago. */
export async function sessionAged(userId: string, email: string, ageSeconds: number): Promise<SessionUser> {
  const row = await env.DB.prepare("SELECT session_version FROM users WHERE id = ?").bind(userId).first<{ session_version: number }>();
  const { token } = await issueSession(env, userId, row!.session_version, Date.now() - ageSeconds * 1000);
  return sessionClient(userId, email, token);
}

export const rowsOf = async (sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(sql).bind(...binds).all<Record<string, unknown>>()).results;

/** What a deletion must not touch or must change, read in one go. */
export async function snapshot(userId: string) {
  return {
    user: (await rowsOf("SELECT * FROM users WHERE id = ?", userId))[0]!,
    // The ledger where it is whole: the wallet's Durable Object (D1 holds usage charges as daily statements only).
    transactions: (await account(userId).ledger(1000)).sort((x, y) => (x.id < y.id ? -1 : 1)),
    refunds: await rowsOf("SELECT * FROM refund_requests WHERE user_id = ?", userId),
    emails: await rowsOf("SELECT * FROM email_outbox WHERE user_id = ? AND template = 'account_deleted'", userId),
    keys: await rowsOf("SELECT id, revoked_at FROM api_keys WHERE user_id = ?", userId),
    oauth: await rowsOf("SELECT * FROM oauth_accounts WHERE user_id = ?", userId),
    tokens: await rowsOf("SELECT * FROM auth_tokens WHERE user_id = ?", userId),
    usage: (await usageRows(userId)).map((r) => ({ request_id: r.request_id, key_id: r.key_id, route_reason: r.route_reason })),
  };
}

export const deleteMe = (u: SessionUser, json: Record<string, unknown>) => u.fetch("/api/me/delete", { method: "POST", json });
