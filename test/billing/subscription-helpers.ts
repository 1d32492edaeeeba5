import { env } from "cloudflare:test";
import { expect } from "vitest";
import { account, admin } from "../helpers/gateway";
import { signedInUser } from "../helpers/session";
import { postWebhook, signature, uid } from "./stripe-helpers";

export const DAY = 86_400;
export interface Plan { id: string; price: string; creditNano: number }

/** A plan defined through the operator API, with its own Stripe price id (and optional rpm, tpm, models). */
export async function createPlan(creditUsd: string, priceUsd = "20.00", limits: { rpm?: number; tpm?: number; models?: string[] } = {}): Promise<Plan> {
  const id = uid("plan").toLowerCase().replace(/_/g, "-");
  const price = uid("price");
  const res = await admin("/plans", { method: "POST", json: { id, name: `Plan ${creditUsd}`, stripe_price_id: price, price_usd: priceUsd, monthly_credit_usd: creditUsd, ...limits } });
  expect(res.status, await res.clone().text()).toBe(201);
  return { id, price, creditNano: Math.round(Number(creditUsd) * 100) * 10_000_000 };
}

/** A signed-in user who already has a Stripe customer (as the subscribe route creates). */
export async function subscriber() {
  const user = await signedInUser("0");
  const customer = uid("cus");
  await env.DB.prepare("UPDATE users SET stripe_customer_id = ? WHERE id = ?").bind(customer, user.userId).run();
  return { user, customer, sub: uid("sub") };
}

export interface Ev { id: string; type: string; created: number; object: Record<string, unknown> }

/** Delivers an event (with its own `created`, which orders subscription updates) `times` times at once; every answer must be 200. */
export async function send(e: Ev, times = 1): Promise<void> {
  const body = JSON.stringify({ id: e.id, object: "event", api_version: "2026-10-28.endive", created: e.created, type: e.type, livemode: false, data: { object: e.object } });
  const statuses = await Promise.all(Array.from({ length: times }, async () => {
    const res = await postWebhook(body, await signature(body));
    await res.arrayBuffer();
    return res.status;
  }));
  expect(statuses).toEqual(statuses.map(() => 200));
}

export function subscriptionEvent(type: string, s: { sub: string; customer: string }, price: string, created: number, extra: { status?: string; cancel?: boolean; periodEnd?: number } = {}): Ev {
  return {
    id: uid("evt"), type, created,
    object: {
      id: s.sub, object: "subscription", customer: s.customer, status: extra.status ?? "active", cancel_at_period_end: extra.cancel ?? false,
      items: { object: "list", data: [{ id: uid("si"), price: { id: price }, current_period_end: extra.periodEnd ?? created + 30 * DAY }] },
    },
  };
}

/** An invoice event in Stripe's current shape (parent.subscription_details, lines[].pricing.price_details). */
export function invoiceEvent(type: "invoice.paid" | "invoice.payment_failed", s: { sub: string; customer: string }, invoice: string, created: number, lines: { amount: number; price: string; start: number; end: number }[]): Ev {
  return {
    id: uid("evt"), type, created,
    object: {
      id: invoice, object: "invoice", customer: s.customer, status: type === "invoice.paid" ? "paid" : "open",
      amount_paid: type === "invoice.paid" ? lines.reduce((n, l) => n + l.amount, 0) : 0,
      parent: { type: "subscription_details", subscription_details: { subscription: s.sub } },
      lines: { object: "list", data: lines.map((l) => ({ amount: l.amount, period: { start: l.start, end: l.end }, pricing: { price_details: { price: l.price } } })) },
    },
  };
}

export async function planRows(userId: string) {
  return (await account(userId).ledger(500)).filter((e) => e.kind === "plan_credit" || e.kind === "plan_expiry").map((e) => ({ kind: e.kind, amountNano: e.amountNano, ref: e.ref }));
}

export async function subscriptionOf(userId: string) {
  return env.DB.prepare("SELECT plan_id, status, cancel_at_period_end, last_payment_error FROM subscriptions WHERE user_id = ?").bind(userId)
    .first<{ plan_id: string | null; status: string; cancel_at_period_end: number; last_payment_error: string | null }>();
}

export function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

export interface StandinSubscription { id: string; customer: string; cancel_at_period_end: boolean; items: { data: { id: string; price: { id: string } }[] } }
export interface SubscriptionUpdate { subscription: string; params: Record<string, unknown>; idempotency_key: string | null }

/**
 * A subscription that exists at the Stripe stand-in (as Checkout would have created it), announced
 * to the gateway by its signed customer.subscription.created event.
 */
export async function liveSubscription(customer: string, price: string, created = Math.floor(Date.now() / 1000)): Promise<StandinSubscription> {
  const res = await fetch(`${env.STRIPE_API_BASE}/v1/subscriptions`, {
    method: "POST", headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ customer, "items[0][price]": price }),
  });
  expect(res.status).toBe(200);
  const sub = (await res.json()) as StandinSubscription;
  await send(subscriptionEvent("customer.subscription.created", { sub: sub.id, customer }, price, created));
  return sub;
}

/** The updates the stand-in received for one subscription, in order. */
export async function updatesOf(subscriptionId: string): Promise<SubscriptionUpdate[]> {
  const stats = (await (await fetch(`${env.STRIPE_API_BASE}/__stats`)).json()) as { subscription_updates: SubscriptionUpdate[] };
  return stats.subscription_updates.filter((u) => u.subscription === subscriptionId);
}

/** Now, in Stripe's seconds. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The two plans the change tests move between: basic (5.00 credit, 10.00 a month) and pro (12.00, 25.00). */
export async function basicAndPro(): Promise<{ basic: Plan; pro: Plan }> {
  return { basic: await createPlan("5.00", "10.00"), pro: await createPlan("12.00", "25.00") };
}
