import { and, desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { database } from "../../db/client";
import { securityEvents } from "../../db/schema";
import { validate } from "../../middleware/validate";
import { afterPosition, decodeCursor, page, pageQuery } from "../../usage/keyset";
import type { SessionEnv } from "../../middleware/session";

/** GET /security-log: the signed-in user's own security events, newest first (detail stays internal). */
export const meSecurityLog = new Hono<SessionEnv>()
  .get("/security-log", validate("query", z.object(pageQuery)), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const where = [eq(securityEvents.userId, c.get("user").id)];
    if (cursor) where.push(afterPosition(securityEvents.createdAt, securityEvents.id, decodeCursor(cursor), "desc"));
    const rows = await database(c.env.DB).select().from(securityEvents).where(and(...where))
      .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id)).limit(limit + 1).all();
    const result = page(rows, limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({
      data: result.data.map((r) => ({
        id: r.id, kind: r.kind, outcome: r.outcome, ip: r.ip, user_agent: r.userAgent, created_at: new Date(r.createdAt).toISOString(),
      })),
      next_cursor: result.next_cursor,
    });
  });
