import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { database } from "../../db/client";
import { transactions } from "../../db/schema";
import { accountStub } from "../../account/client";
import { validate } from "../../middleware/validate";
import type { SessionEnv } from "../../middleware/session";

export const LEDGER_KINDS = ["grant", "promo", "plan_credit", "plan_expiry", "usage", "purchase", "refund", "dispute", "adjustment", "waiver"] as const;

/** Keyset cursor: "<created_at>.<id>" of the last row shown (the ledger's created_at is strictly increasing per user). */
const CURSOR = /^(\d{1,16})\.([\w-]{1,64})$/;

const query = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(CURSOR, "a next_cursor from an earlier page").optional(),
  kind: z.enum(LEDGER_KINDS).optional(),
});

type TxnRow = typeof transactions.$inferSelect;

export const transactionView = (t: TxnRow) => ({
  id: t.id, kind: t.kind, amount_usd: formatUsd(t.amountNano), balance_after_usd: formatUsd(t.balanceAfterNano),
  ref: t.ref, note: t.note, created_at: new Date(t.createdAt).toISOString(),
  // A waiver changes no balance: it records the part of a request's cost that was not charged.
  ...(t.kind === "waiver" ? { waived_usd: formatUsd(t.waivedNano) } : {}),
});

/**
 * GET /transactions: the signed-in user's ledger (P8), newest first. The Durable Object's outbox is
 * flushed first so a charge made a moment ago is listed; if that fails, D1 is shown as it is.
 */
export const billingTransactions = new Hono<SessionEnv>().get("/transactions", validate("query", query), async (c) => {
  const { limit, cursor, kind } = c.req.valid("query");
  const userId = c.get("user").id;
  await accountStub(c.env, userId).flushOutbox().catch(() => 0);
  const where: (SQL | undefined)[] = [eq(transactions.userId, userId)];
  if (kind) where.push(eq(transactions.kind, kind));
  if (cursor) {
    const [, at, id] = CURSOR.exec(cursor)!;
    const t = Number(at);
    where.push(or(lt(transactions.createdAt, t), and(eq(transactions.createdAt, t), lt(transactions.id, id!))));
  }
  const rows = await database(c.env.DB).select().from(transactions).where(and(...where))
    .orderBy(desc(transactions.createdAt), desc(transactions.id)).limit(limit + 1).all();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json({ data: page.map(transactionView), next_cursor: rows.length > limit && last ? `${last.createdAt}.${last.id}` : null });
});
