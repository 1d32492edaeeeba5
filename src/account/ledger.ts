import { newId } from "../lib/ids";
import { enqueue } from "./outbox";
import { one, type Row } from "./storage";
import type { LedgerEntry } from "./types";

interface LedgerRow extends Row {
  id: string; kind: LedgerEntry["kind"]; amount_nano: number; balance_after_nano: number; ref: string; note: string | null; created_at: number;
}

const toEntry = (r: LedgerRow): LedgerEntry => ({
  id: r.id, kind: r.kind, amountNano: r.amount_nano, balanceAfterNano: r.balance_after_nano, ref: r.ref, note: r.note, createdAt: r.created_at,
});

/** The largest balance an account may hold: 1,000,000 USD (well inside exact integer range). */
export const MAX_BALANCE_NANO = 1_000_000 * 1_000_000_000;

export function balance(sql: SqlStorage): number {
  return one<{ balance_nano: number }>(sql, "SELECT balance_nano FROM account WHERE id = 1")?.balance_nano ?? 0;
}

/**
 * The only way the balance changes: one ledger row, one balance update and one outbox item,
 * in the same synchronous step. (kind, ref) is unique, so replaying an operation returns the
 * original entry instead of changing the balance again.
 */
export function post(
  sql: SqlStorage,
  userId: string,
  change: { kind: LedgerEntry["kind"]; amountNano: number; ref: string; note?: string | null },
  now: number,
): { entry: LedgerEntry; duplicate: boolean } {
  if (!Number.isSafeInteger(change.amountNano)) throw new RangeError("ledger amounts are integer nUSD");
  const existing = one<LedgerRow>(sql, "SELECT * FROM ledger WHERE kind = ? AND ref = ?", change.kind, change.ref);
  if (existing) return { entry: toEntry(existing), duplicate: true };
  const after = balance(sql) + change.amountNano;
  if (!Number.isSafeInteger(after)) throw new RangeError("balance out of range");
  const entry: LedgerEntry = {
    id: newId("txn_", now), kind: change.kind, amountNano: change.amountNano, balanceAfterNano: after,
    ref: change.ref, note: change.note ?? null, createdAt: now,
  };
  sql.exec("UPDATE account SET balance_nano = ? WHERE id = 1", after);
  sql.exec(
    "INSERT INTO ledger (id, kind, amount_nano, balance_after_nano, ref, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    entry.id, entry.kind, entry.amountNano, entry.balanceAfterNano, entry.ref, entry.note, entry.createdAt,
  );
  enqueue(sql, { kind: "txn", row: { ...entry, userId } }, now);
  return { entry, duplicate: false };
}

export function listLedger(sql: SqlStorage, limit = 100): LedgerEntry[] {
  return sql.exec<LedgerRow>("SELECT * FROM ledger ORDER BY created_at DESC, id DESC LIMIT ?", limit).toArray().map(toEntry);
}
