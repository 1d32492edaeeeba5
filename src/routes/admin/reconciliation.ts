import { Hono } from "hono";
import { z } from "zod";
import { formatUsd } from "../../lib/money";
import { listReconciliationRuns, reconcileAll, type ReconciliationRun, type UserDrift } from "../../billing/reconcile";
import { validate } from "../../middleware/validate";
import type { AdminEnv } from "../../middleware/admin-auth";

const driftView = (d: UserDrift) => ({
  user_id: d.user_id, drift_usd: formatUsd(d.drift_nano), balance_drift_usd: formatUsd(d.balance_drift_nano),
  ledger_drift_usd: formatUsd(d.ledger_drift_nano), do_balance_usd: formatUsd(d.do_balance_nano), d1_sum_usd: formatUsd(d.d1_sum_nano),
  d1_balance_usd: formatUsd(d.d1_balance_nano), do_ledger_count: d.do_ledger_count, d1_count: d.d1_count, pending_outbox: d.pending_outbox,
  plane_drift_usd: formatUsd(d.plane_drift_nano ?? 0), plane_record_drift: d.plane_record_drift ?? 0,
});

const runView = (r: ReconciliationRun) => ({
  id: r.id, started_at: new Date(r.startedAt).toISOString(), finished_at: new Date(r.finishedAt).toISOString(),
  users_checked: r.usersChecked, drifted_users: r.driftedUsers, total_drift_usd: formatUsd(r.totalDriftNano), details: r.details.map(driftView),
});

/** Operator API: the ledger drift report (src/billing/reconcile.ts). The admin router's audit trail logs reads and runs (P20). */
export const adminReconciliation = new Hono<AdminEnv>()
  .get("/reconciliation", validate("query", z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) })), async (c) => {
    const { limit } = c.req.valid("query");
    return c.json({ data: (await listReconciliationRuns(c.env, limit)).map(runView) });
  })
  .post("/reconciliation/run", async (c) => {
    return c.json(runView(await reconcileAll(c.env)), 201);
  });
