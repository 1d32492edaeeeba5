import type { Env } from "../env";
import { ApiError } from "../errors";
import { accountStub } from "../account/client";
import { newId } from "../lib/ids";
import { formatUsd } from "../lib/money";
import { isWholeCents, topupConfig } from "./topup-config";

const DAY_MS = 86_400_000;
const CENT_NANO = 10_000_000;

export interface RefundRow {
  id: string; user_id: string; amount_nano: number; status: "requested" | "approved" | "rejected" | "refunded" | "failed";
  source: string; reason: string | null; decided_by: string | null; decided_at: number | null; created_at: number;
}

/** Requests that still hold part of the refundable amount. */
export const OPEN_REFUND_STATUSES = "('requested', 'approved')";

export const refundView = (r: RefundRow) => ({
  id: r.id, amount_usd: formatUsd(r.amount_nano), status: r.status, source: r.source, reason: r.reason,
  created_at: new Date(r.created_at).toISOString(), decided_at: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
});

/**
 * The refund rule (docs/billing.md, "Refunds"): within REFUND_WINDOW_DAYS of a purchase, its unused
 * part may be refunded.
 *   refundable = min(balance − reserved, Σ purchases within the window − what was already refunded
 *                or taken back by a dispute from them) − open requests,
 * rounded down to whole cents. Free grants are never refundable: only purchases are counted, and a
 * balance made of grants is capped by the purchases. Usage is counted against free credit first.
 */
export async function refundable(env: Env, userId: string, now = Date.now()): Promise<{ refundableNano: number; openNano: number }> {
  const since = now - topupConfig(env).refundWindowDays * DAY_MS;
  const [summary, purchases, open] = await Promise.all([
    accountStub(env, userId).summary(),
    env.DB.prepare(
      `SELECT coalesce(sum(max(0, amount_credited_nano - amount_refunded_nano - amount_disputed_nano)), 0) AS n
       FROM topups WHERE user_id = ? AND status = 'paid' AND paid_at >= ?`,
    ).bind(userId, since).first<{ n: number }>(),
    openRequests(env, userId),
  ]);
  const unused = Math.min(summary.balanceNano - summary.holdsNano, purchases?.n ?? 0) - open;
  return { refundableNano: Math.max(0, Math.floor(unused / CENT_NANO) * CENT_NANO), openNano: open };
}

async function openRequests(env: Env, userId: string): Promise<number> {
  const row = await env.DB.prepare(`SELECT coalesce(sum(amount_nano), 0) AS n FROM refund_requests WHERE user_id = ? AND status IN ${OPEN_REFUND_STATUSES}`)
    .bind(userId).first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * A user's refund request (status "requested"; an operator approves or rejects it). Without an
 * amount, everything refundable is requested. The insert re-checks the open total it was computed
 * from, so two concurrent requests cannot both take the same refundable amount.
 */
export async function requestRefund(env: Env, userId: string, input: { amountNano: number | null; reason: string | null }, now = Date.now()): Promise<RefundRow> {
  const { refundableNano, openNano } = await refundable(env, userId, now);
  const amount = input.amountNano ?? refundableNano;
  if (input.amountNano !== null && (input.amountNano <= 0 || !isWholeCents(input.amountNano))) {
    throw new ApiError(400, "invalid_amount", "amount_usd must be a positive amount in whole cents, such as \"12.50\".", { param: "amount_usd" });
  }
  if (amount <= 0 || amount > refundableNano) {
    throw new ApiError(400, "amount_not_refundable", `At most ${formatUsd(refundableNano)} USD can be refunded now: unused purchased credit from the last ${topupConfig(env).refundWindowDays} days, less open requests. Free credit is not refundable.`, { param: "amount_usd" });
  }
  const row: RefundRow = {
    id: newId("rfd_", now), user_id: userId, amount_nano: amount, status: "requested", source: "user", reason: input.reason,
    decided_by: null, decided_at: null, created_at: now,
  };
  const res = await env.DB.prepare(
    `INSERT INTO refund_requests (id, user_id, amount_nano, status, source, reason, created_at)
     SELECT ?, ?, ?, 'requested', 'user', ?, ? WHERE (SELECT coalesce(sum(amount_nano), 0) FROM refund_requests WHERE user_id = ? AND status IN ${OPEN_REFUND_STATUSES}) = ?`,
  ).bind(row.id, userId, amount, input.reason, now, userId, openNano).run();
  if (res.meta.changes !== 1) throw new ApiError(409, "refund_request_conflict", "Another refund request was made at the same time; reload and try again.");
  return row;
}

export async function listRefunds(env: Env, userId: string): Promise<RefundRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM refund_requests WHERE user_id = ? ORDER BY created_at DESC LIMIT 100").bind(userId).all<RefundRow>();
  return results;
}

/** The operator's refund queue, newest first: optionally one status, after a cursor (an id); at most `limit` rows. */
export async function listRefundQueue(env: Env, q: { status: RefundRow["status"] | null; cursor: string | null; limit: number }): Promise<RefundRow[]> {
  const { results } = await env.DB.prepare(
    `SELECT * FROM refund_requests WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3`,
  ).bind(q.status, q.cursor, q.limit).all<RefundRow>();
  return results;
}

/** The user a refund request belongs to, or null when there is no such request. */
export async function refundOwner(env: Env, id: string): Promise<string | null> {
  const row = await env.DB.prepare("SELECT user_id FROM refund_requests WHERE id = ?").bind(id).first<{ user_id: string }>();
  return row?.user_id ?? null;
}
