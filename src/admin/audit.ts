import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { database } from "../db/client";
import { auditLog } from "../db/schema";
import type { Env } from "../env";
import { newId } from "../lib/ids";

/** The operator behind an admin request: an admin user's id, or "operator-token" for ADMIN_TOKEN. */
export const OPERATOR_TOKEN_ACTOR = "operator-token";

/**
 * Appends one audit-log row (P20): who (actor), what (action, e.g. "user.read", "credits.grant"),
 * when, and which user's data. `detail` is a short note (ids, amounts), never prompt text.
 */
export async function audit(
  env: Env,
  entry: { actor: string; action: string; targetUserId: string | null; detail?: string | null },
  now = Date.now(),
): Promise<void> {
  await env.DB.prepare("INSERT INTO audit_log (id, actor, action, target_user_id, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)")
    .bind(newId("aud_", now), entry.actor, entry.action, entry.targetUserId, entry.detail ?? null, now)
    .run();
}

export interface AuditQuery { target?: string; after?: { createdAt: number; id: string }; limit: number }

/** Audit rows newest first, optionally for one target user, after a keyset cursor; at most `limit` rows. */
export async function listAuditLog(env: Env, { target, after, limit }: AuditQuery) {
  const where: (SQL | undefined)[] = [target ? eq(auditLog.targetUserId, target) : undefined];
  if (after) {
    where.push(or(lt(auditLog.createdAt, after.createdAt), and(eq(auditLog.createdAt, after.createdAt), lt(auditLog.id, after.id))));
  }
  return database(env.DB).select().from(auditLog).where(and(...where))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id)).limit(limit).all();
}
