import { balance } from "./ledger";
import { num } from "./storage";

/** Stripe refunds whole cents: 1 cent = 10,000,000 nUSD. */
const CENT_NANO = 10_000_000;

/** What closing an account leaves behind: the figures an account-deletion refund is computed from. */
export interface ClosureFigures {
  balanceNano: number;
  /** Reservations of requests still in flight: they may yet be charged, so they are not refundable. */
  holdsNano: number;
  /** Sum of "purchase" entries (paid top-ups). Grants are never counted: free credit is not refunded. */
  purchasedNano: number;
  /** Purchased credit already paid back ("refund" entries, stored negative) or taken back by a card dispute. */
  refundedNano: number;
  disputedNano: number;
  /** Keys this call revoked (none on a repeated call). */
  revokedKeys: number;
}

/**
 * Closes the account in one synchronous step: status "deleted" (admission then refuses every key
 * with 401 account_deleted), every live key revoked, and the user-chosen key names erased (they are
 * free text). The ledger stays: it is the financial record. Safe to repeat.
 */
export function closeAccount(sql: SqlStorage, now: number): ClosureFigures {
  sql.exec("UPDATE account SET status = 'deleted' WHERE id = 1");
  const revokedKeys = sql.exec("UPDATE api_keys SET revoked_at = ? WHERE revoked_at IS NULL", now).rowsWritten;
  sql.exec("UPDATE api_keys SET name = 'deleted' WHERE name <> 'deleted'");
  sql.exec("DELETE FROM responses"); // stored /responses ids (./chains.ts): nothing left to chain on
  // The recent usage records are anonymized as usage logs are (P27): no key, no routing reason.
  sql.exec("UPDATE usage_pending SET payload = json_set(payload, '$.keyId', 'deleted', '$.routeReason', NULL) WHERE json_extract(payload, '$.keyId') <> 'deleted'");
  const sumOf = (kind: string) => num(sql, "SELECT coalesce(sum(amount_nano), 0) FROM ledger WHERE kind = ?", kind);
  return {
    balanceNano: balance(sql),
    holdsNano: num(sql, "SELECT coalesce(sum(reserved_nano), 0) FROM requests WHERE state = 'reserved'"),
    purchasedNano: sumOf("purchase"),
    refundedNano: -sumOf("refund"),
    disputedNano: -sumOf("dispute"),
    revokedKeys,
  };
}

/**
 * The purchased credit a deletion pays back: what was bought, less what was already refunded,
 * disputed or is already waiting in an open refund request, and never more than the usable balance
 * (credit spent on usage is gone; free grants are spent first in effect, since only purchases count).
 */
export function refundableOnClosure(f: ClosureFigures, openRequestsNano: number): number {
  const unrefunded = f.purchasedNano - Math.max(0, f.refundedNano) - Math.max(0, f.disputedNano) - openRequestsNano;
  // Stripe refunds whole cents: rounded down, so the refund never exceeds what is left.
  return Math.max(0, Math.floor(Math.min(f.balanceNano - f.holdsNano, unrefunded) / CENT_NANO) * CENT_NANO);
}
