import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { database } from "../../db/client";
import { auditLog } from "../../db/schema";
import { USER_ID } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

/** Keyset cursor: "<created_at>.<id>" of the last row shown (newest first). */
const CURSOR = /^(\d{1,16})\.(aud_[0-9a-z]{22})$/;

const query = z.object({
  cursor: z.string().regex(CURSOR, "a next_cursor from an earlier page").optional(),
  target: z.string().regex(USER_ID, "a user id").optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Operator API: GET /audit — the audit log, newest first, optionally for one user (P20). */
export const adminAudit = new Hono<AdminEnv>().get("/audit", validate("query", query), async (c) => {
  const { cursor, target, limit } = c.req.valid("query");
  const where: (SQL | undefined)[] = [target ? eq(auditLog.targetUserId, target) : undefined];
  if (cursor) {
    const [, at, id] = CURSOR.exec(cursor)!;
    where.push(or(lt(auditLog.createdAt, Number(at)), and(eq(auditLog.createdAt, Number(at)), lt(auditLog.id, id!))));
  }
  const rows = await database(c.env.DB).select().from(auditLog).where(and(...where))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id)).limit(limit + 1).all();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json({
    data: page.map((r) => ({
      id: r.id, actor: r.actor, action: r.action, target_user_id: r.targetUserId, detail: r.detail, created_at: new Date(r.createdAt).toISOString(),
    })),
    next_cursor: rows.length > limit && last ? `${last.createdAt}.${last.id}` : null,
  });
});
