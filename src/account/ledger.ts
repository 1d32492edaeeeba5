import { newId } from "../lib/ids";
import { nano, type Nano } from "../lib/money";
import { AUTO_TOPUP_SCHEMA, onAutoTopupCrossing } from "./auto-topup";
import { LOW_BALANCE_SCHEMA, onBalanceChange } from "./low-balance";
import { consumePlanCredit, PLAN_CREDIT_SCHEMA } from "./plan-credit";
import { enqueue } from "./outbox";
import { num, one, type Row } from "./storage";
import type { LedgerEntry } from "./types";

export interface LedgerRow extends Row {
  id: string; kind: LedgerEntry["kind"]; amount_nano: number; balance_after_nano: number; ref: string; note: string | null; created_at: number;
  waived_nano: number | null;
  charges: number | null;
}

export const toEntry = (r: LedgerRow): LedgerEntry => ({
  id: r.id, kind: r.kind, amountNano: nano(r.amount_nano), balanceAfterNano: nano(r.balance_after_nano), ref: r.ref, note: r.note, createdAt: r.created_at,
  ...(r.kind === "waiver" ? { waivedNano: nano(r.waived_nano ?? 0) } : {}),
  ...(r.charges != null ? { charges: r.charges } : {}),
});

/** The largest balance an account may hold: 1,000,000 USD (well inside exact integer range). */
export const MAX_BALANCE_NANO = 1_000_000 * 1_000_000_000;

/**
 * Ledger additions to ACCOUNT_SCHEMA, run by the Durable Object's constructor after it: the index
 * that finds the latest entry (post() keeps created_at strictly increasing) and the low-balance state.
 */
export const LEDGER_SCHEMA = `
CREATE INDEX IF NOT EXISTS ledger_created ON ledger (created_at);
${LOW_BALANCE_SCHEMA}
${AUTO_TOPUP_SCHEMA}
${PLAN_CREDIT_SCHEMA}`;

export function balance(sql: SqlStorage): Nano {
  return nano(one<{ balance_nano: number }>(sql, "SELECT balance_nano FROM account WHERE id = 1")?.balance_nano ?? 0);
}

interface PostState extends Row { dup: number; balance_nano: number; last_at: number }
const POST_STATE = `SELECT EXISTS (SELECT 1 FROM ledger WHERE kind = ? AND ref = ?) AS dup,
  coalesce((SELECT balance_nano FROM account WHERE id = 1), 0) AS balance_nano,
  coalesce((SELECT max(created_at) FROM ledger), 0) AS last_at`;

/**
 * The only way the balance changes: one ledger row, one balance update and one outbox item,
 * in the same synchronous step. (kind, ref) is unique, so replaying an operation returns the
 * original entry instead of changing the balance again.
 *
 * created_at is strictly increasing (an entry in the same millisecond as the previous one is
 * stamped 1 ms later): Workers clocks only move between I/O events, so bursts share a
 * millisecond, and without this "the latest entry" and the order of balance_after would be
 * ambiguous in D1 (transaction lists, balance history, reconciliation).
 *
 * Every post also checks the low-balance threshold (src/account/low-balance.ts) and the opt-in
 * auto top-up's threshold (src/account/auto-topup.ts).
 *
 * `toD1` false: no copy for D1's transactions (a usage charge with USAGE_D1_MIRROR off, which
 * reaches D1 as a daily statement through the usage plane instead).
 *
 * A `waiver` row changes nothing (amount 0): it records, in waived_nano, the part of a request's
 * cost that was not charged, so the operator sees every waived amount (docs/billing.md).
 */
export function post(
  sql: SqlStorage,
  userId: string,
  change: { kind: LedgerEntry["kind"]; amountNano: Nano; ref: string; note?: string | null; waivedNano?: Nano },
  now: number,
  toD1 = true,
): { entry: LedgerEntry; duplicate: boolean } {
  if (!Number.isSafeInteger(change.amountNano)) throw new RangeError("ledger amounts are integer nUSD");
  const waived = change.kind === "waiver" ? change.waivedNano ?? nano(0) : nano(0);
  if (change.kind === "waiver" && (change.amountNano !== 0 || !Number.isSafeInteger(waived) || waived < 0)) throw new RangeError("a waiver changes no balance");
  // The replay check, the balance and the latest entry's time in one statement (every usage charge posts).
  const state = sql.exec<PostState>(POST_STATE, change.kind, change.ref).one();
  if (state.dup) return { entry: toEntry(one<LedgerRow>(sql, "SELECT * FROM ledger WHERE kind = ? AND ref = ?", change.kind, change.ref)!), duplicate: true };
  const before = nano(state.balance_nano);
  if (!Number.isSafeInteger(before + change.amountNano)) throw new RangeError("balance out of range");
  const after = nano(before + change.amountNano);
  const at = Math.max(now, state.last_at + 1);
  const entry: LedgerEntry = {
    id: newId("txn_", at), kind: change.kind, amountNano: change.amountNano, balanceAfterNano: after,
    ref: change.ref, note: change.note ?? null, createdAt: at, ...(change.kind === "waiver" ? { waivedNano: waived } : {}),
  };
  sql.exec("UPDATE account SET balance_nano = ? WHERE id = 1", after);
  sql.exec(
    "INSERT INTO ledger (id, kind, amount_nano, balance_after_nano, ref, note, created_at, waived_nano) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    entry.id, entry.kind, entry.amountNano, entry.balanceAfterNano, entry.ref, entry.note, entry.createdAt, waived,
  );
  if (toD1) enqueue(sql, { kind: "txn", row: { ...entry, userId } }, now);
  onBalanceChange(sql, userId, entry.id, before, after, now);
  onAutoTopupCrossing(sql, entry.id, before, after, now);
  consumePlanCredit(sql, entry.kind, entry.amountNano);
  return { entry, duplicate: false };
}

export function listLedger(sql: SqlStorage, limit = 100): LedgerEntry[] {
  return sql.exec<LedgerRow>("SELECT * FROM ledger ORDER BY created_at DESC, id DESC LIMIT ?", limit).toArray().map(toEntry);
}

/**
 * What reconciliation compares with D1, read in one synchronous step. Entries still waiting in
 * the outbox are a suffix of the ledger (the outbox delivers in order), so `cutAt` is the newest
 * entry D1 should already have; figures cover entries in [since, cutAt], since = the start of the
 * transactions retention window (D1 may have pruned older rows; the ledger here keeps them).
 */
export interface LedgerSnapshot {
  balanceNano: number;
  /** Σ of every ledger amount: equal to balanceNano unless the ledger itself is inconsistent. */
  ledgerSumNano: number;
  cutAt: number;
  /** The balance after the last entry before `since`, and after the last entry ≤ cutAt. */
  openingNano: number;
  balanceAtCutNano: number;
  count: number;
  /** Σ amounts of the entries counted. */
  sumNano: number;
  pendingTxns: number;
}

/**
 * With `usageInD1` false (USAGE_D1_MIRROR=off) usage charges reach D1 only as daily statements
 * (src/usage/plane), so the figures cover the other entries only; balances are those after the
 * last such entry.
 */
export function ledgerSnapshot(sql: SqlStorage, since: number, usageInD1 = true): LedgerSnapshot {
  const kinds = usageInD1 ? "" : " AND kind <> 'usage'";
  const pendingFrom = num(sql, "SELECT coalesce(min(l.created_at), 0) FROM outbox o JOIN ledger l ON l.id = o.ref WHERE o.kind = 'txn'");
  const cutAt = pendingFrom ? pendingFrom - 1 : num(sql, "SELECT coalesce(max(created_at), 0) FROM ledger");
  const after = (at: number) => num(sql, `SELECT balance_after_nano FROM ledger WHERE created_at <= ?${kinds} ORDER BY created_at DESC LIMIT 1`, at);
  return {
    balanceNano: balance(sql),
    ledgerSumNano: num(sql, "SELECT coalesce(sum(amount_nano), 0) FROM ledger"),
    cutAt,
    openingNano: after(since - 1),
    balanceAtCutNano: after(cutAt),
    count: num(sql, `SELECT count(*) FROM ledger WHERE created_at >= ? AND created_at <= ?${kinds}`, since, cutAt),
    sumNano: num(sql, `SELECT coalesce(sum(amount_nano), 0) FROM ledger WHERE created_at >= ? AND created_at <= ?${kinds}`, since, cutAt),
    pendingTxns: num(sql, "SELECT count(*) FROM outbox WHERE kind = 'txn'"),
  };
}
