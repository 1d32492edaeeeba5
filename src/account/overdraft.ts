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

/**
 * Σ reservations and Σ overdraft shares of the open requests, in one scan: what admission needs
 * before it inserts a request (the balance check and the share it may take of the pool).
 */
export function openHolds(sql: SqlStorage): { reservedNano: number; overdraftNano: number } {
  const row = sql.exec<{ reserved: number; overdraft: number }>(
    `SELECT coalesce(sum(reserved_nano), 0) AS reserved,
            coalesce(sum(max(0, coalesce(max_charge_nano, reserved_nano) - reserved_nano)), 0) AS overdraft
     FROM requests WHERE state = 'reserved'`,
  ).one();
  return { reservedNano: row.reserved, overdraftNano: row.overdraft };
}

/**
 * A request's max charge: its reservation plus its share of the pool, min(reservation, what the
 * open requests left of OVERDRAFT). Admission stores it with the request's row (./admission.ts).
 */
export function maxChargeWithin(reservedNano: number, overdraftNano: number, inUseNano: number): Nano {
  const pool = Math.max(0, Math.max(0, overdraftNano) - inUseNano);
  return nano(reservedNano + Math.min(pool, reservedNano));
}

/**
 * The most a settlement may take from the balance without breaking the floor for the requests
 * still in flight: balance + OVERDRAFT − Σ their max charges. It only binds when something other
 * than usage lowered the balance meanwhile (a refund or a lost dispute), or for a late settlement
 * whose reservation had expired; otherwise a request's own max charge is the tighter bound.
 */
export function settlementHeadroom(balanceNano: number, overdraftNano: number, othersMaxChargeNano: number): number {
  return Math.max(0, balanceNano + Math.max(0, overdraftNano) - othersMaxChargeNano);
}

/** Σ max charges of the open reservations other than `?1` (the request being settled), as SQL for settlement's one read. */
export const OTHERS_MAX_CHARGE_SQL =
  "SELECT coalesce(sum(coalesce(max_charge_nano, reserved_nano)), 0) FROM requests WHERE state = 'reserved' AND request_id <> ?1";
