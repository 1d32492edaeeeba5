import { balance, post } from "./ledger";
import { PAYMENTS_SCHEMA, settleRow, target, type CumulativeRow } from "./payments";
import { num, one, type Row } from "./storage";
import { nano } from "../lib/money";

/**
 * Operator-approved refunds take the money out of the balance BEFORE Stripe is asked (docs/billing.md,
 * "Refunds"): otherwise the user could spend the credit while Stripe answers, and the debit that
 * follows would go below the overdraft bound. A hold is an ordinary ledger entry (kind "refund",
 * ref `refundhold:<request>:<payment>:<attempt>`), so every balance change is still one ledger row.
 *
 * The hold also counts as applied in the payment's running refund total (./payments.ts), so when
 * Stripe's refund is then reported (by the approval, or by charge.refunded with or without the
 * refund list, in either order) nothing is debited a second time. If Stripe refuses, the hold is
 * released by a positive "refund" entry (ref `<hold ref>:released`), so refund totals net to zero.
 */
export const REFUND_HOLDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS refund_holds (
  id TEXT PRIMARY KEY,
  payment TEXT NOT NULL,
  amount_nano INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`;

interface HoldRow extends Row { id: string; payment: string; amount_nano: number; attempt: number; state: "held" | "confirmed" | "released" }

export interface HoldInput {
  requestId: string;
  /** Refuse unless the usable balance (balance − reservations) covers every new hold (user requests). */
  check: boolean;
  parts: { payment: string; amountNano: number }[];
}

export type HoldResult = { ok: true; heldNano: number } | { ok: false; availableNano: number; neededNano: number };

const holdId = (requestId: string, payment: string) => `${requestId}:${payment}`;
const holdRef = (h: { id: string; attempt: number }) => `refundhold:${h.id}:${h.attempt}`;
const refundKey = (payment: string) => `refund:${payment}`;

function schema(sql: SqlStorage): void {
  sql.exec(PAYMENTS_SCHEMA);
  sql.exec(REFUND_HOLDS_SCHEMA);
}

/** Adds `delta` to what the payment's running refund total counts as already in the ledger. */
function shiftApplied(sql: SqlStorage, payment: string, delta: number, now: number): void {
  sql.exec(
    `INSERT INTO cumulative (key, kind, after_ref, reported_nano, applied_nano, updated_at) VALUES (?, 'refund', ?, 0, 0, ?)
     ON CONFLICT (key) DO NOTHING`,
    refundKey(payment), payment, now,
  );
  sql.exec("UPDATE cumulative SET applied_nano = applied_nano + ?, updated_at = ? WHERE key = ?", delta, now, refundKey(payment));
}

/**
 * Holds every part of a request that is not held or refunded yet, all or nothing. Repeating it (a
 * retried or resumed approval) holds nothing twice; a part released earlier is held again under
 * the next attempt's ref.
 */
export function holdRefund(sql: SqlStorage, userId: string, input: HoldInput, now: number): HoldResult {
  schema(sql);
  const fresh = input.parts.filter((p) => {
    const h = one<HoldRow>(sql, "SELECT * FROM refund_holds WHERE id = ?", holdId(input.requestId, p.payment));
    return !h || h.state === "released";
  });
  const neededNano = fresh.reduce((n, p) => n + p.amountNano, 0);
  const availableNano = balance(sql) - num(sql, "SELECT coalesce(sum(reserved_nano), 0) FROM requests WHERE state = 'reserved'");
  if (input.check && neededNano > availableNano) return { ok: false, availableNano, neededNano };
  for (const p of fresh) {
    if (!Number.isSafeInteger(p.amountNano) || p.amountNano <= 0) throw new RangeError("a refund hold is a positive integer nUSD");
    const id = holdId(input.requestId, p.payment);
    const attempt = (one<HoldRow>(sql, "SELECT * FROM refund_holds WHERE id = ?", id)?.attempt ?? 0) + 1;
    post(sql, userId, { kind: "refund", amountNano: nano(-p.amountNano), ref: holdRef({ id, attempt }), note: `Refund ${input.requestId} of Stripe payment ${p.payment}` }, now);
    sql.exec(
      `INSERT INTO refund_holds (id, payment, amount_nano, attempt, state, updated_at) VALUES (?, ?, ?, ?, 'held', ?)
       ON CONFLICT (id) DO UPDATE SET amount_nano = excluded.amount_nano, attempt = excluded.attempt, state = 'held', updated_at = excluded.updated_at`,
      id, p.payment, p.amountNano, attempt, now,
    );
    shiftApplied(sql, p.payment, p.amountNano, now);
  }
  return { ok: true, heldNano: neededNano };
}

export interface HoldOutcome {
  requestId: string;
  payment: string;
  /** refunded: Stripe accepted (refundId, amountNano); released: Stripe refused, or the request was rejected. */
  outcome: "refunded" | "released";
  refundId?: string;
  amountNano?: number;
}

/**
 * Ends a hold. "refunded" records Stripe's refund by id in the running total (the hold already
 * debited it, so nothing more is posted unless Stripe refunded more). "released" credits the hold
 * back, then posts any refund Stripe reported meanwhile that the hold had been covering. Both are
 * safe to repeat. Returns the payment's refund total known now (for D1's copy), or null.
 */
export function finishHold(sql: SqlStorage, userId: string, input: HoldOutcome, now: number): { targetNano: number } | null {
  schema(sql);
  const h = one<HoldRow>(sql, "SELECT * FROM refund_holds WHERE id = ?", holdId(input.requestId, input.payment));
  if (input.outcome === "refunded") {
    if (!input.refundId || !Number.isSafeInteger(input.amountNano) || input.amountNano! < 0) throw new RangeError("a refund needs its id and amount");
    if (h && h.state === "held") sql.exec("UPDATE refund_holds SET state = 'confirmed', updated_at = ? WHERE id = ?", now, h.id);
    sql.exec("INSERT OR IGNORE INTO cumulative_parts (key, part, amount_nano) VALUES (?, ?, ?)", refundKey(input.payment), input.refundId, input.amountNano!);
  } else {
    if (!h || h.state !== "held") return null;
    post(sql, userId, { kind: "refund", amountNano: nano(h.amount_nano), ref: `${holdRef(h)}:released`, note: `Refund ${input.requestId} not made: hold released` }, now);
    sql.exec("UPDATE refund_holds SET state = 'released', updated_at = ? WHERE id = ?", now, h.id);
    shiftApplied(sql, input.payment, -h.amount_nano, now);
  }
  const row = one<CumulativeRow>(sql, "SELECT * FROM cumulative WHERE key = ?", refundKey(input.payment));
  if (!row) return null;
  // A refund accepted by Stripe is posted under its id (as before holds existed) if no hold covered it.
  const ref = input.outcome === "refunded" ? input.refundId! : row.pending_ref ?? `${row.key}:${target(sql, row)}`;
  const settled = settleRow(sql, userId, row, ref, now);
  return { targetNano: settled.targetNano };
}
