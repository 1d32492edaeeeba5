import { and, desc, eq } from "drizzle-orm";
import type { Context } from "hono";
import { database } from "../db/client";
import { securityEvents } from "../db/schema";
import type { Env } from "../env";
import { newId } from "../lib/ids";
import { afterPosition, type Position } from "../usage/keyset";

export type SecurityKind =
  | "sign_in" | "oauth_sign_in" | "sign_out" | "logout_all" | "register" | "email_verified" | "verification_sent"
  | "password_reset_requested" | "password_reset" | "password_changed" | "email_change_requested" | "email_changed"
  | "key_created" | "key_updated" | "key_revoked" | "account_deleted" | "account_suspended" | "account_unsuspended"
  | "management_key_created" | "management_key_revoked" | "provider_key_stored" | "provider_key_deleted";

export type SecurityOutcome = "success" | "failure" | "throttled";

/**
 * Where a request came from, as recorded in the security log and used by the per-IP throttles.
 * Only cf-connecting-ip counts: Cloudflare's edge sets it, while x-real-ip or x-forwarded-for are
 * whatever the client sends (rotating them would dodge every per-IP limit). Without it: null.
 */
export function clientInfo(c: Context): { ip: string | null; userAgent: string | null } {
  return {
    ip: c.req.header("cf-connecting-ip") ?? null,
    userAgent: c.req.header("user-agent")?.slice(0, 512) ?? null,
  };
}

/**
 * Appends one security-log row (P18). `detail` is a short machine-readable note such as
 * "bad_password" or a key id — never a password, token or prompt text.
 */
export async function logSecurityEvent(
  env: Env,
  event: { userId: string | null; kind: SecurityKind; outcome: SecurityOutcome; ip?: string | null; userAgent?: string | null; detail?: string | null },
  now = Date.now(),
): Promise<void> {
  await env.DB.prepare("INSERT INTO security_events (id, user_id, kind, outcome, ip, user_agent, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
    .bind(newId("sev_", now), event.userId, event.kind, event.outcome, event.ip ?? null, event.userAgent ?? null, event.detail ?? null, now)
    .run();
}

/** One user's security events, newest first, strictly after a keyset position; at most `limit` rows. */
export async function listUserSecurityEvents(env: Env, userId: string, after: Position | null, limit: number) {
  const where = [eq(securityEvents.userId, userId)];
  if (after) where.push(afterPosition(securityEvents.createdAt, securityEvents.id, after, "desc"));
  return database(env.DB).select().from(securityEvents).where(and(...where))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id)).limit(limit).all();
}
