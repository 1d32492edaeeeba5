import { emailOutboxJob } from "./email/deliver";
import type { Env } from "./env";
import { reconcileIfDue } from "./billing/reconcile";
import { runRetention } from "./retention/jobs";
import { runRightsDesk } from "./retention/rights-jobs";
import { retentionPeriods } from "./lib/retention-floors";

/**
 * The Cron Trigger (wrangler.toml [triggers]). Each job is independent: one failing job
 * does not stop the others, and every job is safe to run again.
 */
export type ScheduledJob = { name: string; run: (env: Env, now: number) => Promise<unknown> };

export const JOBS: ScheduledJob[] = [
  { name: "retention", run: (env, now) => runRetention(env, now) },
  { name: "ledger-reconciliation", run: (env, now) => reconcileIfDue(env, now) },
  { name: "rights-desk", run: runRightsDesk },
  { name: "email-outbox", run: emailOutboxJob },
];

export async function runScheduled(env: Env, now = Date.now()): Promise<Record<string, "ok" | "failed">> {
  const outcome: Record<string, "ok" | "failed"> = {};
  // Retention below a promised floor (P19): no job runs, so nothing is deleted early.
  try {
    retentionPeriods(env);
  } catch (err) {
    for (const job of JOBS) outcome[job.name] = "failed";
    console.error(`scheduled jobs skipped: ${(err as Error).message}`);
    return outcome;
  }
  for (const job of JOBS) {
    try {
      await job.run(env, now);
      outcome[job.name] = "ok";
    } catch (err) {
      console.error(`scheduled job ${job.name} failed: ${(err as Error).name}`);
      outcome[job.name] = "failed";
    }
  }
  return outcome;
}
