import type { Env } from "../env";
import { stripeClient } from "../lib/stripe-client";
import { chargeSucceeded, failCharge, type PendingCharge } from "./auto-topup";
import { creditPurchase } from "./payments";

const NANO_PER_CENT = 10_000_000;

export type ChargeOutcome = { kind: "paid"; paymentIntentId: string } | { kind: "declined"; reason: string } | { kind: "retry" };

/** Stripe's error class name and code, read without depending on the SDK's class identity. */
function stripeFailure(err: unknown): { type: string; code: string } {
  const e = err as { type?: unknown; code?: unknown };
  return { type: typeof e.type === "string" ? e.type : "", code: typeof e.code === "string" ? e.code : "" };
}

/**
 * One off-session charge of the saved payment method. The idempotency key is the charge's own id
 * (`autotopup-atp_<ledger entry>`), so a retry after a lost answer, or two alarms racing, charge
 * once. A card error or an invalid request is final (the caller turns auto top-up off); a network
 * failure, a 5xx or a payment still processing is asked again later with the same key.
 */
export async function askStripe(env: Env, userId: string, charge: PendingCharge): Promise<ChargeOutcome> {
  const stripe = stripeClient(env);
  if (!stripe) return { kind: "declined", reason: "not_configured" };
  try {
    const pi = await stripe.paymentIntents.create({
      amount: charge.amountNano / NANO_PER_CENT, currency: "usd", customer: charge.customerId, payment_method: charge.paymentMethodId,
      off_session: true, confirm: true, metadata: { user_id: userId, auto_topup_id: charge.id },
    }, { idempotencyKey: `autotopup-${charge.id}` });
    if (pi.status === "succeeded") return { kind: "paid", paymentIntentId: pi.id };
    if (pi.status === "processing") return { kind: "retry" };
    return { kind: "declined", reason: pi.status };
  } catch (err) {
    const { type, code } = stripeFailure(err);
    if (type === "StripeCardError" || type === "StripeInvalidRequestError") return { kind: "declined", reason: code || type };
    return { kind: "retry" };
  }
}

/**
 * Stripe's answer, recorded in one synchronous step: a paid charge is a `purchase` (ref = the
 * charge id, the payment intent as its alias, so refunds and disputes find it) and an email; a
 * declined one turns auto top-up off and says so. Safe to apply twice.
 */
export function applyOutcome(sql: SqlStorage, userId: string, charge: PendingCharge, outcome: ChargeOutcome, now: number): void {
  if (outcome.kind === "retry") return;
  if (outcome.kind === "declined") {
    failCharge(sql, userId, charge, outcome.reason, now);
    return;
  }
  const { entry } = creditPurchase(sql, userId, { ref: charge.id, amountNano: charge.amountNano, note: "auto top-up", aliases: [outcome.paymentIntentId] }, now);
  chargeSucceeded(sql, userId, charge, outcome.paymentIntentId, entry.balanceAfterNano, now);
}
