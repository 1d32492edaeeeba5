import { balance, post } from "./ledger";
import { num, one, type Row } from "./storage";

interface LedgerRow extends Row { ref: string; amount_nano: number }
import type { LedgerEntry } from "./types";
import { nano } from "../lib/money";

/**
 * Payment-processor money in the account's Durable Object: purchases, refunds and lost disputes
 * (docs/billing.md, "Idempotency"). Stripe delivers events at least once, in any order and
 * concurrently; everything here runs inside one synchronous DO step, so it is atomic, and every
 * call is safe to repeat:
 * - a purchase is one ledger entry with a stable ref: the checkout session id, whatever event shape
 *   or order credits it; the payment intent id is recorded as an alias of it (purchase_aliases),
 *   so refunds and disputes, which name the payment intent, find it, and a purchase credited
 *   under its payment intent before this rule is recognised as the same top-up;
 * - refunds of a payment are a running total ("cumulative"): the ledger receives only the part of
 *   the total that is not in it yet, whichever path (operator approval or webhook) reports it first;
 * - amounts against a payment whose purchase is not in the ledger yet wait, and are posted in the
 *   same step as the purchase, so the order of events never changes the end result.
 */
export const PAYMENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS cumulative (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  after_ref TEXT,
  reported_nano INTEGER NOT NULL DEFAULT 0,
  applied_nano INTEGER NOT NULL DEFAULT 0,
  pending_ref TEXT,
  note TEXT,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cumulative_after ON cumulative (after_ref);
CREATE TABLE IF NOT EXISTS cumulative_parts (
  key TEXT NOT NULL,
  part TEXT NOT NULL,
  amount_nano INTEGER NOT NULL,
  PRIMARY KEY (key, part)
);
CREATE TABLE IF NOT EXISTS purchase_aliases (
  alias TEXT PRIMARY KEY,
  ref TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS disputes (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`;

export interface CumulativeInput {
  /** Ledger kind of what this total takes back: "refund" or "dispute" (stored as negative amounts). */
  kind: "refund" | "dispute";
  /** What the total is of, e.g. "refund:pi_123" (all refunds of one payment). */
  key: string;
  /** A running total reported by the processor (e.g. charge.amount_refunded); stale, lower reports change nothing. */
  reportedNano?: number;
  /** Components known by id (Stripe refund ids); each counts once however often it is reported. */
  parts?: { id: string; amountNano: number }[];
  /** Ledger ref of an amount this call posts. */
  ref: string;
  /** Post nothing until the purchase with this ledger ref is in the ledger. */
  afterRef?: string | null;
  note?: string | null;
}

export interface CumulativeResult {
  /** max(reported total, Σ parts): the best known total. */
  targetNano: number;
  /** How much of it is in the ledger. */
  appliedNano: number;
  /** Posted by this call. */
  postedNano: number;
  /** The purchase is not in the ledger yet: the rest waits for it. */
  waiting: boolean;
}

export interface CumulativeRow extends Row {
  key: string; kind: string; after_ref: string | null; reported_nano: number; applied_nano: number; pending_ref: string | null; note: string | null;
}

/** The purchase a ref (or an alias of it, e.g. its payment intent) stands for. */
const purchaseFor = (sql: SqlStorage, ref: string) => one<LedgerRow>(sql,
  "SELECT * FROM ledger WHERE kind = 'purchase' AND (ref = ? OR ref IN (SELECT ref FROM purchase_aliases WHERE alias = ?)) ORDER BY created_at LIMIT 1", ref, ref);
const hasPurchase = (sql: SqlStorage, ref: string) => purchaseFor(sql, ref) !== null;

export function target(sql: SqlStorage, row: CumulativeRow): number {
  return Math.max(row.reported_nano, num(sql, "SELECT coalesce(sum(amount_nano), 0) FROM cumulative_parts WHERE key = ?", row.key));
}

/** Posts target − applied (if the purchase it depends on is in the ledger) and records it as applied. */
export function settleRow(sql: SqlStorage, userId: string, row: CumulativeRow, ref: string, now: number): CumulativeResult {
  const targetNano = target(sql, row);
  const owed = targetNano - row.applied_nano;
  const waiting = row.after_ref !== null && !hasPurchase(sql, row.after_ref);
  if (owed <= 0 || waiting) {
    sql.exec("UPDATE cumulative SET pending_ref = ?, updated_at = ? WHERE key = ?", owed > 0 ? ref : null, now, row.key);
    return { targetNano, appliedNano: row.applied_nano, postedNano: 0, waiting: waiting && owed > 0 };
  }
  // A ref is never reused for a different amount: if it is taken (it cannot be, short of a caller
  // bug), the amount is posted under a ref made unique by the new total rather than lost.
  const taken = one(sql, "SELECT 1 AS x FROM ledger WHERE kind = ? AND ref = ?", row.kind, ref) !== null;
  post(sql, userId, { kind: row.kind as LedgerEntry["kind"], amountNano: nano(-owed), ref: taken ? `${ref}#${targetNano}` : ref, note: row.note }, now);
  sql.exec("UPDATE cumulative SET applied_nano = ?, pending_ref = NULL, updated_at = ? WHERE key = ?", targetNano, now, row.key);
  return { targetNano, appliedNano: targetNano, postedNano: owed, waiting: false };
}

export function applyCumulative(sql: SqlStorage, userId: string, input: CumulativeInput, now: number): CumulativeResult {
  sql.exec(PAYMENTS_SCHEMA);
  const reported = input.reportedNano ?? 0;
  for (const n of [reported, ...(input.parts ?? []).map((p) => p.amountNano)]) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError("cumulative amounts are non-negative integer nUSD");
  }
  sql.exec(
    `INSERT INTO cumulative (key, kind, after_ref, reported_nano, note, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET reported_nano = max(reported_nano, excluded.reported_nano), after_ref = coalesce(after_ref, excluded.after_ref)`,
    input.key, input.kind, input.afterRef ?? null, reported, input.note ?? null, now,
  );
  for (const p of input.parts ?? []) {
    sql.exec("INSERT OR IGNORE INTO cumulative_parts (key, part, amount_nano) VALUES (?, ?, ?)", input.key, p.id, p.amountNano);
  }
  const row = one<CumulativeRow>(sql, "SELECT * FROM cumulative WHERE key = ?", input.key)!;
  return settleRow(sql, userId, row, input.ref, now);
}

/**
 * Credits a paid purchase once (ledger ref = its identity, the checkout session id), then posts
 * whatever was waiting for it. `aliases` (its payment intent) are recorded, and a purchase already
 * in the ledger under the ref or any alias is this one: returned as a duplicate, never credited twice.
 */
export function creditPurchase(
  sql: SqlStorage, userId: string, change: { ref: string; amountNano: number; note?: string | null; aliases?: string[] }, now: number,
): { entry: LedgerEntry; duplicate: boolean } {
  sql.exec(PAYMENTS_SCHEMA);
  if (!Number.isSafeInteger(change.amountNano) || change.amountNano <= 0) throw new RangeError("a purchase is a positive integer nUSD");
  const aliases = (change.aliases ?? []).filter((a) => a && a !== change.ref);
  for (const alias of aliases) sql.exec("INSERT OR IGNORE INTO purchase_aliases (alias, ref) VALUES (?, ?)", alias, change.ref);
  const known = [change.ref, ...aliases].map((r) => purchaseFor(sql, r)).find((row) => row !== null);
  const result = known
    ? { entry: post(sql, userId, { kind: "purchase", amountNano: nano(known.amount_nano), ref: known.ref }, now).entry, duplicate: true }
    : post(sql, userId, { kind: "purchase", amountNano: nano(change.amountNano), ref: change.ref, note: change.note ?? null }, now);
  const refs = [change.ref, ...aliases];
  for (const row of sql.exec<CumulativeRow>(`SELECT * FROM cumulative WHERE after_ref IN (${refs.map(() => "?").join(", ")})`, ...refs).toArray()) {
    settleRow(sql, userId, row, row.pending_ref ?? `${row.key}:${target(sql, row)}`, now);
  }
  reconcileDisputeStatus(sql);
  return result;
}

export type DisputeState = "open" | "won" | "lost";

/**
 * A dispute's state changed. "won" and "lost" are final: a late "open" (charge.dispute.created
 * delivered after charge.dispute.closed) changes nothing. A lost dispute takes its amount back
 * (kind "dispute", ref = the dispute id), after the purchase like a refund.
 */
export function disputeChanged(
  sql: SqlStorage, userId: string,
  input: { disputeId: string; state: DisputeState; amountNano: number; afterRef?: string | null; note?: string | null }, now: number,
): { state: DisputeState; status: string } {
  sql.exec(PAYMENTS_SCHEMA);
  const current = one<{ state: DisputeState }>(sql, "SELECT state FROM disputes WHERE id = ?", input.disputeId)?.state;
  const state = current === "won" || current === "lost" ? current : input.state;
  sql.exec(
    "INSERT INTO disputes (id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
    input.disputeId, state, now,
  );
  if (state === "lost" && input.state === "lost") {
    applyCumulative(sql, userId, {
      kind: "dispute", key: `dispute:${input.disputeId}`, reportedNano: input.amountNano, ref: input.disputeId,
      afterRef: input.afterRef ?? null, note: input.note ?? null,
    }, now);
  }
  return { state, status: reconcileDisputeStatus(sql) };
}

/**
 * The account is "disputed" while a dispute is open, and after a lost dispute until the balance
 * is back at zero or above (a top-up restores it). Other statuses (suspended, deleted, unverified)
 * are the operator's or the account's own and are left alone.
 */
export function reconcileDisputeStatus(sql: SqlStorage): string {
  const status = one<{ status: string }>(sql, "SELECT status FROM account WHERE id = 1")?.status ?? "active";
  if (status !== "active" && status !== "disputed") return status;
  const open = num(sql, "SELECT count(*) FROM disputes WHERE state = 'open'");
  const lost = num(sql, "SELECT count(*) FROM disputes WHERE state = 'lost'");
  const next = open > 0 || (lost > 0 && balance(sql) < 0) ? "disputed" : "active";
  if (next !== status) sql.exec("UPDATE account SET status = ? WHERE id = 1", next);
  return next;
}
