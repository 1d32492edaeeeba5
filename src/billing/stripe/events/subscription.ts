import { z } from "zod";
import type { Env } from "../../../env";
import { type LiveRow, planLimitsQuery, pushPlanLimits } from "../../plan-limits";

const item = z.looseObject({ price: z.looseObject({ id: z.string() }), current_period_end: z.number().nullish() });
const subscription = z.looseObject({
  id: z.string(),
  customer: z.union([z.string(), z.looseObject({ id: z.string() })]).transform((v) => (typeof v === "string" ? v : v.id)),
  status: z.string(),
  cancel_at_period_end: z.boolean().nullish(),
  current_period_end: z.number().nullish(),
  items: z.looseObject({ data: z.array(item) }),
});

/**
 * customer.subscription.created / updated / deleted: the subscription's plan, status, period end
 * and cancel-at-period-end, newest event wins (`event_at`, which only grows); `canceled` is final.
 * Then the user's plan limits, as D1 now has them, go to the wallet (../../plan-limits.ts). Credit
 * never moves here: only paid invoices grant plan credit.
 */
export async function onSubscription(env: Env, type: string, raw: unknown, eventAt: number): Promise<string> {
  const s = subscription.parse(raw);
  const first = s.items.data[0];
  // The user and the plan in one round trip (a price no plan has: plan_id null).
  const user = await env.DB.prepare("SELECT id, (SELECT id FROM plans WHERE stripe_price_id = ?) AS plan_id FROM users WHERE stripe_customer_id = ?")
    .bind(first?.price.id ?? null, s.customer).first<{ id: string; plan_id: string | null }>();
  if (!user) return "ignored";
  const status = type === "customer.subscription.deleted" ? "canceled" : s.status;
  const periodEnd = (first?.current_period_end ?? s.current_period_end ?? null);
  const upsert = env.DB.prepare(`INSERT INTO subscriptions (id, user_id, plan_id, status, cancel_at_period_end, current_period_end, event_at) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET plan_id = excluded.plan_id, status = excluded.status, cancel_at_period_end = excluded.cancel_at_period_end,
      current_period_end = excluded.current_period_end, event_at = max(excluded.event_at, subscriptions.event_at)
    WHERE subscriptions.status <> 'canceled' AND (excluded.status = 'canceled' OR excluded.event_at >= subscriptions.event_at)`)
    .bind(s.id, user.id, user.plan_id, status, s.cancel_at_period_end ? 1 : 0, periodEnd === null ? null : periodEnd * 1000, eventAt);
  const [, limits] = await env.DB.batch<LiveRow>([upsert, planLimitsQuery(env, user.id)]);
  await pushPlanLimits(env, user.id, limits?.results[0]);
  return `subscription_${status}`;
}
