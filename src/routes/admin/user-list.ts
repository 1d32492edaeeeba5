import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { database } from "../../db/client";
import { users } from "../../db/schema";
import type { Env } from "../../env";
import { accountStub } from "../../account/client";
import { keyView } from "../../keys/view";
import { USER_ID } from "../../lib/ids";
import { validate } from "../../middleware/validate";
import { requireUser, userIdParam } from "./users";
import type { AdminEnv } from "../../middleware/admin-auth";

/** Keyset cursor: "<created_at>.<id>" of the last user shown (newest first). */
const CURSOR = /^(\d{1,16})\.(u[0-9a-z]{20})$/;

const listQuery = z.object({
  q: z.string().trim().toLowerCase().min(1).max(320).optional(),
  cursor: z.string().regex(CURSOR, "a next_cursor from an earlier page").optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

/** The largest code point: every string that starts with `p` sorts below p + this (an index range scan). */
const AFTER_PREFIX = "\u{10FFFF}";

function search(q: string | undefined): SQL | undefined {
  if (!q) return undefined;
  if (USER_ID.test(q)) return eq(users.id, q);
  return and(gte(users.email, q), lt(users.email, q + AFTER_PREFIX));
}

/** The balance from the user's Durable Object; null when it cannot be reached (the list still answers). */
async function balanceOf(env: Env, id: string): Promise<string | null> {
  try {
    return formatUsd((await accountStub(env, id).summary()).balanceNano);
  } catch {
    return null;
  }
}

/** Operator API: search users (email prefix or exact id), and a user's keys. */
export const adminUserList = new Hono<AdminEnv>()
  .get("/users", validate("query", listQuery), async (c) => {
    const { q, cursor, limit } = c.req.valid("query");
    const where: (SQL | undefined)[] = [search(q)];
    if (cursor) {
      const [, at, id] = CURSOR.exec(cursor)!;
      where.push(or(lt(users.createdAt, Number(at)), and(eq(users.createdAt, Number(at)), lt(users.id, id!))));
    }
    const rows = await database(c.env.DB).select({
      id: users.id, email: users.email, name: users.name, status: users.status, role: users.role, createdAt: users.createdAt,
    }).from(users).where(and(...where)).orderBy(desc(users.createdAt), desc(users.id)).limit(limit + 1).all();
    const page = rows.slice(0, limit);
    const balances = await Promise.all(page.map((u) => balanceOf(c.env, u.id)));
    const last = page.at(-1);
    return c.json({
      data: page.map((u, i) => ({
        id: u.id, email: u.email, name: u.name, status: u.status, role: u.role,
        created_at: new Date(u.createdAt).toISOString(), balance_usd: balances[i],
      })),
      next_cursor: rows.length > limit && last ? `${last.createdAt}.${last.id}` : null,
    });
  })
  .get("/users/:id/keys", validate("param", userIdParam), async (c) => {
    const { id } = c.req.valid("param");
    await requireUser(c.env, id);
    const now = Date.now();
    const keys = await accountStub(c.env, id).listKeys();
    return c.json({ data: keys.map((k) => keyView(k, now)) });
  });
