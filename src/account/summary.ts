import { balance } from "./ledger";
import { pendingOutbox } from "./outbox";
import { num } from "./storage";

export interface AccountSummary {
  userId: string | null;
  status: string;
  balanceNano: number;
  holdsNano: number;
  inFlight: number;
  /** Everything added to the balance except usage (grants, purchases, refunds, adjustments). */
  creditsNano: number;
  usageNano: number;
  pendingOutbox: number;
}

/** The wallet's figures for the operator and the tests, read in one synchronous step. */
export function accountSummary(sql: SqlStorage, userId: string | null, status: string): AccountSummary {
  return {
    userId,
    status,
    balanceNano: balance(sql),
    holdsNano: num(sql, "SELECT coalesce(sum(reserved_nano), 0) FROM requests WHERE state = 'reserved'"),
    inFlight: num(sql, "SELECT count(*) FROM requests WHERE state = 'reserved'"),
    // Two ranges of the (kind, ref) index rather than `kind <> 'usage'`, which scans every charge.
    creditsNano: num(sql, "SELECT coalesce(sum(amount_nano), 0) FROM ledger WHERE kind < 'usage' OR kind > 'usage'"),
    usageNano: 0 - num(sql, "SELECT coalesce(sum(amount_nano), 0) FROM ledger WHERE kind = 'usage'"),
    pendingOutbox: pendingOutbox(sql).count,
  };
}
