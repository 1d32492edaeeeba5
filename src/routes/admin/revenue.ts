import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { ApiError } from "../../errors";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

const query = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() });

/**
 * GET /revenue?from&to: money in the period from D1's copy of the ledgers (transactions):
 * purchases paid, refunds paid back, lost disputes, usage charged, and usage waived (the part of
 * request costs above their max charge: `waiver` rows, docs/billing.md). Entries still in a
 * Durable Object's outbox (about a second) are not counted yet.
 */
export const adminRevenue = new Hono<AdminEnv>().get("/revenue", validate("query", query), async (c) => {
  const q = c.req.valid("query");
  const from = q.from ? Date.parse(q.from) : 0;
  const to = q.to ? Date.parse(q.to) : Date.now() + 1;
  if (to <= from) throw new ApiError(400, "invalid_range", "'to' must be after 'from'.", { param: "to" });
  const { results } = await c.env.DB.prepare(
    "SELECT kind, coalesce(sum(CASE kind WHEN 'waiver' THEN waived_nano ELSE amount_nano END), 0) AS total FROM transactions WHERE created_at >= ? AND created_at < ? AND kind IN ('purchase', 'refund', 'dispute', 'usage', 'waiver') GROUP BY kind",
  ).bind(from, to).all<{ kind: string; total: number }>();
  const sum = (kind: string) => Math.abs(results.find((r) => r.kind === kind)?.total ?? 0);
  return c.json({
    from: new Date(from).toISOString(), to: new Date(to).toISOString(),
    paid_usd: formatUsd(sum("purchase")), refunded_usd: formatUsd(sum("refund")), disputes_lost_usd: formatUsd(sum("dispute")),
    usage_usd: formatUsd(sum("usage")), waived_usd: formatUsd(sum("waiver")), upstream_cost_usd: null,
  });
});
