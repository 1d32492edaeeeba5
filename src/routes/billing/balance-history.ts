import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { readWallet } from "../../account/client";
import { validate } from "../../middleware/validate";
import type { SessionEnv } from "../../middleware/session";

const DAY_MS = 86_400_000;

/**
 * GET /balance-history?days=30: the end-of-day balance (UTC) for each of the last `days` days,
 * today included (its balance so far). A day without ledger entries carries the previous balance.
 * Read from the wallet's Durable Object ledger (every entry, balance after each).
 */
export const billingBalanceHistory = new Hono<SessionEnv>().get(
  "/balance-history",
  validate("query", z.object({ days: z.coerce.number().int().min(1).max(366).default(30) })),
  async (c) => {
    const { days } = c.req.valid("query");
    const userId = c.get("user").id;
    const today = Math.floor(Date.now() / DAY_MS);
    const first = today - days + 1;
    const { opening, daily } = await readWallet(c.env, userId, { kind: "balances", since: first * DAY_MS });
    const closing = new Map(daily.map((r) => [r.day, r.balanceNano]));
    let balance = opening;
    const data: { date: string; balance_usd: string }[] = [];
    for (let day = first; day <= today; day++) {
      balance = closing.get(day) ?? balance;
      data.push({ date: new Date(day * DAY_MS).toISOString().slice(0, 10), balance_usd: formatUsd(balance) });
    }
    return c.json({ data });
  },
);
