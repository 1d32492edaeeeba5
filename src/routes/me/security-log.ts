import { Hono } from "hono";
import { z } from "zod";
import { listUserSecurityEvents } from "../../auth/security-log";
import { validate } from "../../middleware/validate";
import { decodeCursor, page, pageQuery } from "../../usage/keyset";
import type { SessionEnv } from "../../middleware/session";

/** GET /security-log: the signed-in user's own security events, newest first (detail stays internal). */
export const meSecurityLog = new Hono<SessionEnv>()
  .get("/security-log", validate("query", z.object(pageQuery)), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const rows = await listUserSecurityEvents(c.env, c.get("user").id, cursor ? decodeCursor(cursor) : null, limit + 1);
    const result = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({
      data: result.data.map((r) => ({
        id: r.id, kind: r.kind, outcome: r.outcome, ip: r.ip, user_agent: r.userAgent, created_at: new Date(r.createdAt).toISOString(),
      })),
      next_cursor: result.next_cursor,
    });
  });
