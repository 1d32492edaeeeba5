import { desc } from "drizzle-orm";
import { authConfig } from "../auth/config";
import { database } from "../db/client";
import { reconciliationRuns } from "../db/schema";
import type { Env } from "../env";
import { accountStub } from "../account/client";
import { newId } from "../lib/ids";
import { usagePlaneConfig } from "../config";

/** Users checked at once (Durable Object calls and D1 queries in parallel). */
export const RECONCILE_BATCH = 25;
/** The cron runs every 10 minutes; a full reconciliation runs at most this often. */
export const RECONCILE_INTERVAL_MS = 6 * 3600_000;
/** A run's report keeps the figures of at most this many drifted users (the count is always exact). */
const MAX_DETAILS = 200;

/** One drifted user's figures, all nUSD except the counts. Ids and figures only. */
export interface UserDrift {
  user_id: string;
  /** The Durable Object's balance after the last entry D1 should have (= its balance when nothing is pending). */
  do_balance_nano: number;
  d1_sum_nano: number;
  /** balance_after of D1's latest transaction. */
  d1_balance_nano: number;
  do_ledger_count: number;
  d1_count: number;
  /** (do_balance − opening) − d1_sum: money the D1 ledger is missing (negative: extra). */
  drift_nano: number;
  /** do_balance − d1_balance. */
  balance_drift_nano: number;
  /** The Durable Object's balance − Σ of its own ledger (non-zero only if the ledger itself is broken). */
  ledger_drift_nano: number;
  pending_outbox: number;
  /** Usage plane: the Durable Object's running totals at D1's cursor − the cursor's (charges nUSD, records). */
  plane_drift_nano: number;
  plane_record_drift: number;
}

export interface ReconciliationRun {
  id: string;
  startedAt: number;
  finishedAt: number;
  usersChecked: number;
  driftedUsers: number;
  totalDriftNano: number;
  details: UserDrift[];
}

// Over the same window as the Durable Object's snapshot: created_at in [since, cut]; ?4 = 0
// leaves usage charges out (USAGE_D1_MIRROR=off: they are in D1 as daily statements only).
const D1_FIGURES = `SELECT count(*) AS n, coalesce(sum(amount_nano), 0) AS s,
  (SELECT balance_after_nano FROM transactions WHERE user_id = ?1 AND created_at >= ?2 AND created_at <= ?3 AND (?4 OR kind <> 'usage') ORDER BY created_at DESC, id DESC LIMIT 1) AS last
  FROM transactions WHERE user_id = ?1 AND created_at >= ?2 AND created_at <= ?3 AND (?4 OR kind <> 'usage')`;

/**
 * The usage plane's check: D1's cursor says which batch it applied last and the running totals
 * it carried; the Durable Object logged its own running totals at every batch it claimed. The
 * charges are compared with the sum of D1's daily statements (written in the same transaction
 * as the cursor), so a lost, altered or doubled statement shows as drift as a lost transaction
 * row would. Equal totals mean every usage charge sent so far is in the statements exactly once.
 */
async function planeDrift(env: Env, stub: ReturnType<typeof accountStub>, userId: string) {
  const c = await env.DB.prepare(`SELECT last_batch, records, (SELECT coalesce(sum(charged_nano), 0) FROM usage_statements WHERE user_id = ?1) AS charged_nano
    FROM usage_cursors WHERE user_id = ?1`).bind(userId).first<{ last_batch: number; records: number; charged_nano: number }>();
  const at = (await stub.usagePlaneSnapshot(c?.last_batch ?? 0)).atBatch;
  // A batch older than the Durable Object's 30-day log cannot be checked (nothing to compare).
  if (!at) return { plane_drift_nano: 0, plane_record_drift: 0 };
  return { plane_drift_nano: at.chargedNano - (c?.charged_nano ?? 0), plane_record_drift: at.records - (c?.records ?? 0) };
}

/**
 * Checks one user: flush the outbox, take the Durable Object's ledger snapshot, and compare D1's
 * transactions over the same entries. Entries still in the outbox (D1 unreachable) are left out
 * of both sides, so a D1 outage is not reported as drift; lost, altered or extra rows are.
 * Returns null when everything agrees.
 */
export async function checkUser(env: Env, userId: string, since: number): Promise<UserDrift | null> {
  const stub = accountStub(env, userId);
  const usageInD1 = usagePlaneConfig(env).d1Mirror;
  await stub.flushOutbox().catch(() => 0);
  const s = await stub.ledgerSnapshot(since, usageInD1);
  const d1 = await env.DB.prepare(D1_FIGURES).bind(userId, since, s.cutAt, usageInD1 ? 1 : 0).first<{ n: number; s: number; last: number | null }>();
  const d1Sum = d1?.s ?? 0;
  const d1Balance = d1?.last ?? s.openingNano;
  const drift: UserDrift = {
    user_id: userId, do_balance_nano: s.balanceAtCutNano, d1_sum_nano: d1Sum, d1_balance_nano: d1Balance,
    do_ledger_count: s.count, d1_count: d1?.n ?? 0,
    drift_nano: (usageInD1 ? s.balanceAtCutNano - s.openingNano : s.sumNano) - d1Sum,
    balance_drift_nano: s.balanceAtCutNano - d1Balance,
    ledger_drift_nano: s.balanceNano - s.ledgerSumNano,
    pending_outbox: s.pendingTxns,
    ...(await planeDrift(env, stub, userId)),
  };
  const agrees = drift.drift_nano === 0 && drift.balance_drift_nano === 0 && drift.ledger_drift_nano === 0 && drift.do_ledger_count === drift.d1_count
    && drift.plane_drift_nano === 0 && drift.plane_record_drift === 0;
  return agrees ? null : drift;
}

/** How much money a drifted user's figures are off by (for the run's total). */
function magnitude(d: UserDrift): number {
  return Math.abs(d.drift_nano) || Math.abs(d.balance_drift_nano) || Math.abs(d.ledger_drift_nano) || Math.abs(d.plane_drift_nano);
}

/** Every wallet: each user's own and each organization's (its id names its Durable Object), paged by id. */
const WALLETS_PAGE = `SELECT id FROM (SELECT id FROM users UNION ALL SELECT id FROM organizations)
  WHERE id > ? ORDER BY id LIMIT ?`;

/**
 * Reconciles every wallet (users' and organizations'), RECONCILE_BATCH at a time, records the run in reconciliation_runs and
 * reports drift to operators on the console (user ids and figures only). Safe to run again.
 */
export async function reconcileAll(env: Env, now = Date.now()): Promise<ReconciliationRun> {
  const since = now - authConfig(env).retention.transactionsMs;
  const drifted: UserDrift[] = [];
  let checked = 0;
  for (let after = "";;) {
    const { results } = await env.DB.prepare(WALLETS_PAGE).bind(after, RECONCILE_BATCH).all<{ id: string }>();
    if (results.length === 0) break;
    const found = await Promise.all(results.map((u) => checkUser(env, u.id, since)));
    for (const d of found) if (d) drifted.push(d);
    checked += results.length;
    after = results.at(-1)!.id;
  }
  const run: ReconciliationRun = {
    id: newId("rec_", now), startedAt: now, finishedAt: Date.now(), usersChecked: checked, driftedUsers: drifted.length,
    totalDriftNano: drifted.reduce((sum, d) => sum + magnitude(d), 0), details: drifted.slice(0, MAX_DETAILS),
  };
  await env.DB.prepare("INSERT INTO reconciliation_runs (id, started_at, finished_at, users_checked, drifted_users, total_drift_nano, details) VALUES (?, ?, ?, ?, ?, ?, ?)")
    .bind(run.id, run.startedAt, run.finishedAt, run.usersChecked, run.driftedUsers, run.totalDriftNano, JSON.stringify(run.details))
    .run();
  if (run.driftedUsers > 0) {
    console.error(`ledger reconciliation ${run.id}: ${run.driftedUsers} of ${run.usersChecked} users drifted, total ${run.totalDriftNano} nUSD ${JSON.stringify(run.details)}`);
  }
  return run;
}

/** The cron job: a full run unless the last one started less than RECONCILE_INTERVAL_MS ago. */
export async function reconcileIfDue(env: Env, now = Date.now()): Promise<ReconciliationRun | null> {
  const last = await env.DB.prepare("SELECT max(started_at) AS t FROM reconciliation_runs").first<{ t: number | null }>();
  if (last?.t != null && now - last.t < RECONCILE_INTERVAL_MS) return null;
  return reconcileAll(env, now);
}

/** The latest runs, newest first; at most `limit`. */
export async function listReconciliationRuns(env: Env, limit: number): Promise<ReconciliationRun[]> {
  const rows = await database(env.DB).select().from(reconciliationRuns)
    .orderBy(desc(reconciliationRuns.startedAt), desc(reconciliationRuns.id)).limit(limit).all();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as UserDrift[] }));
}
