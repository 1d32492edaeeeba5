import { env } from "cloudflare:test";
import { newId, newUserId } from "../../src/lib/ids";

/** Rows placed at chosen times, for the retention job's boundaries. */

export const DAY = 86_400_000;

export async function seedUser(opts: { createdAt: number; verified?: boolean; deletedAt?: number | null }): Promise<string> {
  const id = newUserId();
  const deleted = opts.deletedAt != null;
  await env.DB.prepare(
    "INSERT INTO users (id, email, name, status, created_at, email_verified_at, deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).bind(
    id, deleted ? `deleted-${id}@invalid` : `${id}@example.test`, deleted ? null : "Seeded Person", deleted ? "deleted" : "active",
    opts.createdAt, opts.verified === false ? null : opts.createdAt, opts.deletedAt ?? null,
  ).run();
  return id;
}

export async function seedUsage(userId: string, createdAt: number, keyId = "key_seeded"): Promise<string> {
  const id = newId("req_", createdAt);
  await env.DB.prepare(
    `INSERT INTO usage_logs (request_id, user_id, key_id, model, provider, endpoint, stream, prompt_tokens, completion_tokens,
       cost_nano, latency_ms, status, http_status, usage_source, route_reason, created_at)
     VALUES (?, ?, ?, 'test-echo', 'openai', 'chat', 0, 10, 5, 20000, 100, 'success', 200, 'upstream', 'auto: cheapest', ?)`,
  ).bind(id, userId, keyId, createdAt).run();
  return id;
}

export async function seedSecurityEvent(userId: string | null, createdAt: number): Promise<string> {
  const id = newId("sev_", createdAt);
  await env.DB.prepare("INSERT INTO security_events (id, user_id, kind, outcome, ip, created_at) VALUES (?, ?, 'sign_in', 'success', '203.0.113.9', ?)")
    .bind(id, userId, createdAt).run();
  return id;
}

export async function seedTransaction(userId: string, createdAt: number): Promise<string> {
  const id = newId("txn_", createdAt);
  await env.DB.prepare("INSERT INTO transactions (id, user_id, kind, amount_nano, balance_after_nano, ref, created_at) VALUES (?, ?, 'grant', 1000, 1000, ?, ?)")
    .bind(id, userId, id, createdAt).run();
  return id;
}

export async function seedEmail(userId: string, createdAt: number): Promise<string> {
  const id = newId("eml_", createdAt);
  await env.DB.prepare("INSERT INTO email_outbox (id, user_id, to_address, template, data, next_attempt_at, created_at) VALUES (?, ?, 'someone@example.test', 'account_deleted', '{}', ?, ?)")
    .bind(id, userId, createdAt, createdAt).run();
  return id;
}

export async function seedAudit(targetUserId: string, createdAt: number): Promise<string> {
  const id = newId("aud_", createdAt);
  await env.DB.prepare("INSERT INTO audit_log (id, actor, action, target_user_id, created_at) VALUES (?, 'operator-token', 'user.read', ?, ?)")
    .bind(id, targetUserId, createdAt).run();
  return id;
}

const exists = async (table: string, key: string, id: string) =>
  (await env.DB.prepare(`SELECT 1 FROM ${table} WHERE ${key} = ?`).bind(id).first()) !== null;

export const present = {
  security: (id: string) => exists("security_events", "id", id),
  transaction: (id: string) => exists("transactions", "id", id),
  email: (id: string) => exists("email_outbox", "id", id),
  audit: (id: string) => exists("audit_log", "id", id),
};

export async function usageKey(requestId: string): Promise<{ key_id: string; route_reason: string | null; user_id: string; cost_nano: number }> {
  return (await env.DB.prepare("SELECT key_id, route_reason, user_id, cost_nano FROM usage_logs WHERE request_id = ?").bind(requestId).first())!;
}

export async function userRow(id: string): Promise<{ email: string; name: string | null; status: string; deleted_at: number | null }> {
  return (await env.DB.prepare("SELECT email, name, status, deleted_at FROM users WHERE id = ?").bind(id).first())!;
}
