import type Stripe from "stripe";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { stripeCrypto, stripeWebhooks } from "./client";
import { onCheckoutSession } from "./events/checkout";
import { onDispute } from "./events/dispute";
import { onInvoicePaid, onInvoicePaymentFailed } from "./events/invoice";
import { onChargeSucceeded, recordBillingDetails } from "./events/payment-details";
import { onPaymentMethodAttached } from "./events/payment-method";
import { onSubscription } from "./events/subscription";
import { onChargeRefunded } from "./events/refund";

/** Stripe's default: a signature older than 300 s is refused (replay protection). */
const TOLERANCE_SECONDS = 300;

/**
 * Verifies the Stripe-Signature header over the raw body (HMAC-SHA256 with the endpoint secret,
 * Web Crypto) and the timestamp tolerance. Nothing is read from the body before this succeeds.
 */
export async function verifyEvent(env: Env, rawBody: string, signature: string | undefined): Promise<Stripe.Event> {
  const secret = env.STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new ApiError(503, "webhook_not_configured", "The Stripe webhook is not configured (STRIPE_WEBHOOK_SECRET is not set).");
  if (!signature) throw new ApiError(400, "invalid_signature", "Missing Stripe-Signature header.");
  try {
    return await stripeWebhooks.constructEventAsync(rawBody, signature, secret, TOLERANCE_SECONDS, stripeCrypto);
  } catch {
    throw new ApiError(400, "invalid_signature", "The Stripe signature does not match this body, or it is too old.");
  }
}

async function dispatch(env: Env, event: Stripe.Event): Promise<string> {
  switch (event.type) {
    case "checkout.session.completed":
      await recordBillingDetails(env, event.data.object);
      return onCheckoutSession(env, event.type, event.data.object);
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
    case "checkout.session.expired":
      return onCheckoutSession(env, event.type, event.data.object);
    case "charge.refunded":
      return onChargeRefunded(env, event.id, event.data.object);
    case "charge.dispute.created":
    case "charge.dispute.closed":
      return onDispute(env, event.id, event.type, event.data.object);
    case "charge.succeeded":
      return onChargeSucceeded(env, event.data.object);
    case "payment_method.attached":
      return onPaymentMethodAttached(env, event.data.object);
    case "invoice.paid":
      return onInvoicePaid(env, event.data.object);
    case "invoice.payment_failed":
      return onInvoicePaymentFailed(env, event.data.object);
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
      return onSubscription(env, event.type, event.data.object, event.created * 1000);
    default:
      return "ignored";
  }
}

/**
 * Handles one verified event. An event already in stripe_events answers at once; otherwise it is
 * processed and then recorded. Processing is idempotent by itself (ledger refs), so a redelivery
 * racing the first delivery, or a retry after a failure half-way, changes nothing twice. A failure
 * throws (500), and Stripe delivers the event again later.
 */
export async function handleEvent(env: Env, event: Stripe.Event, now = Date.now()): Promise<{ outcome: string; duplicate: boolean }> {
  const seen = await env.DB.prepare("SELECT 1 AS x FROM stripe_events WHERE id = ?").bind(event.id).first();
  if (seen) return { outcome: "duplicate", duplicate: true };
  const outcome = await dispatch(env, event);
  await env.DB.prepare("INSERT OR IGNORE INTO stripe_events (id, type, processed_at) VALUES (?, ?, ?)").bind(event.id, event.type, now).run();
  return { outcome, duplicate: false };
}
