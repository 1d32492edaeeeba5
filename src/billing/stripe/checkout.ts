import type Stripe from "stripe";
import type { Env } from "../../env";
import { ApiError } from "../../errors";
import { newId } from "../../lib/ids";
import { toCents } from "../topup-config";

export interface TopupRow {
  /** user_id: the wallet credited, a user's or, for an organization's top-up, the organization's id (o…). */
  id: string; user_id: string; checkout_session_id: string | null; payment_intent_id: string | null; amount_cents: number;
  amount_credited_nano: number; amount_refunded_nano: number; amount_disputed_nano: number;
  status: "pending" | "paid" | "failed" | "expired"; created_at: number; updated_at: number; paid_at: number | null;
}

interface Buyer { id: string; email: string; stripeCustomerId: string | null }

/**
 * One Stripe customer per user, kept in users.stripe_customer_id. The create call's idempotency
 * key is derived from the user id, so concurrent first top-ups end with the same customer.
 */
export async function customerFor(env: Env, stripe: Stripe, user: Buyer): Promise<string> {
  if (user.stripeCustomerId) return user.stripeCustomerId;
  const customer = await stripe.customers.create(
    { email: user.email, metadata: { user_id: user.id } },
    { idempotencyKey: `customer-${user.id}` },
  );
  await env.DB.prepare("UPDATE users SET stripe_customer_id = ? WHERE id = ? AND stripe_customer_id IS NULL").bind(customer.id, user.id).run();
  const row = await env.DB.prepare("SELECT stripe_customer_id FROM users WHERE id = ?").bind(user.id).first<{ stripe_customer_id: string | null }>();
  return row?.stripe_customer_id ?? customer.id;
}

/** An organization's top-up: the wallet credited (the org id) and the dashboard page the buyer returns to. */
export interface CheckoutFor { walletId: string; returnPath: string }

/**
 * Starts a top-up: our row first (status pending, so the webhook always finds it), then a Checkout
 * Session in payment mode whose metadata names the user and the top-up. The session's idempotency
 * key is the top-up id. Credit is added only by the webhook (./webhook.ts), never here.
 * With `forWallet` (an organization's top-up, paid by the member `user`), the row's user_id is the
 * organization's wallet id and the metadata names it as wallet_id besides the buyer's user_id; the
 * webhook credits the row's wallet and only when the metadata's wallet agrees (events/checkout.ts).
 */
export async function startCheckout(env: Env, stripe: Stripe, user: Buyer, amountNano: number, origin: string, now = Date.now(), forWallet?: CheckoutFor) {
  const customer = await customerFor(env, stripe, user).catch((err: unknown) => { throw stripeFailure(err); });
  const topupId = newId("top_", now);
  const cents = toCents(amountNano);
  const walletId = forWallet?.walletId ?? user.id;
  await env.DB.prepare(
    "INSERT INTO topups (id, user_id, amount_cents, status, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)",
  ).bind(topupId, walletId, cents, now, now).run();
  const metadata: Record<string, string> = forWallet ? { user_id: user.id, wallet_id: walletId, topup_id: topupId } : { user_id: user.id, topup_id: topupId };
  const back = forWallet ? `${origin}${forWallet.returnPath}${forWallet.returnPath.includes("?") ? "&" : "?"}checkout=` : null;
  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create({
      mode: "payment",
      customer,
      client_reference_id: walletId,
      line_items: [{ quantity: 1, price_data: { currency: "usd", unit_amount: cents, product_data: { name: "API credits" } } }],
      metadata,
      payment_intent_data: { metadata },
      // Billing details for the receipt (company, address, tax ID), collected on Stripe's page.
      billing_address_collection: "required", tax_id_collection: { enabled: true }, customer_update: { address: "auto", name: "auto" },
      success_url: back ? `${back}{CHECKOUT_SESSION_ID}` : `${origin}/billing/success?checkout={CHECKOUT_SESSION_ID}`,
      cancel_url: back ? `${back}cancelled` : `${origin}/billing?checkout=cancelled`,
    }, { idempotencyKey: `checkout-${topupId}` });
  } catch (err) {
    await env.DB.prepare("UPDATE topups SET status = 'failed', updated_at = ? WHERE id = ?").bind(Date.now(), topupId).run();
    throw stripeFailure(err);
  }
  await env.DB.prepare("UPDATE topups SET checkout_session_id = ?, updated_at = ? WHERE id = ?").bind(session.id, Date.now(), topupId).run();
  if (!session.url) throw new ApiError(502, "payment_provider_error", "The payment provider returned no checkout page.");
  return { checkoutId: session.id, url: session.url, topupId };
}

/** A Stripe failure as our error; Stripe's message is not shown (it may describe our configuration). */
export function stripeFailure(err: unknown): ApiError {
  const code = (err as { code?: string }).code;
  console.error(`stripe call failed: ${(err as Error).name}${code ? ` (${code})` : ""}`);
  return new ApiError(502, "payment_provider_error", "The payment provider could not be reached or refused the request; nothing was charged. Try again.");
}

/** The top-up a Checkout Session started for this wallet (a user's or an organization's id); null when it is another's or unknown. */
export async function findWalletCheckout(env: Env, checkoutSessionId: string, walletId: string): Promise<TopupRow | null> {
  return env.DB.prepare("SELECT * FROM topups WHERE checkout_session_id = ? AND user_id = ?").bind(checkoutSessionId, walletId).first<TopupRow>();
}
