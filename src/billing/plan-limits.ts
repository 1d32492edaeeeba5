import { accountStub } from "../account/client";
import type { PlanLimitsPush } from "../account/plan-limits";
import type { Env } from "../env";

/** The subscription statuses that carry a plan's limits, as for "already subscribed" (./plans.ts). */
export const LIVE_STATUSES = ["active", "trialing", "past_due"] as const;

export interface LiveRow { plan_id: string | null; rpm: number | null; tpm: number | null; models: string | null; newest: number | null }

/**
 * The user's plan limits as D1 has them: the newest live subscription's plan (or none), and the
 * newest event time among the user's subscriptions (event_at only grows, so this time only grows).
 * Run in the same batch as the subscription's update, so it reads what that update wrote.
 */
export function planLimitsQuery(env: Env, userId: string): D1PreparedStatement {
  const live = LIVE_STATUSES.map((s) => `'${s}'`).join(", ");
  return env.DB.prepare(`SELECT live.plan_id, p.rpm, p.tpm, p.models, (SELECT max(event_at) FROM subscriptions WHERE user_id = ?) AS newest
    FROM (SELECT 1) LEFT JOIN (SELECT plan_id FROM subscriptions WHERE user_id = ? AND plan_id IS NOT NULL AND status IN (${live}) ORDER BY event_at DESC LIMIT 1) live
    LEFT JOIN plans p ON p.id = live.plan_id`).bind(userId, userId);
}

/**
 * Pushes those limits into the wallet's Durable Object, so admission never reads D1. The wallet
 * keeps a push only if it is not older than the one it has, so a push computed from older facts
 * never overrides a newer one, and a repeat is a no-op.
 */
export async function pushPlanLimits(env: Env, userId: string, row: LiveRow | undefined): Promise<PlanLimitsPush> {
  const push: PlanLimitsPush = {
    planId: row?.plan_id ?? null, rpm: row?.rpm ?? null, tpm: row?.tpm ?? null,
    models: row?.models ? (JSON.parse(row.models) as string[]) : null, eventAt: row?.newest ?? 0,
  };
  await accountStub(env, userId).setPlanLimits(push);
  return push;
}
