import type { Env } from "../env";
import { ApiError } from "../errors";
import { emailInsert } from "../email/outbox";
import { accountStub } from "../account/client";
import { formatUsd } from "../lib/money";
import { type RefundRow } from "./refunds";
import type { TopupRow } from "./stripe/checkout";
import { requireStripe } from "./stripe/client";
import { fromCents, toCents } from "./topup-config";

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

/** An approval still "approved" after this long is taken to have crashed, and may be resumed. */
export const APPROVAL_LEASE_MS = 5 * 60_000;

/**
 * Takes the request for this approval in one conditional write: requested/failed → approved, or an
 * "approved" one whose approval started more than APPROVAL_LEASE_MS ago (a crash) is taken over.
 * decided_at is the claim: only the approval that set it writes the final status. Returns null
 * when another approval got there first and has already finished.
 */
async function claim(env: Env, req: RefundRow, actor: string, now: number): Promise<RefundRow | null> {
  const res = req.status === "approved"
    ? await env.DB.prepare("UPDATE refund_requests SET decided_by = ?, decided_at = ? WHERE id = ? AND status = 'approved' AND decided_at IS ? AND coalesce(decided_at, 0) < ?")
      .bind(actor, now, req.id, req.decided_at, now - APPROVAL_LEASE_MS).run()
    : await env.DB.prepare("UPDATE refund_requests SET status = 'approved', decided_by = ?, decided_at = ? WHERE id = ? AND status = ?")
      .bind(actor, now, req.id, req.status).run();
  if (res.meta.changes === 1) return null;
  const current = (await load(env, req.id))!;
  if (current.status === "refunded") return current;
  if (current.status === "rejected") throw new ApiError(409, "refund_not_pending", "This refund request was rejected.");
  throw new ApiError(409, "refund_in_progress", "Another approval of this refund request is running; reload the queue in a few minutes.");
}

/** Puts the request back as it was (nothing was asked of Stripe), if this approval still holds the claim. */
async function unclaim(env: Env, req: RefundRow, claimedAt: number): Promise<void> {
  await env.DB.prepare("UPDATE refund_requests SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'approved' AND decided_at = ?")
    .bind(req.status, req.decided_by, req.decided_at, req.id, claimedAt).run();
}

/** Stripe said no for good (bad request, charge disputed, amount too large): nothing was refunded. */
const refused = (err: unknown) => ["StripeInvalidRequestError", "StripeCardError"].includes((err as { type?: string }).type ?? "");

/** Stripe's answer into the user's Durable Object (./refund-holds.ts) and D1's copy of the payment's refund total. */
async function record(env: Env, req: RefundRow, part: Part, outcome: { refundId: string; amountCents: number } | null): Promise<void> {
  const result = await accountStub(env, req.user_id).finishRefundHold(req.user_id, outcome
    ? { requestId: req.id, payment: part.payment_intent_id, outcome: "refunded", refundId: outcome.refundId, amountNano: fromCents(outcome.amountCents) }
    : { requestId: req.id, payment: part.payment_intent_id, outcome: "released" });
  if (result) {
    await env.DB.prepare("UPDATE topups SET amount_refunded_nano = max(amount_refunded_nano, ?), updated_at = ? WHERE payment_intent_id = ?")
      .bind(result.targetNano, Date.now(), part.payment_intent_id).run();
  }
}

/**
 * Operator approval (docs/billing.md, "Refunds"). After the claim, the whole amount is held in the
 * user's Durable Object (debited from the balance, ledger kind "refund") before Stripe is asked, so
 * the credit cannot be spent meanwhile. Then one Stripe refund per payment, idempotency key
 * `refund-<request id>-<payment>`; a part that already has a Stripe refund id is only retrieved,
 * since Stripe forgets idempotency keys after 24 hours and creating it again would refund twice.
 * If Stripe refuses a payment, its hold is credited back and the request becomes "failed".
 */
export async function approveRefund(env: Env, id: string, actor: string, now = Date.now()): Promise<RefundRow> {
  const req = await load(env, id);
  if (!req) throw new ApiError(404, "refund_not_found", `No refund request '${id}'.`);
  if (req.status === "refunded") return req;
  if (req.status === "rejected") throw new ApiError(409, "refund_not_pending", "This refund request was rejected.");
  const stripe = requireStripe(env);
  const done = await claim(env, req, actor, now);
  if (done) return done;
  let parts: Part[];
  try {
    parts = await allocate(env, req);
    // Account-deletion refunds are posted in full: the account is closed and can no longer spend.
    const held = await accountStub(env, req.user_id).holdRefund(req.user_id, {
      requestId: id, check: req.source !== "account_deletion",
      parts: parts.map((p) => ({ payment: p.payment_intent_id, amountNano: fromCents(p.amount_cents) })),
    });
    if (!held.ok) {
      throw new ApiError(409, "insufficient_balance", `The balance (${formatUsd(held.availableNano)} USD available) no longer covers this refund; reject it.`);
    }
  } catch (err) {
    await unclaim(env, req, now);
    throw err;
  }
  let failed = false;
  for (const part of parts) {
    try {
      const refund = part.stripe_refund_id
        ? await stripe.refunds.retrieve(part.stripe_refund_id)
        : await stripe.refunds.create(
          { payment_intent: part.payment_intent_id, amount: part.amount_cents, metadata: { refund_request_id: id, user_id: req.user_id } },
          { idempotencyKey: `refund-${id}-${part.payment_intent_id}` },
        );
      await env.DB.prepare("UPDATE refund_parts SET stripe_refund_id = ? WHERE request_id = ? AND payment_intent_id = ?").bind(refund.id, id, part.payment_intent_id).run();
      await record(env, req, part, { refundId: refund.id, amountCents: refund.amount });
    } catch (err) {
      if (err instanceof ApiError) throw err;
      console.error(`refund ${id}: stripe ${refused(err) ? "refused" : "did not answer for"} payment ${part.payment_intent_id}: ${(err as Error).name}`);
      // Without a clear refusal Stripe may have refunded: the hold stays until a retry learns the answer (or a reject).
      if (refused(err)) await record(env, req, part, null);
      failed = true;
    }
  }
  const decided = await env.DB.prepare("UPDATE refund_requests SET status = ?, decided_at = ? WHERE id = ? AND status = 'approved' AND decided_at = ?")
    .bind(failed ? "failed" : "refunded", Date.now(), id, now).run();
  const final = (await load(env, id))!;
  if (decided.meta.changes === 1) await notifyRefund(env, final);
  return final;
}

/**
 * Tells the user their request's new status (P25), once per (request, status): the outbox id is
 * fixed, so a retried decision queues nothing twice. Deleted accounts have no address left to mail.
 */
async function notifyRefund(env: Env, req: RefundRow): Promise<void> {
  const user = await env.DB.prepare("SELECT email FROM users WHERE id = ? AND status <> 'deleted'").bind(req.user_id).first<{ email: string }>();
  if (!user) return;
  const mail = { userId: req.user_id, to: user.email, template: "refund_update" as const, data: { amount_usd: formatUsd(req.amount_nano), status: req.status } };
  await emailInsert(env, mail, `eml_rfd_${req.id}_${req.status}`, Date.now(), true).run();
}

/** Rejects a requested or failed request; holds of payments Stripe never refunded are credited back. */
export async function rejectRefund(env: Env, id: string, actor: string, now = Date.now()): Promise<RefundRow> {
  const res = await env.DB.prepare("UPDATE refund_requests SET status = 'rejected', decided_by = ?, decided_at = ? WHERE id = ? AND status IN ('requested', 'failed')")
    .bind(actor, now, id).run();
  const req = await load(env, id);
  if (!req) throw new ApiError(404, "refund_not_found", `No refund request '${id}'.`);
  if (res.meta.changes !== 1 && req.status !== "rejected") throw new ApiError(409, "refund_not_pending", `This refund request is ${req.status}.`);
  const { results } = await env.DB.prepare("SELECT * FROM refund_parts WHERE request_id = ? AND stripe_refund_id IS NULL").bind(id).all<Part>();
  for (const part of results) await record(env, req, part, null);
  if (res.meta.changes === 1) await notifyRefund(env, req);
  return req;
}
