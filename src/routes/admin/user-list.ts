import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { listUsers } from "../../auth/users";
import type { Env } from "../../env";
import { accountStub } from "../../account/client";
import { keyView } from "../../keys/view";
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
    const m = cursor ? CURSOR.exec(cursor)! : null;
    const after = m ? { createdAt: Number(m[1]), id: m[2]! } : undefined;
    const rows = await listUsers(c.env, { q, after, limit: limit + 1 });
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
