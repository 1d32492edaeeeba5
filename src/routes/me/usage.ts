import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { accountStub } from "../../account/client";
import { validate } from "../../middleware/validate";
import { decodeCursor, isoTime, page, pageQuery } from "../../usage/keyset";
import { recentSpend, usageAggregate, usageListPage, usagePosition } from "../../usage/query";
import { usageView } from "../../usage/view";
import type { SessionEnv } from "../../middleware/session";

const STATUSES = ["success", "upstream_error", "client_disconnected", "stream_error", "expired"] as const;

const range = { from: isoTime.optional(), to: isoTime.optional() };
const usageQuery = z.object({
  ...range,
  ...pageQuery,
  model: z.string().min(1).max(256).optional(),
  key_id: z.string().regex(/^key_[0-9a-z]{22}$/, "not a key id").optional(),
  status: z.enum(STATUSES).optional(),
});
const aggregateQuery = z.object({ ...range, group_by: z.enum(["day", "model", "key"]) });

/** The signed-in user's usage: records (the wallet's recent records, then the archive's), sums (rollups + records not applied yet) and the dashboard's overview. Always scoped to the session user. */
export const meUsage = new Hono<SessionEnv>()
  .get("/usage", validate("query", usageQuery), async (c) => {
    const q = c.req.valid("query");
    const userId = c.get("user").id;
    const filter = { userId, from: q.from, to: q.to, model: q.model, keyId: q.key_id, status: q.status };
    const rows = await usageListPage(c.env, filter, q.cursor ? decodeCursor(q.cursor) : null, q.limit + 1);
    const result = page(rows, q.limit, usagePosition);
    return c.json({ data: result.data.map(usageView), next_cursor: result.next_cursor });
  })
  .get("/usage/aggregate", validate("query", aggregateQuery), async (c) => {
    const q = c.req.valid("query");
    const userId = c.get("user").id;
    const rows = await usageAggregate(c.env, { userId, from: q.from, to: q.to }, q.group_by);
    return c.json({
      data: rows.map((r) => ({
        bucket: r.bucket, requests: r.requests, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, cost_usd: formatUsd(r.costNano),
      })),
    });
  })
  .get("/overview", async (c) => {
    const user = c.get("user");
    const stub = accountStub(c.env, user.id);
    const [summary, spend] = await Promise.all([stub.summary(), recentSpend(c.env, user.id, Date.now())]);
    const threshold = user.lowBalanceThresholdNano;
    return c.json({
      balance_usd: formatUsd(summary.balanceNano),
      reserved_usd: formatUsd(summary.holdsNano),
      spend_today_usd: formatUsd(spend.todayNano),
      spend_month_usd: formatUsd(spend.monthNano),
      requests_today: spend.requestsToday,
      low_balance_threshold_usd: threshold === null ? null : formatUsd(threshold),
      low_balance: threshold !== null && summary.balanceNano < threshold,
      email_verified: user.emailVerifiedAt !== null,
    });
  });
