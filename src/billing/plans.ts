import type Stripe from "stripe";
import type { Env } from "../env";
import { ApiError } from "../errors";
import { formatUsd } from "../lib/money";
import { customerFor, stripeFailure } from "./stripe/checkout";

export interface PlanRow {
  id: string; name: string; stripe_price_id: string; price_cents: number; credit_nano: number;
  rpm: number | null; tpm: number | null; models: string | null; active: number; created_at: number;
}
export interface SubscriptionRow {
  id: string; user_id: string; plan_id: string | null; status: string; cancel_at_period_end: number;
  current_period_end: number | null; last_payment_error: string | null; event_at: number;
}

export const planJson = (p: PlanRow) => ({
  id: p.id, name: p.name, price_usd: formatUsd(p.price_cents * 10_000_000), monthly_credit_usd: formatUsd(p.credit_nano),
  rpm: p.rpm, tpm: p.tpm, models: p.models ? (JSON.parse(p.models) as string[]) : null, active: p.active === 1,
});

export const subscriptionJson = (s: SubscriptionRow) => ({
  id: s.id, plan_id: s.plan_id, status: s.status, cancel_at_period_end: s.cancel_at_period_end === 1,
  current_period_end: s.current_period_end === null ? null : new Date(s.current_period_end).toISOString(),
  payment_failed: s.last_payment_error !== null,
});

interface Buyer { id: string; email: string; stripeCustomerId: string | null }

/**
 * Starts a subscription: a Checkout Session in subscription mode for the plan's Stripe price,
 * collecting the billing address and tax ID on Stripe's page. The idempotency key names the user,
 * the plan and the minute, so a double click opens one session. Credit comes only from paid
 * invoices (webhook), never from here.
 */
export async function startSubscription(env: Env, stripe: Stripe, user: Buyer, planId: string, origin: string, now = Date.now()) {
  const plan = await env.DB.prepare("SELECT * FROM plans WHERE id = ? AND active = 1").bind(planId).first<PlanRow>();
  if (!plan) throw new ApiError(404, "plan_not_found", "No such plan.", { param: "plan_id" });
  const live = await env.DB.prepare("SELECT id FROM subscriptions WHERE user_id = ? AND status IN ('active', 'past_due', 'trialing')").bind(user.id).first();
  if (live) throw new ApiError(409, "already_subscribed", "This account already has a subscription: change its plan instead.");
  const customer = await customerFor(env, stripe, user).catch((err: unknown) => { throw stripeFailure(err); });
  const metadata = { user_id: user.id, plan_id: plan.id };
  const session = await stripe.checkout.sessions.create({
    mode: "subscription", customer, client_reference_id: user.id, line_items: [{ price: plan.stripe_price_id, quantity: 1 }],
    metadata, subscription_data: { metadata }, billing_address_collection: "required", tax_id_collection: { enabled: true },
    customer_update: { address: "auto", name: "auto" },
    success_url: `${origin}/billing?subscription=started`, cancel_url: `${origin}/billing?subscription=cancelled`,
  }, { idempotencyKey: `subscribe-${user.id}-${plan.id}-${Math.floor(now / 60_000)}` }).catch((err: unknown) => { throw stripeFailure(err); });
  if (!session.url) throw new ApiError(502, "payment_provider_error", "The payment provider returned no checkout page.");
  return { checkoutId: session.id, url: session.url };
}

/** Adds a plan; answers false when a plan with this id or Stripe price exists (nothing written). */
export async function insertPlan(env: Env, row: PlanRow): Promise<boolean> {
  const res = await env.DB.prepare(`INSERT OR IGNORE INTO plans (id, name, stripe_price_id, price_cents, credit_nano, rpm, tpm, models, active, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`).bind(row.id, row.name, row.stripe_price_id, row.price_cents, row.credit_nano, row.rpm, row.tpm, row.models, row.created_at).run();
  return res.meta.changes > 0;
}

/** Every plan, active or not, oldest first. */
export async function listPlans(env: Env): Promise<PlanRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM plans ORDER BY created_at").all<PlanRow>();
  return results;
}

/** The plans on sale, cheapest first. */
export async function listActivePlans(env: Env): Promise<PlanRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM plans WHERE active = 1 ORDER BY price_cents").all<PlanRow>();
  return results;
}

/** The user's subscription to show: a live one before a canceled one, newest first; null when none. */
export async function latestSubscription(env: Env, userId: string): Promise<SubscriptionRow | null> {
  return env.DB.prepare("SELECT * FROM subscriptions WHERE user_id = ? ORDER BY (status = 'canceled'), event_at DESC LIMIT 1").bind(userId).first<SubscriptionRow>();
}
