import type { Env } from "../env";
import { ApiError } from "../errors";
import { accountStub } from "../gateway/meter";
import { formatUsd } from "./money";
import { type RefundRow } from "./refunds";
import type { TopupRow } from "./stripe/checkout";
import { requireStripe } from "./stripe/client";
import { applyRefund } from "./stripe/events/facts";
import { toCents } from "./topup-config";

interface Part { request_id: string; payment_intent_id: string; amount_cents: number; stripe_refund_id: string | null }

const load = (env: Env, id: string) => env.DB.prepare("SELECT * FROM refund_requests WHERE id = ?").bind(id).first<RefundRow>();

/**
 * Splits a request over the user's paid top-ups, newest first, each up to what is left of it.
 * Stored once (refund_parts), so a retried approval uses the same payments, amounts and keys.
 */
async function allocate(env: Env, req: RefundRow): Promise<Part[]> {
  const stored = await env.DB.prepare("SELECT * FROM refund_parts WHERE request_id = ?").bind(req.id).all<Part>();
  if (stored.results.length > 0) return stored.results;
  const { results: topups } = await env.DB.prepare(
    "SELECT * FROM topups WHERE user_id = ? AND status = 'paid' AND payment_intent_id IS NOT NULL ORDER BY paid_at DESC",
  ).bind(req.user_id).all<TopupRow>();
  let left = toCents(req.amount_nano);
  const parts: Part[] = [];
  for (const t of topups) {
    const room = toCents(Math.max(0, t.amount_credited_nano - t.amount_refunded_nano - t.amount_disputed_nano));
    const take = Math.min(left, room);
    if (take > 0) parts.push({ request_id: req.id, payment_intent_id: t.payment_intent_id!, amount_cents: take, stripe_refund_id: null });
    left -= take;
    if (left === 0) break;
  }
  if (left > 0 || parts.length === 0) {
    throw new ApiError(409, "refund_exceeds_payments", `The user's refundable payments do not cover ${formatUsd(req.amount_nano)} USD; reject the request instead.`);
  }
  await env.DB.batch(parts.map((p) => env.DB.prepare(
    "INSERT OR IGNORE INTO refund_parts (request_id, payment_intent_id, amount_cents) VALUES (?, ?, ?)",
  ).bind(p.request_id, p.payment_intent_id, p.amount_cents)));
  return (await env.DB.prepare("SELECT * FROM refund_parts WHERE request_id = ?").bind(req.id).all<Part>()).results;
}

/**
 * Operator approval: one Stripe refund per payment with idempotency key
 * `refund-<request id>-<payment>`, then the Durable Object debits it (kind "refund", ref = the
 * Stripe refund id, unless charge.refunded already debited it). Repeating an approval (a retry
 * after a time-out, a double click) calls Stripe with the same keys and debits nothing twice. If
 * Stripe refuses a payment, the request is "failed" and that payment is not debited.
 */
export async function approveRefund(env: Env, id: string, actor: string, now = Date.now()): Promise<RefundRow> {
  const req = await load(env, id);
  if (!req) throw new ApiError(404, "refund_not_found", `No refund request '${id}'.`);
  if (req.status === "refunded") return req;
  if (req.status === "rejected") throw new ApiError(409, "refund_not_pending", "This refund request was rejected.");
  const stripe = requireStripe(env);
  if (req.status === "requested" && req.source !== "account_deletion") {
    // The user may have spent credit since asking; refunding more than is left would overdraw.
    const s = await accountStub(env, req.user_id).summary();
    if (s.balanceNano - s.holdsNano < req.amount_nano) {
      throw new ApiError(409, "insufficient_balance", `The balance (${formatUsd(s.balanceNano - s.holdsNano)} USD available) no longer covers this refund; reject it.`);
    }
  }
  await env.DB.prepare("UPDATE refund_requests SET status = 'approved', decided_by = ?, decided_at = ? WHERE id = ? AND status IN ('requested', 'failed')")
    .bind(actor, now, id).run();
  let failed = false;
  for (const part of await allocate(env, req)) {
    const topup = await env.DB.prepare("SELECT * FROM topups WHERE payment_intent_id = ?").bind(part.payment_intent_id).first<TopupRow>();
    try {
      const refund = await stripe.refunds.create(
        { payment_intent: part.payment_intent_id, amount: part.amount_cents, metadata: { refund_request_id: id, user_id: req.user_id } },
        { idempotencyKey: `refund-${id}-${part.payment_intent_id}` },
      );
      await env.DB.prepare("UPDATE refund_parts SET stripe_refund_id = ? WHERE request_id = ? AND payment_intent_id = ?").bind(refund.id, id, part.payment_intent_id).run();
      if (topup) await applyRefund(env, topup, { ref: refund.id, parts: [{ id: refund.id, amountCents: refund.amount }] });
    } catch (err) {
      if (err instanceof ApiError) throw err;
      console.error(`refund ${id}: stripe refused payment ${part.payment_intent_id}: ${(err as Error).name}`);
      failed = true;
    }
  }
  await env.DB.prepare("UPDATE refund_requests SET status = ?, decided_at = ? WHERE id = ?").bind(failed ? "failed" : "refunded", Date.now(), id).run();
  return (await load(env, id))!;
}

export async function rejectRefund(env: Env, id: string, actor: string, now = Date.now()): Promise<RefundRow> {
  const res = await env.DB.prepare("UPDATE refund_requests SET status = 'rejected', decided_by = ?, decided_at = ? WHERE id = ? AND status IN ('requested', 'failed')")
    .bind(actor, now, id).run();
  const req = await load(env, id);
  if (!req) throw new ApiError(404, "refund_not_found", `No refund request '${id}'.`);
  if (res.meta.changes !== 1 && req.status !== "rejected") throw new ApiError(409, "refund_not_pending", `This refund request is ${req.status}.`);
  return req;
}
