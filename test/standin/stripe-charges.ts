// Off-session PaymentIntents (auto top-up) for the Stripe stand-in; see README.md, "Stripe".
import { randomBytes } from "node:crypto";

type Obj = Record<string, unknown>;

/** Every PaymentIntent created, in order (tests count the charges). */
export const paymentIntents: Obj[] = [];

/**
 * POST /v1/payment_intents with confirm=true: succeeds at once, except that a payment method
 * starting `pm_fail_` is declined as a card_error (402), as Stripe does for an off-session
 * charge the bank refuses. The caller's idempotency key is answered by stripe.ts's reply cache.
 */
export function createPaymentIntent(p: Obj): { status: number; body: unknown } {
  const pm = String(p.payment_method ?? "");
  const amount = Number(p.amount);
  if (!Number.isInteger(amount) || amount <= 0 || !p.customer || !pm) {
    return { status: 400, body: { error: { type: "invalid_request_error", code: "parameter_missing", message: "amount, customer and payment_method are required." } } };
  }
  const pi: Obj = {
    id: `pi_test_${randomBytes(12).toString("hex")}`, object: "payment_intent", amount, currency: p.currency ?? "usd", customer: p.customer,
    payment_method: pm, off_session: p.off_session === "true", confirm: p.confirm === "true", metadata: p.metadata ?? {},
    status: pm.startsWith("pm_fail_") ? "requires_payment_method" : "succeeded",
  };
  paymentIntents.push(pi);
  if (pm.startsWith("pm_fail_")) {
    return { status: 402, body: { error: { type: "card_error", code: "card_declined", decline_code: "insufficient_funds", message: "Your card was declined.", payment_intent: pi } } };
  }
  return { status: 200, body: pi };
}

/** What the hosted page collects when a session asks for billing details (tax_id_collection). */
export const STANDIN_BILLING_DETAILS = {
  name: "Stand-in Buyer", business_name: "Stand-in Buyer Ltd", email: null,
  address: { line1: "1 Test Street", line2: null, postal_code: "10115", city: "Berlin", state: null, country: "DE" },
  tax_ids: [{ type: "eu_vat", value: "DE123456789" }], tax_exempt: "none",
};

/** The charge of a paid session, as charge.succeeded reports it: the card's brand and last 4 only. */
export function standinCharge(paymentIntent: string, amount: number): Obj {
  return {
    id: `ch_${paymentIntent.slice(3)}`, object: "charge", amount, currency: "usd", payment_intent: paymentIntent, status: "succeeded", paid: true,
    payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2030, country: "US" } },
  };
}
