import { num } from "./storage";
import { nano, type Nano } from "../lib/money";

/**
 * The wallet's overdraft, bounded per wallet rather than per request (docs/billing.md, "Waiver bound").
 *
 * Every open reservation row carries `max_charge_nano`: the most that request may be charged, its
 * reservation plus an overdraft share. Admission keeps two sums in bounds:
 *   Σ reservations ≤ balance        (as before: reservations are covered by money the user has)
 *   Σ overdraft shares ≤ OVERDRAFT  (new: the overdraft is one pool per wallet)
 * so balance − Σ max charges ≥ −OVERDRAFT: however the in-flight requests settle, in any order,
 * the balance never goes below the floor. A request's share is min(its reservation, what is left
 * of the pool): at most twice its reservation, and concurrent requests cannot each reach the floor.
 * When the pool is used up, new requests are still admitted against the balance with no share
 * (their charge is capped at their reservation); when the balance is used up they get 402.
 */

/** Σ overdraft shares of the open reservations (a row from before this rule has none). */
export function overdraftInUse(sql: SqlStorage, exceptRequestId = ""): number {
  return num(sql,
    "SELECT coalesce(sum(max(0, coalesce(max_charge_nano, reserved_nano) - reserved_nano)), 0) FROM requests WHERE state = 'reserved' AND request_id <> ?",
    exceptRequestId);
}

/** Gives a just-admitted request its overdraft share and stores its max charge; returns that max charge. */
export function assignMaxCharge(sql: SqlStorage, requestId: string, reservedNano: number, overdraftNano: number): Nano {
  const pool = Math.max(0, Math.max(0, overdraftNano) - overdraftInUse(sql, requestId));
  const maxCharge = reservedNano + Math.min(pool, reservedNano);
  sql.exec("UPDATE requests SET max_charge_nano = ? WHERE request_id = ?", maxCharge, requestId);
  return nano(maxCharge);
}

/**
 * The most a settlement may take from the balance without breaking the floor for the requests
 * still in flight: balance + OVERDRAFT − Σ their max charges. It only binds when something other
 * than usage lowered the balance meanwhile (a refund or a lost dispute), or for a late settlement
 * whose reservation had expired; otherwise a request's own max charge is the tighter bound.
 */
export function settlementHeadroom(sql: SqlStorage, requestId: string, balanceNano: number, overdraftNano: number): number {
  const others = num(sql,
    "SELECT coalesce(sum(coalesce(max_charge_nano, reserved_nano)), 0) FROM requests WHERE state = 'reserved' AND request_id <> ?", requestId);
  return Math.max(0, balanceNano + Math.max(0, overdraftNano) - others);
}
