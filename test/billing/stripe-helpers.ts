import { env, SELF } from "cloudflare:test";
import Stripe from "stripe";
import { BASE } from "../helpers/gateway";
import type { SessionUser } from "../helpers/session";

/** Test-side Stripe: signed webhook deliveries (the SDK's own test-header helper), event builders, stand-in records. */
export const WEBHOOK_SECRET = "whsec_test_standin_0123456789";
const crypto = Stripe.createSubtleCryptoProvider();
let seq = 0;
export const uid = (prefix: string) => `${prefix}_t${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

export interface TestEvent { id: string; type: string; object: Record<string, unknown> }

export function eventJson(e: TestEvent): string {
  return JSON.stringify({ id: e.id, object: "event", api_version: "2026-10-28.endive", created: Math.floor(Date.now() / 1000), type: e.type, livemode: false, data: { object: e.object } });
}

export async function signature(payload: string, opts: { secret?: string; timestamp?: number } = {}): Promise<string> {
  return Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: opts.secret ?? WEBHOOK_SECRET, timestamp: opts.timestamp, cryptoProvider: crypto });
}

export function postWebhook(body: string, sig: string | null): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  if (sig !== null) headers["stripe-signature"] = sig;
  return SELF.fetch(`${BASE}/api/billing/webhook`, { method: "POST", headers, body });
}

/** Delivers a correctly signed event; returns the HTTP status. */
export async function deliver(e: TestEvent): Promise<number> {
  const body = eventJson(e);
  const res = await postWebhook(body, await signature(body));
  await res.arrayBuffer();
  return res.status;
}

export interface Purchase { userId: string; topupId: string; sessionId: string; pi: string; charge: string; cents: number }

/** A top-up started through POST /api/billing/checkout (the stand-in creates the session); nothing is paid yet. */
export async function startTopup(user: SessionUser, amountUsd: string, pi = uid("pi")): Promise<Purchase> {
  const res = await user.fetch("/api/billing/checkout", { method: "POST", json: { amount_usd: amountUsd } });
  if (res.status !== 200) throw new Error(`checkout: ${res.status} ${await res.text()}`);
  const { checkout_id } = (await res.json()) as { checkout_id: string };
  const row = await env.DB.prepare("SELECT id, amount_cents FROM topups WHERE checkout_session_id = ?").bind(checkout_id).first<{ id: string; amount_cents: number }>();
  return { userId: user.userId, topupId: row!.id, sessionId: checkout_id, pi, charge: `ch_${pi.slice(3)}`, cents: row!.amount_cents };
}

export function sessionEvent(p: Purchase, type: string, paymentStatus: "paid" | "unpaid", id = uid("evt")): TestEvent {
  return {
    id, type,
    object: {
      id: p.sessionId, object: "checkout.session", mode: "payment", amount_total: p.cents, currency: "usd", client_reference_id: p.userId,
      metadata: { user_id: p.userId, topup_id: p.topupId }, payment_intent: p.pi, payment_status: paymentStatus, status: "complete",
    },
  };
}

export const completed = (p: Purchase, id?: string) => sessionEvent(p, "checkout.session.completed", "paid", id);

/** charge.refunded with Stripe's cumulative amount_refunded (and, optionally, the refund list). */
export function refunded(p: Purchase, cumulativeCents: number, refunds?: { id: string; amount: number }[], id = uid("evt")): TestEvent {
  return {
    id, type: "charge.refunded",
    object: {
      id: p.charge, object: "charge", amount: p.cents, amount_refunded: cumulativeCents, currency: "usd", payment_intent: p.pi, refunded: cumulativeCents === p.cents,
      ...(refunds ? { refunds: { object: "list", data: refunds.map((r) => ({ ...r, object: "refund", status: "succeeded", charge: p.charge, payment_intent: p.pi })), has_more: false } } : {}),
    },
  };
}

export function dispute(p: Purchase, disputeId: string, type: "charge.dispute.created" | "charge.dispute.closed", status: string, amountCents: number, id = uid("evt")): TestEvent {
  return { id, type, object: { id: disputeId, object: "dispute", amount: amountCents, currency: "usd", charge: p.charge, payment_intent: p.pi, status, reason: "fraudulent" } };
}

export interface StandinStripe {
  customers: { id: string; metadata: Record<string, string> }[];
  sessions: {
    id: string; metadata: Record<string, string>; amount_total: number; success_url: string; mode: string;
    requested_params: string[]; payment_intent_data: Record<string, unknown> | null;
  }[];
  refunds: { id: string; amount: number; payment_intent: string; idempotency_key: string | null }[];
  requests: { method: string; path: string; idempotency_key: string | null }[];
}

export async function standinStripe(): Promise<StandinStripe> {
  const res = await fetch(`${env.STRIPE_API_BASE}/__stats`);
  return (await res.json()) as StandinStripe;
}

export async function ledgerRows(userId: string) {
  const { results } = await env.DB.prepare("SELECT kind, amount_nano, ref FROM transactions WHERE user_id = ? ORDER BY created_at").bind(userId).all<{ kind: string; amount_nano: number; ref: string }>();
  return results;
}
