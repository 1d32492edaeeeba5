import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { accountStub } from "../../account/client";
import { validate } from "../../middleware/validate";
import type { SessionEnv } from "../../middleware/session";

const DAY_MS = 86_400_000;

// The balance before the window: balance_after of the latest earlier entry (0 if there is none).
const OPENING = `SELECT balance_after_nano AS b FROM transactions WHERE user_id = ? AND created_at < ?
  ORDER BY created_at DESC, id DESC LIMIT 1`;
// Per UTC day, balance_after of the day's latest entry. SQLite documents that with max() the bare
// column comes from the row holding the maximum; created_at is strictly increasing per user.
const DAILY = `SELECT created_at / ${DAY_MS} AS day, max(created_at) AS t, balance_after_nano AS b FROM transactions
  WHERE user_id = ? AND created_at >= ? GROUP BY day ORDER BY day`;

/**
 * GET /balance-history?days=30: the end-of-day balance (UTC) for each of the last `days` days,
 * today included (its balance so far). A day without ledger entries carries the previous balance.
 */
export const billingBalanceHistory = new Hono<SessionEnv>().get(
  "/balance-history",
  validate("query", z.object({ days: z.coerce.number().int().min(1).max(366).default(30) })),
  async (c) => {
    const { days } = c.req.valid("query");
    const userId = c.get("user").id;
    await accountStub(c.env, userId).flushOutbox().catch(() => 0);
    const today = Math.floor(Date.now() / DAY_MS);
    const first = today - days + 1;
    const [opening, daily] = await c.env.DB.batch<{ b: number; day?: number }>([
      c.env.DB.prepare(OPENING).bind(userId, first * DAY_MS),
      c.env.DB.prepare(DAILY).bind(userId, first * DAY_MS),
    ]);
    const closing = new Map((daily!.results).map((r) => [r.day!, r.b]));
    let balance = opening!.results[0]?.b ?? 0;
    const data: { date: string; balance_usd: string }[] = [];
    for (let day = first; day <= today; day++) {
      balance = closing.get(day) ?? balance;
      data.push({ date: new Date(day * DAY_MS).toISOString().slice(0, 10), balance_usd: formatUsd(balance) });
    }
    return c.json({ data });
  },
);
