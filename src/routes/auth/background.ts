import type { Context } from "hono";
import { deliverDue } from "../../email/deliver";
import type { BaseEnv, Env } from "../../env";

/** Runs work after the response (waitUntil). Failures are only logged: queued mail stays queued for the cron. */
export function afterResponse<E extends BaseEnv>(c: Context<E>, work: Promise<unknown>): void {
  const guarded = work.catch((err: Error) => console.error(`background work failed: ${err.name}`));
  try {
    c.executionCtx.waitUntil(guarded);
  } catch {
    // No execution context (the app called without one): the promise still runs on its own.
  }
}

/** Sends the mail just queued right after the response; the cron picks up anything that fails. */
export function sendQueuedMail<E extends BaseEnv>(c: Context<E>): void {
  afterResponse(c, deliverDue(c.env));
}

/**
 * Runs `work` (which queues mail) after the response, then sends what it queued. For answers that
 * must not reveal by their timing whether the work happened at all (password reset).
 */
export function queueAfterResponse<E extends BaseEnv>(c: Context<E>, work: () => Promise<void>): void {
  afterResponse(c, work().then(() => deliverDue(c.env)));
}
