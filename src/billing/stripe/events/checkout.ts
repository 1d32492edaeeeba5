import type Stripe from "stripe";
import type { Env } from "../../../env";
import { accountStub } from "../../../account/client";
import { fromCents } from "../../topup-config";
import type { TopupRow } from "../checkout";
import { idOf, releaseDeferred } from "./facts";

/**
 * The top-up a session belongs to: by our metadata, checked against the session id and the wallet.
 * The wallet credited is always the row's (written when we started the checkout); the metadata's
 * wallet (wallet_id for an organization's top-up, else user_id) must agree with it, so a session of
 * organization A never credits organization B nor the paying member's own wallet.
 */
async function topupFor(env: Env, session: Stripe.Checkout.Session): Promise<TopupRow | null> {
  const byMeta = session.metadata?.topup_id
    ? await env.DB.prepare("SELECT * FROM topups WHERE id = ?").bind(session.metadata.topup_id).first<TopupRow>()
    : null;
  const row = byMeta ?? await env.DB.prepare("SELECT * FROM topups WHERE checkout_session_id = ?").bind(session.id).first<TopupRow>();
  if (!row) return null;
  if (row.checkout_session_id && row.checkout_session_id !== session.id) return null;
  const wallet = session.metadata?.wallet_id ?? session.metadata?.user_id;
  if (wallet && wallet !== row.user_id) return null;
  return row;
}

/**
 * Credits a paid session once. One top-up has one identity, its checkout session id, whatever
 * event credits it (completed or async_payment_succeeded) and whether that event names the
 * payment intent yet (it may be null): the Durable Object credits kind "purchase" with ref = the
 * session id (idempotent, so concurrent deliveries credit once) and records the payment intent as
 * an alias, which refund and dispute events name. The payment intent is stored first (those events
 * find the user by it), then facts that arrived early are applied.
 */
async function fulfil(env: Env, topup: TopupRow, session: Stripe.Checkout.Session, now: number): Promise<"credited" | "ignored"> {
  const payment = idOf(session.payment_intent);
  const cents = session.amount_total ?? topup.amount_cents;
  if ((session.currency ?? "usd").toLowerCase() !== "usd" || !Number.isSafeInteger(cents) || cents <= 0) {
    // Not a session we created (we only create positive USD sessions): nothing to credit. Answering
    // 500 would only make Stripe deliver it again for days, so the top-up is marked failed instead.
    console.error(`checkout ${session.id}: not credited, unexpected amount or currency`);
    await env.DB.prepare("UPDATE topups SET status = 'failed', updated_at = ? WHERE id = ? AND status = 'pending'").bind(now, topup.id).run();
    return "ignored";
  }
  await env.DB.prepare("UPDATE topups SET checkout_session_id = ?, payment_intent_id = coalesce(?, payment_intent_id), updated_at = ? WHERE id = ?")
    .bind(session.id, payment, now, topup.id).run();
  const known = payment ?? topup.payment_intent_id;
  const { entry } = await accountStub(env, topup.user_id).creditPurchase(topup.user_id, {
    ref: session.id, aliases: known ? [known] : [], amountNano: fromCents(cents), note: `Stripe top-up ${topup.id}`,
  });
  await env.DB.prepare("UPDATE topups SET status = 'paid', amount_credited_nano = ?, paid_at = coalesce(paid_at, ?), updated_at = ? WHERE id = ?")
    .bind(entry.amountNano, entry.createdAt, now, topup.id).run();
  if (known) await releaseDeferred(env, { ...topup, payment_intent_id: known });
  return "credited";
}

/**
 * checkout.session.completed: credit only when payment_status is "paid" (card payments); a delayed
 * method (bank debit) completes "unpaid" and is credited by async_payment_succeeded.
 * async_payment_failed and expired mark the top-up; they never take credit back.
 */
export async function onCheckoutSession(env: Env, type: string, session: Stripe.Checkout.Session, now = Date.now()): Promise<string> {
  const topup = await topupFor(env, session);
  if (!topup) return "ignored";
  if (type === "checkout.session.completed" || type === "checkout.session.async_payment_succeeded") {
    const paid = session.payment_status === "paid" || type === "checkout.session.async_payment_succeeded";
    if (paid) return fulfil(env, topup, session, now);
    const payment = idOf(session.payment_intent);
    await env.DB.prepare("UPDATE topups SET checkout_session_id = ?, payment_intent_id = coalesce(payment_intent_id, ?), updated_at = ? WHERE id = ?")
      .bind(session.id, payment, now, topup.id).run();
    if (payment) await releaseDeferred(env, { ...topup, payment_intent_id: payment });
    return "awaiting_payment";
  }
  const status = type === "checkout.session.async_payment_failed" ? "failed" : "expired";
  await env.DB.prepare("UPDATE topups SET status = ?, updated_at = ? WHERE id = ? AND status = 'pending'").bind(status, now, topup.id).run();
  return status;
}
