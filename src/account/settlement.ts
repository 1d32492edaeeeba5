import { chargeFor } from "../lib/charge";
import { nano } from "../lib/money";
import { recordResponse } from "./chains";
import { post } from "./ledger";
import { OTHERS_MAX_CHARGE_SQL, settlementHeadroom } from "./overdraft";
import { recordKeySpend } from "./keys";
import { recordMemberSpend } from "./members";
import { enqueue } from "./outbox";
import { enqueueUsage } from "./usage-plane";
import { correctRateTokens } from "./rate-limit";
import type { Row } from "./storage";
import type { SettleInput, SettleResult } from "./types";

interface RequestRow extends Row {
  request_id: string; state: string; reserved_nano: number; charged_nano: number; max_charge_nano: number | null;
  created_at: number; rate_tokens: number | null;
}

interface SettleState extends Row { request_id: string | null; balance_nano: number; others_nano: number }
const SETTLE_STATE = `SELECT r.request_id, r.state, r.reserved_nano, r.charged_nano, r.max_charge_nano, r.created_at, r.rate_tokens,
  coalesce((SELECT balance_nano FROM account WHERE id = 1), 0) AS balance_nano, (${OTHERS_MAX_CHARGE_SQL}) AS others_nano
  FROM (SELECT 1) LEFT JOIN requests r ON r.request_id = ?1`;

/**
 * Settles a request exactly once: charges its cost (one ledger row when non-zero), releases the
 * reservation and queues the usage record (for the usage plane; with `mirror`, USAGE_D1_MIRROR on,
 * also the usage record and the charge for D1's usage_logs and transactions). A repeated settlement for the same request id is a no-op.
 * The charge is chargeFor(cost, the request's max charge) (src/lib/charge.ts, the same rule the
 * gateway shows), and never takes the balance below −overdraft for the requests still in flight
 * (src/account/overdraft.ts). The part of the cost above it is waived: a `waiver` ledger row
 * (amount 0, waived_nano = the part) and usage_source "clamped" on the usage record.
 */
export function settle(sql: SqlStorage, userId: string, input: SettleInput, now: number, mirror = true): SettleResult {
  // The request's row (if any), the balance and the open reservations' max charges: one read.
  const state = sql.exec<SettleState>(SETTLE_STATE, input.requestId).one();
  const req = state.request_id === null ? null : (state as unknown as RequestRow);
  const before = nano(state.balance_nano);
  if (req?.state === "settled") return { chargedNano: nano(req.charged_nano), balanceNano: before, duplicate: true };

  const cost = nano(Math.max(0, Math.trunc(input.costNano)));
  const headroom = settlementHeadroom(before, input.overdraftNano, state.others_nano);
  const charge = chargeFor(cost, nano(Math.min(headroom, req?.max_charge_nano ?? Number.MAX_SAFE_INTEGER)));
  const waived = nano(cost - charge);
  const usageSource = waived > 0 ? "clamped" : input.usageSource;

  const posted = charge > 0 ? post(sql, userId, { kind: "usage", amountNano: nano(-charge), ref: input.requestId, note: input.model }, now, mirror) : null;
  const chargedAt = posted ? posted.entry.createdAt : now;
  if (waived > 0) post(sql, userId, { kind: "waiver", amountNano: nano(0), waivedNano: waived, ref: input.requestId, note: input.model }, now);
  if (input.storedResponse && input.status === "success") recordResponse(sql, input.storedResponse, now);
  if (req) {
    sql.exec("UPDATE requests SET state = 'settled', charged_nano = ? WHERE request_id = ?", charge, input.requestId);
  } else {
    sql.exec(
      "INSERT INTO requests (request_id, key_id, model, state, reserved_nano, charged_nano, created_at, expires_at) VALUES (?, ?, ?, 'settled', 0, ?, ?, ?)",
      input.requestId, input.keyId, input.model, charge, now, now,
    );
  }
  recordMemberSpend(sql, recordKeySpend(sql, input.keyId, charge, now), charge, now);
  if (req?.rate_tokens != null) correctRateTokens(sql, input.keyId, req.created_at, req.rate_tokens, input.promptTokens + input.completionTokens);
  const row = {
    requestId: input.requestId, userId, keyId: input.keyId, model: input.model, provider: input.provider,
    endpoint: input.endpoint, stream: input.stream, promptTokens: input.promptTokens, completionTokens: input.completionTokens,
    cachedTokens: input.cachedTokens, reasoningTokens: input.reasoningTokens, costNano: charge, latencyMs: input.latencyMs,
    status: input.status, httpStatus: input.httpStatus, usageSource, errorCode: input.errorCode, attempts: input.attempts,
    routeReason: input.routeReason ?? null, priceVersion: input.priceVersion ?? null,
    createdAt: input.startedAt,
  };
  if (mirror) enqueue(sql, { kind: "usage", row }, now);
  // A late settlement after expiry: the "expired" record already counted the request.
  enqueueUsage(sql, { ...withoutUser(row), chargedAt, ...(req?.state === "expired" ? { replacesExpired: true } : {}) });
  // Only the usage row changes the balance (a waiver moves nothing): no need to read it again.
  const after = posted && !posted.duplicate ? posted.entry.balanceAfterNano : before;
  return { chargedNano: charge, balanceNano: after, duplicate: false, ...(waived > 0 ? { waivedNano: waived } : {}) };
}

interface ExpiredRow extends Row { request_id: string; key_id: string; model: string; created_at: number }

/**
 * Releases reservations whose settlement never came (a crashed or evicted worker). Nothing is
 * charged: without usage figures the gateway does not guess against the user. A usage record
 * with status "expired" keeps the request visible; a late settlement still charges and replaces it.
 */
export function expireReservations(sql: SqlStorage, userId: string, now: number, mirror = true): number {
  const rows = sql.exec<ExpiredRow>(
    "SELECT request_id, key_id, model, created_at FROM requests WHERE state = 'reserved' AND expires_at <= ?", now,
  ).toArray();
  for (const r of rows) {
    sql.exec("UPDATE requests SET state = 'expired' WHERE request_id = ?", r.request_id);
    const row = {
      requestId: r.request_id, userId, keyId: r.key_id, model: r.model, provider: "unknown", endpoint: "unknown",
      stream: false, promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, costNano: 0,
      latencyMs: now - r.created_at, status: "expired", httpStatus: 0, usageSource: "estimated", errorCode: "reservation_expired",
      attempts: 1, createdAt: r.created_at,
    };
    if (mirror) enqueue(sql, { kind: "usage", row }, now);
    enqueueUsage(sql, { ...withoutUser(row), chargedAt: now });
  }
  return rows.length;
}

function withoutUser<T extends { userId: string }>(row: T): Omit<T, "userId"> {
  const { userId: _user, ...rest } = row;
  return rest;
}
