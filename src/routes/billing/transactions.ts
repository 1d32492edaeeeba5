import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { readWallet } from "../../account/client";
import type { LedgerEntry } from "../../account/types";
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

export const transactionView = (t: LedgerEntry) => ({
  id: t.id, kind: t.kind, amount_usd: formatUsd(t.amountNano), balance_after_usd: formatUsd(t.balanceAfterNano),
  ref: t.ref, note: t.note, created_at: new Date(t.createdAt).toISOString(),
  // A waiver changes no balance: it records the part of a request's cost that was not charged.
  ...(t.kind === "waiver" ? { waived_usd: formatUsd(t.waivedNano ?? 0) } : {}),
  // A day's usage charges folded after the recent window (ref "day:YYYY-MM-DD"): how many it holds.
  ...(t.charges !== undefined ? { charges: t.charges } : {}),
});

/**
 * GET /transactions: the signed-in user's ledger (P8), newest first, read from the wallet's
 * Durable Object, which holds every entry it posted (a charge made a moment ago is listed).
 */
export const billingTransactions = new Hono<SessionEnv>().get("/transactions", validate("query", query), async (c) => {
  const { limit, cursor, kind } = c.req.valid("query");
  const userId = c.get("user").id;
  const after = cursor ? (([, at, id]) => ({ t: Number(at), id: id! }))(CURSOR.exec(cursor)!) : null;
  const { rows } = await readWallet(c.env, userId, { kind: "ledger", query: { kind, after, limit: limit + 1, order: "desc" } });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json({ data: page.map(transactionView), next_cursor: rows.length > limit && last ? `${last.createdAt}.${last.id}` : null });
});
