import type { Env } from "./env";

/**
 * The Cron Trigger (wrangler.toml [triggers]). Each job is independent: one failing job
 * does not stop the others, and every job is safe to run again.
 */
export type ScheduledJob = { name: string; run: (env: Env, now: number) => Promise<unknown> };

export const JOBS: ScheduledJob[] = [
];

export async function runScheduled(env: Env, now = Date.now()): Promise<Record<string, "ok" | "failed">> {
  const outcome: Record<string, "ok" | "failed"> = {};
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
