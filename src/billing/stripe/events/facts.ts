import type { DisputeState } from "../../../account/payments";
import type { Env } from "../../../env";
import { accountStub } from "../../../account/client";
import { fromCents } from "../../topup-config";
import type { TopupRow } from "../checkout";

/**
 * What a refund or dispute event means for one payment, reduced to ids and amounts (no card or
 * customer details). A fact for a payment we cannot match yet (its checkout.session.completed has
 * not arrived) is kept in stripe_deferred and applied when the payment is matched.
 */
export type PaymentFact =
  | { type: "refund"; payment: string; charge: string; cumulativeCents: number; refunds: { id: string; amountCents: number }[] }
  | { type: "dispute"; payment: string; dispute: string; state: DisputeState; amountCents: number };

/** A Stripe field that is an id or, when expanded, an object with one. */
export const idOf = (v: string | { id: string } | null | undefined): string | null => (v == null ? null : typeof v === "string" ? v : v.id);

export function topupByPayment(env: Env, paymentIntentId: string): Promise<TopupRow | null> {
  return env.DB.prepare("SELECT * FROM topups WHERE payment_intent_id = ?").bind(paymentIntentId).first<TopupRow>();
}

/**
 * Refunds of one payment, as a running total in the user's Durable Object: `parts` are refunds
 * known by id, `reportedCents` is Stripe's cumulative amount_refunded. Only what is not in the
 * ledger yet is debited, so the operator path and the webhook never debit one refund twice.
 */
export async function applyRefund(
  env: Env, topup: TopupRow, input: { ref: string; reportedCents?: number; parts: { id: string; amountCents: number }[] },
) {
  const payment = topup.payment_intent_id!;
  const result = await accountStub(env, topup.user_id).applyCumulative(topup.user_id, {
    kind: "refund", key: `refund:${payment}`, ref: input.ref, afterRef: payment,
    reportedNano: input.reportedCents === undefined ? undefined : fromCents(input.reportedCents),
    parts: input.parts.map((p) => ({ id: p.id, amountNano: fromCents(p.amountCents) })),
    note: `Refund of Stripe payment ${payment}`,
  });
  await env.DB.prepare("UPDATE topups SET amount_refunded_nano = max(amount_refunded_nano, ?), updated_at = ? WHERE id = ?")
    .bind(result.targetNano, Date.now(), topup.id).run();
  return result;
}

export async function applyFact(env: Env, topup: TopupRow, fact: PaymentFact): Promise<void> {
  if (fact.type === "refund") {
    await applyRefund(env, topup, { ref: `chargerefund:${fact.charge}:${fact.cumulativeCents}`, reportedCents: fact.cumulativeCents, parts: fact.refunds });
    return;
  }
  const amountNano = fromCents(fact.amountCents);
  const { state } = await accountStub(env, topup.user_id).disputeChanged(topup.user_id, {
    disputeId: fact.dispute, state: fact.state, amountNano, afterRef: fact.payment, note: `Lost card dispute ${fact.dispute}`,
  });
  if (state === "lost") {
    await env.DB.prepare("UPDATE topups SET amount_disputed_nano = max(amount_disputed_nano, ?), updated_at = ? WHERE id = ?")
      .bind(amountNano, Date.now(), topup.id).run();
  }
}

/**
 * Applies a fact now, or keeps it for later. The two sides write before they read (here: the
 * deferred fact, then the top-up's payment id; on completion: the payment id, then the deferred
 * facts), so whichever reads last sees the other's write and no fact is left behind.
 */
export async function routeFact(env: Env, eventId: string, fact: PaymentFact, now = Date.now()): Promise<"applied" | "deferred"> {
  let topup = await topupByPayment(env, fact.payment);
  if (!topup) {
    await env.DB.prepare("INSERT OR IGNORE INTO stripe_deferred (event_id, payment_intent_id, fact, created_at) VALUES (?, ?, ?, ?)")
      .bind(eventId, fact.payment, JSON.stringify(fact), now).run();
    topup = await topupByPayment(env, fact.payment);
    if (!topup) return "deferred";
  }
  await applyFact(env, topup, fact);
  return "applied";
}

/** After a payment is matched to its top-up: applies the facts that came before it (each is idempotent). */
export async function releaseDeferred(env: Env, topup: TopupRow): Promise<number> {
  const { results } = await env.DB.prepare("SELECT event_id, fact FROM stripe_deferred WHERE payment_intent_id = ? ORDER BY created_at")
    .bind(topup.payment_intent_id).all<{ event_id: string; fact: string }>();
  for (const row of results) {
    await applyFact(env, topup, JSON.parse(row.fact) as PaymentFact);
    await env.DB.prepare("UPDATE stripe_deferred SET applied_at = coalesce(applied_at, ?) WHERE event_id = ?").bind(Date.now(), row.event_id).run();
  }
  return results.length;
}
