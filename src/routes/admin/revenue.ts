import { Hono } from "hono";
import { z } from "zod";
import { revenueTotals } from "../../billing/revenue";
import { formatUsd } from "../../lib/money";
import { ApiError } from "../../errors";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

const query = z.object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() });

/**
 * GET /revenue?from&to: money in the period. From D1's copy of the ledgers (transactions):
 * purchases paid, refunds paid back, lost disputes and usage waived (the part of request costs
 * above their max charge: `waiver` rows, docs/billing.md). Usage charged comes from the daily
 * charge statements (the 5-year record; per-request charges are no longer copied to D1), counted
 * by whole UTC days: the days from `from`'s to the one before `to`. Entries still in a Durable
 * Object's outbox or the usage queue (seconds) are not counted yet.
 */
export const adminRevenue = new Hono<AdminEnv>().get("/revenue", validate("query", query), async (c) => {
  const q = c.req.valid("query");
  const from = q.from ? Date.parse(q.from) : 0;
  const to = q.to ? Date.parse(q.to) : Date.now() + 1;
  if (to <= from) throw new ApiError(400, "invalid_range", "'to' must be after 'from'.", { param: "to" });
  const results = await revenueTotals(c.env, from, to);
  const sum = (kind: string) => Math.abs(results.find((r) => r.kind === kind)?.total ?? 0);
  return c.json({
    from: new Date(from).toISOString(), to: new Date(to).toISOString(),
    paid_usd: formatUsd(sum("purchase")), refunded_usd: formatUsd(sum("refund")), disputes_lost_usd: formatUsd(sum("dispute")),
    usage_usd: formatUsd(sum("usage")), waived_usd: formatUsd(sum("waiver")), upstream_cost_usd: null,
  });
});
