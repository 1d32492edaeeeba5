import { Hono } from "hono";
import { z } from "zod";
import { listAuditLog } from "../../admin/audit";
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
  const m = cursor ? CURSOR.exec(cursor)! : null;
  const rows = await listAuditLog(c.env, { target, after: m ? { createdAt: Number(m[1]), id: m[2]! } : undefined, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json({
    data: page.map((r) => ({
      id: r.id, actor: r.actor, action: r.action, target_user_id: r.targetUserId, detail: r.detail, created_at: new Date(r.createdAt).toISOString(),
    })),
    next_cursor: rows.length > limit && last ? `${last.createdAt}.${last.id}` : null,
  });
});
