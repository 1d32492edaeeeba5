import type Stripe from "stripe";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { LIVE_STATUSES } from "./plan-limits";
import type { PlanRow, SubscriptionRow } from "./plans";
import { stripeFailure } from "./stripe/checkout";

/**
 * Cancel at period end, resume, and change plan: each asks Stripe, and only Stripe. The stored
 * status, plan and limits change when the webhook reports the result (src/billing/stripe/events/
 * subscription.ts), and plan credit still comes only from paid invoices. Each acts on the caller's
 * own live subscription (found by their user id), so nobody can name another user's.
 *
 * Idempotency keys name the action, the subscription, the target and the stored state's event time:
 * a double click or a retry is one Stripe request, and once the webhook has moved the state on, the
 * next request is a new one.
 */
async function liveSubscription(env: Env, userId: string): Promise<SubscriptionRow> {
  const live = LIVE_STATUSES.map((s) => `'${s}'`).join(", ");
  const row = await env.DB.prepare(`SELECT * FROM subscriptions WHERE user_id = ? AND status IN (${live}) ORDER BY event_at DESC LIMIT 1`)
    .bind(userId).first<SubscriptionRow>();
  if (!row) throw new ApiError(404, "no_subscription", "This account has no active subscription.");
  return row;
}

const keyFor = (action: string, s: SubscriptionRow, target = "") => `sub-${action}-${s.id}-${target}-${s.event_at}`;

/** Sets or clears cancel_at_period_end on the user's live subscription. */
export async function setCancelAtPeriodEnd(env: Env, stripe: Stripe, userId: string, cancel: boolean) {
  const sub = await liveSubscription(env, userId);
  const updated = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: cancel }, { idempotencyKey: keyFor(cancel ? "cancel" : "resume", sub) })
    .catch((err: unknown) => { throw stripeFailure(err); });
  return { id: updated.id, status: updated.status, cancel_at_period_end: updated.cancel_at_period_end };
}

/**
 * Moves the user's live subscription to another active plan: the subscription item's price is
 * swapped with Stripe's proration, invoiced at once (`always_invoice`), and applied only if that
 * invoice is paid (`pending_if_incomplete`), so an unpaid upgrade never gets the better plan.
 */
export async function changePlan(env: Env, stripe: Stripe, userId: string, planId: string) {
  const plan = await env.DB.prepare("SELECT * FROM plans WHERE id = ? AND active = 1").bind(planId).first<PlanRow>();
  if (!plan) throw new ApiError(404, "plan_not_found", "No such plan.", { param: "plan_id" });
  const sub = await liveSubscription(env, userId);
  if (sub.plan_id === plan.id) throw new ApiError(409, "already_on_plan", "The subscription is already on this plan.", { param: "plan_id" });
  // The item to swap: Stripe's own record, not ours (a read: Stripe takes no idempotency key on GET).
  const current = await stripe.subscriptions.retrieve(sub.id).catch((err: unknown) => { throw stripeFailure(err); });
  const item = current.items.data[0];
  if (!item) throw new ApiError(409, "subscription_has_no_item", "The subscription has no item to change.");
  const updated = await stripe.subscriptions.update(sub.id, {
    items: [{ id: item.id, price: plan.stripe_price_id }],
    proration_behavior: "always_invoice", payment_behavior: "pending_if_incomplete",
  }, { idempotencyKey: keyFor("change", sub, plan.id) }).catch((err: unknown) => { throw stripeFailure(err); });
  return { id: updated.id, status: updated.status, plan_id: plan.id, pending: updated.pending_update != null };
}
